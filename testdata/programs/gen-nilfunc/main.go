// Program nilfunc (found by cmd/divergence, seed 1 case 22): a nil func value deferred in
// a loop panics when the function returns, after the loop printed everything; as an
// explicit call at the end of the iteration (loopdefer) it panics in the first iteration
// whose value is nil, and what the later iterations print is lost.
package main

import "fmt"

var held int

type res struct{ name string }

func (r *res) Close() error { held--; return nil }

func work(names []string) {
	for _, name := range names {
		held++
		r := &res{name: name}
		var closeFn func() error
		if name != "bb" {
			closeFn = r.Close
		}
		defer closeFn()
		fmt.Println("worked on", name)
	}
}

func main() {
	defer func() { fmt.Println("recovered:", recover(), "held", held) }()
	work([]string{"a", "bb", "ccc"})
}
