// Program derefarg (found by cmd/divergence, seed 1 case 104): deferargs defers a closure
// so time.Since is evaluated late, which also delays the other arguments. *p is never
// assigned after the defer, but x, which p points to, is: the closure prints the new value.
package main

import (
	"fmt"
	"time"
)

func report(format string, args ...any) { fmt.Printf(format+"\n", args...) }

func work() {
	x := 1
	p := &x
	start := time.Now()
	defer report("deferred %v %v", *p, time.Since(start) < time.Hour)
	x++
}

func main() {
	work()
}
