// Package o grades what a skipped call loses by where the program exits. Outside test
// files a temporary file left behind by a failure exit stays a finding: users run this
// code.
package o

import (
	"log"
	"os"
)

func convert(tmp string) { // want convert:"lasting"
	defer os.Remove(tmp)
	if len(tmp) > 10 {
		log.Fatal("too long") // want `log.Fatal ends the program before the deferred os.Remove \(line 12\) runs, so the file or directory is left on disk`
	}
}
