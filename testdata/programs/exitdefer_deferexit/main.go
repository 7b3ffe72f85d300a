// A deferred function that itself exits: main's os.Exit(2) skips it, so the program
// exits 2. Moved into run, the deferred exit would run first and exit 3.
package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	// Buffered output that the exit loses (stderr: not compared); it makes the exit a finding.
	w := bufio.NewWriter(os.Stderr)
	defer w.Flush()
	fmt.Fprintln(w, "buffered")
	defer func() {
		fmt.Println("deferred exit")
		os.Exit(3)
	}()
	fmt.Println("working")
	if len(os.Args) < 5 {
		os.Exit(2)
	}
}
