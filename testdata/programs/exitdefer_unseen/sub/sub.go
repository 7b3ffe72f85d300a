// Package sub ends the program from a function main defers.
package sub

import (
	"fmt"
	"os"
)

// Shutdown ends the program with its own status.
func Shutdown() {
	fmt.Println("shutdown")
	os.Exit(4)
}
