// Program sharedloopvar (found by cmd/divergence, seed 1 case 42): before Go 1.22 the
// loop variable i is shared by all iterations and changes after each one. A deferred
// closure held in a variable reads it at the return (its last value); run at the end of
// each iteration (loopdefer), it reads each iteration's value instead.
package main

import (
	"fmt"
	"sort"
)

var released []string

type res struct{ name string }

func tag(r *res, i int) { released = append(released, fmt.Sprint(r.name, "=", i)) }

func work(names []string) {
	for i, name := range names {
		r := &res{name: name}
		finish := func() { tag(r, i) }
		defer finish()
		fmt.Println("open", name)
	}
}

func main() {
	work([]string{"a", "bb", "ccc"})
	sort.Strings(released)
	fmt.Println(released)
}
