package main

import (
	"bufio"
	"log"
	"os"
)

// res buffers its output: its Close flushes, so skipping it loses the output.
type res struct{ w *bufio.Writer }

func (r res) Close() error { return r.w.Flush() } // want Close:"lasting"

func main() {
	r := res{bufio.NewWriter(os.Stdout)}
	defer r.Close()
	if err := work(); err != nil {
		log.Fatalln("work:", err) // want `log.Fatalln ends the program`
	}
}

func work() error { return nil }
