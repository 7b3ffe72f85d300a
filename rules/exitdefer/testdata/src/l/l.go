// The file imports no os, and another build configuration declares os at package level:
// main could not import it there, so no fix.
package main

import (
	"fmt"
	"log"
)

func main() {
	defer fmt.Println("done")
	if true {
		log.Fatal("bye") // want `log.Fatal ends the program`
	}
}
