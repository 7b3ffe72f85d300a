// exitdefer with a deferred call whose code the rule cannot read (issue 10, class 8): a
// function of another package of the same module that exits. os.Exit(0) skipped it; in
// run() it would run before main's exit and replace the status 0 with 4.
package main

import (
	"bufio"
	"fmt"
	"os"

	"example.com/exitunseen/sub"
)

func main() {
	f, err := os.CreateTemp("", "exitunseen")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriter(f)
	defer w.Flush()
	defer sub.Shutdown()
	fmt.Fprintln(w, "data")
	fmt.Println("work done")
	os.Exit(0)
}
