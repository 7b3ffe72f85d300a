// Program closurevar (found by cmd/divergence, seed 1 case 42): a closure held in a
// variable and deferred reads its state when it runs, at the return: the resource r and
// the phase, both changed by then. Run at the end of each iteration (loopdefer), it reads
// them earlier.
package main

import (
	"fmt"
	"sort"
)

var (
	released []string
	phase    = "loop"
)

type res struct{ name string }

func open(name string) *res { return &res{name: name} }

func tag(r *res, i int) { released = append(released, fmt.Sprint(r.name, "=", i, " ", phase)) }

func work(names []string) {
	for i, name := range names {
		r := open(name)
		finish := func() { tag(r, i) }
		defer finish()
		r = open("spare-" + name)
	}
	phase = "returned"
}

func main() {
	work([]string{"a", "bb"})
	sort.Strings(released)
	fmt.Println(released)
}
