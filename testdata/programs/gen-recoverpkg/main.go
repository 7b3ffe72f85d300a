// Program recoverpkg (found by cmd/divergence, seed 1 case 31): the deferred method of
// another package recovers. Deferred, it stops the panic and sum returns; called from the
// guard's deferred literal (loopdefer), its recover is no longer effective and the panic
// goes on to the caller.
package main

import (
	"fmt"

	"example.com/recoverpkg/res"
)

func sum(names []string) int {
	total := 0
	for i, name := range names {
		r := res.Open(name)
		defer r.CloseRecover()
		total += 60 / (2 - i)
	}
	return total
}

func main() {
	defer func() {
		if p := recover(); p != nil {
			fmt.Println("main recovered:", p)
		}
	}()
	fmt.Println("sum", sum([]string{"a", "bb", "ccc"}), "held", res.Held)
}
