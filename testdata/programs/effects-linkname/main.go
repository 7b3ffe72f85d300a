// A deferred function declared without a body (go:linkname): what it does is not in
// the package's syntax. Here it exits with its own status: log.Fatal skipped it; run()
// would run it before main exits, and its status would replace log.Fatal's.
package main

import (
	"bufio"
	"fmt"
	"log"
	"os"
	_ "unsafe" // go:linkname

	_ "example.com/effectslinkname/lib"
)

//go:linkname cleanup example.com/effectslinkname/lib.Die
func cleanup()

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
