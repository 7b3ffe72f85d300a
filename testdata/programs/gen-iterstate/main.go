// Program iterstate (found by cmd/divergence, seed 1 case 813): the iterator's own code
// runs between the iterations of a range-over-func loop and writes package state. A
// deferred closure reads that state at the return; run at the end of each iteration
// (loopdefer's explicit call), it reads it while the iterator is still going.
package main

import (
	"fmt"
	"sort"
)

var (
	progress int
	visited  int
	released []string
)

func each(names []string) func(yield func(int, string) bool) {
	return func(yield func(int, string) bool) {
		for i, n := range names {
			progress += 1000
			if !yield(i, n) {
				return
			}
		}
	}
}

type res struct{ name string }

func release(r *res, at int) { released = append(released, fmt.Sprint(r.name, "@", at)) }

func work(names []string) {
	for _, name := range each(names) {
		r := &res{name: name}
		finish := func() { release(r, progress) }
		defer finish()
		visited++
	}
}

func main() {
	work([]string{"a", "bb", "ccc"})
	sort.Strings(released)
	fmt.Println(released, visited)
}
