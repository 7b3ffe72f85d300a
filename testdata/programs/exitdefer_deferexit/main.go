// A deferred function that itself exits: main's os.Exit(2) skips it, so the program
// exits 2. Moved into run, the deferred exit would run first and exit 3.
package main

import (
	"fmt"
	"os"
)

func main() {
	defer func() {
		fmt.Println("deferred exit")
		os.Exit(3)
	}()
	fmt.Println("working")
	if len(os.Args) < 5 {
		os.Exit(2)
	}
}
