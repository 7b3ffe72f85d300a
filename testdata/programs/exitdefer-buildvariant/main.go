// A deferred call whose body differs between build configurations (issue 10, class 8):
// deferfix run with -tags quiet sees a cleanup that only prints; the program built
// without the tag defers one that exits with its own status. log.Fatal skipped it; run()
// would run it before main exits, and its status would replace log.Fatal's.
package main

import (
	"bufio"
	"fmt"
	"log"
	"os"
)

func main() {
	log.SetOutput(os.Stdout)
	log.SetFlags(0)
	// Buffered output that the exit loses (stderr: not compared); it makes the exit a finding.
	w := bufio.NewWriter(os.Stderr)
	defer w.Flush()
	fmt.Fprintln(w, "buffered")
	defer cleanup()
	fmt.Println("working")
	if len(os.Args) < 5 {
		log.Fatal("too few arguments")
	}
}
