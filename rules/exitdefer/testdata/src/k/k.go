// Another build configuration declares run (k_windows.go): the new function takes
// another name.
package main

import (
	"fmt"
	"os"
)

func main() {
	defer fmt.Println("done")
	if len(os.Args) > 1 {
		os.Exit(2) // want `os.Exit ends the program`
	}
}
