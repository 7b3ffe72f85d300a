// An exit followed by a return: the rewrite must not leave "return 2; return 0", which
// go vet reports as unreachable code.
package main

import (
	"bufio"
	"fmt"
	"log"
	"os"
)

func main() {
	// Buffered output that the exit loses (stderr: not compared); it makes the exit a finding.
	w := bufio.NewWriter(os.Stderr)
	defer w.Flush()
	fmt.Fprintln(w, "cleanup")
	fmt.Println("working")
	if len(os.Args) > 5 {
		log.Fatal("too many arguments")
		return
	}
	if len(os.Args) < 5 {
		os.Exit(2)
		return
	}
}
