// Fatal resolves to (*log.Logger).Fatal through the embedded field, but Print on the
// wrapper is the wrapper's own: renaming Fatal to Print would call it, so no fix.
package main

import (
	"fmt"
	"log"
	"os"
	"runtime/pprof"
)

type logger struct{ *log.Logger }

func (logger) Print(v ...any) { fmt.Println("not the log package's Print") }

func main() {
	l := logger{log.New(os.Stderr, "", 0)}
	defer pprof.StopCPUProfile()
	if len(os.Args) > 1 {
		l.Fatal("bye") // want `l.Fatal ends the program`
	}
}
