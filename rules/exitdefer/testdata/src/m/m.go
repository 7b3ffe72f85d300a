// A deferred call that itself exits: in run it would run before main's os.Exit and
// replace the status, so the fix is refused.
package main

import (
	"os"
	"runtime/pprof"
)

func main() {
	defer pprof.StopCPUProfile()
	defer func() {
		if len(os.Args) > 5 {
			os.Exit(3)
		}
	}()
	if len(os.Args) > 1 {
		os.Exit(2) // want `os.Exit ends the program`
	}
}
