package c

import (
	"die"
	"os"
)

// A helper of another package that always exits counts, through an analysis fact.
func helper(name string) {
	f, err := os.Open(name)
	if err != nil {
		return
	}
	defer f.Close()
	die.Now("bye") // want `die.Now ends the program without running the deferred calls`
}
