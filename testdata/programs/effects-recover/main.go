// Recover through a call the rule cannot see (issue 10, class 4): a deferred method of
// another package, or a call through an interface, may stop a panic; run from a guard or
// per iteration, it would no longer stop the same one.
package main

import (
	"fmt"
	"time"

	"example.com/recover/lib"
)

func process(id int) {
	if id == 2 {
		panic(fmt.Sprint("bad item ", id))
	}
}

// Another package's method that recovers.
func crossPackage(ids []int) {
	for _, id := range ids {
		g := lib.New(id)
		defer g.Done()
		process(id)
	}
	fmt.Println("crossPackage: all processed")
}

type doner interface{ Done() }

func acquire(id int) doner { return lib.New(id) }

// A method called through an interface.
func throughInterface(ids []int) {
	for _, id := range ids {
		d := acquire(id)
		defer d.Done()
		process(id)
	}
	fmt.Println("throughInterface: all processed")
}

// A deferred method of another package that recovers, whose argument deferargs would
// delay: called from a closure, its recover would stop nothing.
func timed() {
	start := time.Now()
	g := lib.New(9)
	defer g.Finish(time.Now().Sub(start) > time.Hour)
	process(2)
}

func main() {
	crossPackage([]int{1, 2, 3})
	throughInterface([]int{1, 2, 3})
	timed()
	fmt.Println("main: done")
}
