// Package die is a logging helper in another package: it always ends the program.
package die

import (
	"log"
	"os"
)

func Now(msg string) { log.Fatal(msg) } // want Now:"noReturn"

// Cleanup removes a temporary directory.
func Cleanup(dir string) { _ = os.RemoveAll(dir) } // want Cleanup:"lasting"
