// The file imports no os, and another build configuration declares os at package level:
// main could not import it there, so no fix.
package main

import (
	"log"
	"runtime/pprof"
)

func main() {
	defer pprof.StopCPUProfile()
	if true {
		log.Fatal("bye") // want `log.Fatal ends the program`
	}
}
