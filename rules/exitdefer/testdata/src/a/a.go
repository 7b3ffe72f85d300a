// Command a writes a file and exits with a status.
package main

import (
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
	if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "too many arguments")
		os.Exit(2) // want `os.Exit ends the program without running the deferred calls pending here \(the defer on line 16\); 1 more exit in this function does the same`
	}
	if _, err := f.WriteString("hello\n"); err != nil {
		log.Fatalf("write: %v", err) // one finding per function: the first exit carries it
	}
	if len(os.Args) > 1 {
		return
	}
	fmt.Println("done")
}

// Reported without a fix: not main.
func helper(name string) {
	f, err := os.Open(name)
	if err != nil {
		return
	}
	defer f.Close()
	fail("bye") // want `fail ends the program without running the deferred calls`
}

func fail(msg string) { // want fail:"noReturn"
	log.Println(msg)
	os.Exit(1)
}

// Fine: the exit comes before any defer.
func early(name string) {
	if name == "" {
		os.Exit(1)
	}
	f, _ := os.Open(name)
	defer f.Close()
}

// Fine: the defer's branch returns before the exit.
func branch(name string, ok bool) {
	if ok {
		f, _ := os.Open(name)
		defer f.Close()
		return
	}
	os.Exit(1)
}

// Fine: log.Panic runs deferred calls.
func panics(name string) {
	f, _ := os.Open(name)
	defer f.Close()
	log.Panic("x")
}
