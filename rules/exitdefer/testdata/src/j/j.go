// An exit followed by a return: the return is taken over, not left unreachable.
package main

import (
	"log"
	"os"
	"runtime/pprof"
)

type logger struct{ *log.Logger }

func main() {
	l := logger{log.New(os.Stderr, "", 0)}
	defer pprof.StopCPUProfile()
	if len(os.Args) > 1 {
		log.Fatal("bye") // want `log.Fatal ends the program`
		return
	}
	if len(os.Args) > 2 {
		l.Fatalf("bye %d", 2)
		// Never reached.
		return
	}
	switch len(os.Args) {
	case 3:
		os.Exit(4)
		return
	}
}
