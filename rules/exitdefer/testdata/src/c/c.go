package c

import (
	"die"
	"os"
)

// A helper of another package that always exits counts, through an analysis fact; so
// does a helper of another package that removes a directory.
func helper() { // want helper:"lasting"
	dir, err := os.MkdirTemp("", "c")
	if err != nil {
		return
	}
	defer die.Cleanup(dir)
	die.Now("bye") // want `die.Now ends the program before the deferred die.Cleanup \(line 15\) runs, so the file or directory is left on disk`
}
