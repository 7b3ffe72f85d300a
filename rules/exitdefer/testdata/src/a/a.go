// Command a writes a file and exits with a status.
package main

import (
	"bufio"
	"fmt"
	"log"
	"os"
)

// main writes out.txt.
func main() {
	f, err := os.Create("out.txt")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	defer w.Flush()
	if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "too many arguments")
		os.Exit(2) // want `os.Exit ends the program before the deferred w.Flush \(line 19\) runs, so its buffered output is lost; 1 more exit in this function does the same`
	}
	if _, err := w.WriteString("hello\n"); err != nil {
		log.Fatalf("write: %v", err) // one finding per function: the first exit carries it
	}
	if len(os.Args) > 1 {
		return
	}
	fmt.Println("done")
}

// Reported without a fix: not main.
func helper() { // want helper:"lasting"
	dir, err := os.MkdirTemp("", "a")
	if err != nil {
		return
	}
	defer os.RemoveAll(dir)
	fail("bye") // want `fail ends the program before the deferred os.RemoveAll \(line 39\) runs, so the file or directory is left on disk`
}

// Fine: closing a file opened for reading loses nothing at exit.
func readOnly(name string) {
	f, err := os.Open(name)
	if err != nil {
		return
	}
	defer f.Close()
	fail("bye")
}

func fail(msg string) { // want fail:"noReturn"
	log.Println(msg)
	os.Exit(1)
}

// Fine: the exit comes before any defer.
func early(w *bufio.Writer) { // want early:"lasting"
	if w == nil {
		os.Exit(1)
	}
	defer w.Flush()
}

// Fine: the defer's branch returns before the exit.
func branch(w *bufio.Writer, ok bool) { // want branch:"lasting"
	if ok {
		defer w.Flush()
		return
	}
	os.Exit(1)
}

// Fine: log.Panic runs deferred calls.
func panics(w *bufio.Writer) { // want panics:"lasting"
	defer w.Flush()
	log.Panic("x")
}
