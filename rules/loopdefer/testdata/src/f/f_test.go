package f

import (
	"io"
	"os"
	"testing"
)

// The defer is on the path to t.Fatal only: at most one file waits for the test's end.
func TestMismatch(t *testing.T) {
	for _, name := range os.Args {
		if name == "mismatch" {
			f, err := os.Open(name)
			if err == nil {
				defer f.Close() // intended: every iteration that reaches the defer leaves the loop
				io.Copy(io.Discard, f)
			}
			t.Fatal("mismatch")
		}
	}
}

// t.Error does not end the test: every mismatch keeps its file open.
func TestMismatches(t *testing.T) {
	for _, name := range os.Args {
		if name == "mismatch" {
			f, err := os.Open(name)
			if err == nil {
				defer f.Close() // want `deferred Close in loop body runs only when the function returns`
				io.Copy(io.Discard, f)
			}
			t.Error("mismatch")
		}
	}
}
