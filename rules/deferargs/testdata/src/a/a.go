package a

import (
	"fmt"
	"log"
	"time"
)

func timed(name string) {
	start := time.Now()
	// The log line must say how long the whole function took.
	defer log.Printf("%s took %v", name, time.Since(start)) // want `time.Since is evaluated at the defer statement`
	work()
}

func sub() {
	t := time.Now()
	defer fmt.Println(time.Now().Sub(t)) // want `time.Now\(\).Sub is evaluated at the defer statement`
	work()
}

func handle(v any) {}

func recovers() {
	defer handle(recover()) // want `recover is called at the defer statement`
	panic("boom")
}

func nested(name string) {
	start := time.Now()
	defer log.Println([]any{name, time.Since(start).Seconds()}...) // want `time.Since is evaluated`
	work()
}

// Refused: msg changes after the defer, so a closure would log the new value.
func reassigned() {
	start := time.Now()
	msg := "first"
	defer log.Println(msg, time.Since(start)) // want `time.Since is evaluated`
	msg = "second"
	_ = msg
}

// Refused: another call among the arguments would run later too.
func otherCall(name string) {
	start := time.Now()
	defer log.Println(fmt.Sprint(name), time.Since(start)) // want `time.Since is evaluated`
}

// Fixed: since Go 1.22 each iteration has its own i; the next iteration's i++ writes
// the next one.
func inLoop() {
	for i := 0; i < 3; i++ {
		start := time.Now()
		defer log.Println(i, time.Since(start)) // want `time.Since is evaluated`
	}
}

// Refused: n, declared outside the loop, changes on the next iteration.
func inLoopShared() {
	n := 0
	for range 3 {
		n++
		start := time.Now()
		defer log.Println(n, time.Since(start)) // want `time.Since is evaluated`
	}
}

func trace(name string) func() {
	start := time.Now()
	return func() { log.Println(name, time.Since(start)) }
}

// Fine: the trace idiom evaluates trace at the defer statement on purpose.
func traced() {
	defer trace("traced")()
	work()
}

// Fine: the closure already evaluates time.Since when it runs.
func closure() {
	start := time.Now()
	defer func() { log.Println(time.Since(start)) }()
}

// Fine: a start time is meant to be taken now.
func startTime(report func(time.Time)) {
	defer report(time.Now())
}

func work() {}

func run() error { return nil }

// The deferred call logs err as it was at the defer statement: always nil.
func logged() (err error) {
	defer log.Printf("done: %v", err) // want `err is evaluated at the defer statement, but it is assigned again on line \d+`
	err = run()
	return err
}

// Fine: the value at the defer statement is meant.
func restore(level int, set func(int)) {
	old := level
	defer set(old)
	set(level + 1)
}

// Fine: saving a value to restore it is the point.
func saveRestore(ctx string, set func(string)) {
	defer set(ctx)
	ctx = ctx + "/inner"
	set(ctx)
}
