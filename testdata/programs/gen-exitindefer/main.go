// Program exitindefer (found by cmd/divergence, seed 1 case 50): a deferred call that
// exits itself. os.Exit(3) skips it, so the program exits 3; exitdefer's run() returns 3
// and the deferred call then runs, exits 4 first and overrides the status.
package main

import (
	"fmt"
	"os"
)

func main() {
	defer func() {
		fmt.Println("cleanup exits")
		os.Exit(4)
	}()
	if len(os.Args) < 5 {
		os.Exit(3)
	}
	fmt.Println("not reached")
}
