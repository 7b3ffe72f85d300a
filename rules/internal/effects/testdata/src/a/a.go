package a

func Stop() { // want Stop:"recovers"
	recover()
}

func Helper() { // want Helper:"norecover"
	func() { recover() }() // not called directly by a deferred function
}

type G struct{}

func (*G) Done() { // want Done:"recovers"
	if r := recover(); r != nil {
		println(r)
	}
}
