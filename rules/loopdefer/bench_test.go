package loopdefer_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// The benchmarks compare a loop with a defer in its body, the same loop as loopdefer
// rewrites it (explicit calls when nothing can panic; a guard defer before the loop when
// something can; a literal called per iteration where no guard can be written), and the
// loop with an explicit release and no defer. Run: go test -run '^$' -bench Loop -benchmem -count 10 ./rules/loopdefer | benchstat -
// (see DEFER-COST.md for figures measured on this kind of machine).

type resource struct{ held *int }

var held int

//go:noinline
func acquire() resource {
	held++
	return resource{&held}
}

func (r resource) release() { *r.held-- }

//go:noinline
func use(r resource) int { return *r.held }

func deferInLoop(n int) (sum int) {
	for range n {
		r := acquire()
		defer r.release() //deferfix:ignore loopdefer the benchmark measures the defer in the loop
		sum += use(r)
	}
	return sum
}

// guarded is deferInLoop as the fix rewrites it: explicit release, one guard defer for
// panics (the call to use may panic).
func guarded(n int) (sum int) {
	var (
		pending bool
		held2   resource // held is taken
	)
	defer func() {
		if pending {
			held2.release()
		}
	}()
	for range n {
		r := acquire()
		held2, pending = r, true
		sum += use(r)
		pending = false
		r.release()
	}
	return sum
}

// wrapped is deferInLoop as the fix rewrites it where a guard cannot be written (several
// defers in the body, say): a literal per iteration.
func wrapped(n int) (sum int) {
	for range n {
		func() {
			r := acquire()
			defer r.release()
			sum += use(r)
		}()
	}
	return sum
}

func noDefer(n int) (sum int) {
	for range n {
		r := acquire()
		sum += use(r)
		r.release()
	}
	return sum
}

func BenchmarkLoop(b *testing.B) {
	for _, n := range []int{10, 1000, 100000} {
		for _, c := range []struct {
			name string
			f    func(int) int
		}{{"defer", deferInLoop}, {"guarded", guarded}, {"wrapped", wrapped}, {"nodefer", noDefer}} {
			b.Run(fmt.Sprintf("%s/N=%d", c.name, n), func(b *testing.B) {
				for b.Loop() {
					c.f(n)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/iter")
			})
		}
	}
}

// A body with a real critical section: Lock, then Unlock deferred. The defer-in-loop
// version deadlocks on its second iteration, so only the rewritten form and the
// explicit Unlock are compared.
var mu sync.Mutex

func wrappedLocked(n int) (sum int) {
	for range n {
		func() {
			mu.Lock()
			defer mu.Unlock()
			sum += use(resource{&held})
		}()
	}
	return sum
}

func guardedLocked(n int) (sum int) {
	var locked bool
	defer func() {
		if locked {
			mu.Unlock()
		}
	}()
	for range n {
		mu.Lock()
		locked = true
		sum += use(resource{&held})
		locked = false
		mu.Unlock()
	}
	return sum
}

func noDeferLocked(n int) (sum int) {
	for range n {
		mu.Lock()
		sum += use(resource{&held})
		mu.Unlock()
	}
	return sum
}

func BenchmarkLocked(b *testing.B) {
	for _, n := range []int{10, 1000, 100000} {
		for _, c := range []struct {
			name string
			f    func(int) int
		}{{"guarded", guardedLocked}, {"wrapped", wrappedLocked}, {"nodefer", noDeferLocked}} {
			b.Run(fmt.Sprintf("%s/N=%d", c.name, n), func(b *testing.B) {
				for b.Loop() {
					c.f(n)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/iter")
			})
		}
	}
}

// A counter under a lock: nothing after the defer can panic, so the fix writes explicit
// Unlock calls — the same code as the loop without a defer. The literal form (what the
// fix writes when a call follows the defer) is measured beside it.
var shared int

func literalCounter(n int) (sum int) {
	for i := range n {
		func() {
			mu.Lock()
			defer mu.Unlock()
			shared += i
			sum += shared
		}()
	}
	return sum
}

// explicitCounter is the loop as the fix rewrites it (and as it would be written without
// a defer).
func explicitCounter(n int) (sum int) {
	for i := range n {
		mu.Lock()
		shared += i
		sum += shared
		mu.Unlock()
	}
	return sum
}

func BenchmarkCounter(b *testing.B) {
	for _, n := range []int{10, 1000, 100000} {
		for _, c := range []struct {
			name string
			f    func(int) int
		}{{"literal", literalCounter}, {"explicit", explicitCounter}} {
			b.Run(fmt.Sprintf("%s/N=%d", c.name, n), func(b *testing.B) {
				for b.Loop() {
					c.f(n)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/iter")
			})
		}
	}
}

// The case loopdefer exists for: a file opened per iteration. The defer-in-loop form
// holds N descriptors at once (and at N=100000 would exceed the usual descriptor limit,
// so it stops at 1000 here).
func BenchmarkFiles(b *testing.B) {
	name := filepath.Join(b.TempDir(), "f")
	if err := os.WriteFile(name, []byte("x"), 0o644); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 1)
	forms := []struct {
		name string
		f    func(n int) error
	}{
		{"defer", func(n int) error {
			for range n {
				f, err := os.Open(name)
				if err != nil {
					return err
				}
				defer f.Close() //deferfix:ignore loopdefer the benchmark measures the defer in the loop
				if _, err := f.Read(buf); err != nil {
					return err
				}
			}
			return nil
		}},
		// As the fix writes it.
		{"guarded", func(n int) error {
			var (
				pending bool
				held    *os.File
			)
			defer func() {
				if pending {
					held.Close()
				}
			}()
			for range n {
				f, err := os.Open(name)
				if err != nil {
					return err
				}
				held, pending = f, true
				if _, err := f.Read(buf); err != nil {
					pending = false
					f.Close()
					return err
				}
				pending = false
				f.Close()
			}
			return nil
		}},
		{"wrapped", func(n int) error {
			for range n {
				if err := func() error {
					f, err := os.Open(name)
					if err != nil {
						return err
					}
					defer f.Close()
					if _, err := f.Read(buf); err != nil {
						return err
					}
					return nil
				}(); err != nil {
					return err
				}
			}
			return nil
		}},
		{"nodefer", func(n int) error {
			for range n {
				f, err := os.Open(name)
				if err != nil {
					return err
				}
				if _, err := f.Read(buf); err != nil {
					f.Close()
					return err
				}
				f.Close()
			}
			return nil
		}},
	}
	for _, n := range []int{10, 1000, 100000} {
		for _, c := range forms {
			if c.name == "defer" && n > 1000 {
				continue
			}
			b.Run(fmt.Sprintf("%s/N=%d", c.name, n), func(b *testing.B) {
				for b.Loop() {
					if err := c.f(n); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/iter")
			})
		}
	}
}
