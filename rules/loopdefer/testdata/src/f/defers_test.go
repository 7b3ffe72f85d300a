package f

import (
	"io"
	"os"
	"testing"
)

// A benchmark of deferring: the pile-up is what it measures.
func BenchmarkDeferMany(b *testing.B) {
	for i := 0; i < b.N; i++ {
		defer func(x int) { // intended: it measures what deferring costs
			if recover() != nil || x != 1 {
				panic("bad recover")
			}
		}(1)
	}
}

func BenchmarkDeferLoop(b *testing.B) {
	for b.Loop() {
		defer func() {}() // intended: it measures what deferring costs
	}
}

// A benchmark that opens a file per iteration measures the open: the files pile up.
func BenchmarkOpen(b *testing.B) {
	for i := 0; i < b.N; i++ {
		f, err := os.Open(os.Args[0])
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close() // want `deferred Close in loop body runs only when the function returns`
		io.Copy(io.Discard, f)
	}
}

var glob = 3

// The deferred call is there to stop the panic the test raises after the loop.
func TestRecoverOwnPanic(t *testing.T) {
	for {
		defer func() { // intended: the deferred call recovers the panic the function raises after the loop (line 52)
			if recover() != "boom" {
				t.Fatal("expected boom")
			}
		}()
		if glob > 2 {
			break
		}
	}
	panic("boom")
}

// Recovery per job, and no panic of its own: the first job's panic ends the loop.
func runJobs(jobs []func()) {
	for _, j := range jobs {
		defer func() { // want `defer in loop body runs only when the function returns`
			recover()
		}()
		j()
	}
}
