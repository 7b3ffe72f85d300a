package a

import "log"

func direct() {
	defer recover() // want `defer recover\(\) has no effect`
	panic("boom")
}

func handlePanic() {
	if r := recover(); r != nil {
		log.Print("recovered: ", r)
	}
}

func helper() {
	defer func() {
		handlePanic() // want `handlePanic calls recover but is not itself deferred`
	}()
	panic("boom")
}

// Reported without a fix: the literal does more than call the helper.
func more() {
	defer func() {
		log.Print("leaving")
		handlePanic() // want `handlePanic calls recover but is not itself deferred`
	}()
}

// Fine: the helper is deferred itself.
func fine() {
	defer handlePanic()
	panic("boom")
}

// Fine: recover is called by the deferred function.
func fine2() {
	defer func() { _ = recover() }()
	panic("boom")
}
