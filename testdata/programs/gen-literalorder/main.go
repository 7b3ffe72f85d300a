// Program literalorder (found by cmd/divergence, seed 1 case 111): a deferred function
// literal in a loop that releases nothing runs at the return, in reverse order, which may
// be the point (as for defer fmt.Println(i), which loopdefer leaves alone). Turned into a
// call at the end of each iteration, it prints in the other order, too early.
package main

import "fmt"

func work(names []string) {
	for i, name := range names {
		defer func(s string) { fmt.Println("undo", s, i) }(name)
		fmt.Println("do", name)
	}
	fmt.Println("all done")
}

func main() {
	work([]string{"a", "bb", "ccc"})
}
