// A logger type that embeds *log.Logger and has its own Print: l.Fatal is the log
// package's, l.Print is not, so Fatal cannot become Print by name.
package main

import (
	"bufio"
	"fmt"
	"log"
	"os"
)

type logger struct{ *log.Logger }

func (logger) Print(v ...any) { fmt.Println("wrapper Print: the status is lost") }

func main() {
	l := logger{log.New(os.Stderr, "", 0)}
	// Buffered output that the exit loses (stderr: not compared); it makes the exit a finding.
	w := bufio.NewWriter(os.Stderr)
	defer w.Flush()
	fmt.Fprintln(w, "closing")
	fmt.Println("working")
	if len(os.Args) < 5 {
		l.Fatal("fatal")
	}
}
