// Another build configuration declares run (k_windows.go): the new function takes
// another name.
package main

import (
	"os"
	"runtime/pprof"
)

func main() {
	defer pprof.StopCPUProfile()
	if len(os.Args) > 1 {
		os.Exit(2) // want `os.Exit ends the program`
	}
}
