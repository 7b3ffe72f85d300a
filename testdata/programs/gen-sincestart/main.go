// Program sincestart (found by cmd/divergence, seed 1 case 124): deferargs makes
// time.Since(start) run when the deferred call runs, but start itself is assigned after
// the defer: the closure measures from the new start.
package main

import (
	"fmt"
	"time"
)

func report(format string, args ...any) { fmt.Printf(format+"\n", args...) }

func work() {
	start := time.Now()
	defer report("took less than an hour: %v", time.Since(start) < time.Hour)
	start = time.Time{} // reset: the next phase is measured from scratch
	_ = start
}

func main() {
	work()
}
