// Package die is a logging helper in another package: it always ends the program.
package die

import "log"

func Now(msg string) { log.Fatal(msg) } // want Now:"noReturn"
