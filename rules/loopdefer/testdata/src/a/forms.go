// The order of the forms, as a person would write them: explicit calls where nothing
// after the defer can panic; else the literal, when it only wraps the body; else the
// guard, which keeps the body's control flow as written; else the literal with flags.

package a

import (
	"fmt"
	"os"
	"sync"
)

type store struct {
	mu   sync.Mutex
	rows map[string]int
}

// Nothing after the defer can panic: explicit calls.
func (s *store) sum(keys []string) int {
	total := 0
	for _, k := range keys {
		s.mu.Lock()
		defer s.mu.Unlock() // want `deferred Unlock in loop body`
		total += s.rows[k]
	}
	return total
}

// weigh may panic, and the body only continues: the literal wraps it, comments in place
// (the one after the loop's { stays on the loop's line).
func (s *store) weighAll(keys []string, weigh func(int) int) int {
	total := 0
	for _, k := range keys { // in the caller's order
		// One key at a time.
		s.mu.Lock()
		defer s.mu.Unlock() // want `deferred Unlock in loop body`
		v, ok := s.rows[k]
		if !ok {
			continue // missing keys weigh nothing
		}
		total += weigh(v) // may panic
	}
	return total
}

// Every return is a non-nil error: the literal returns it.
func dumpAll(names []string, dump func(*os.File) error) error {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("dump: %w", err)
		}
		defer f.Close() // want `deferred Close in loop body`
		if err := dump(f); err != nil {
			return err
		}
	}
	return nil
}

// A break and a valued return: the literal would need flags, so the guard, named for
// what it holds and with a comment saying why it is there.
func findLine(names []string, match func(*os.File) (string, bool)) (string, error) {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return "", err
		}
		defer f.Close() // want `deferred Close in loop body`
		if name == "" {
			break
		}
		if line, ok := match(f); ok {
			return line, nil
		}
	}
	return "", nil
}

// The guard holds the receiver the defer statement evaluates (the pair's type is declared
// in the loop), but the calls at the exits are the deferred call as written: it is
// stable, so they equal it.
func pairs(names []string, use func(*os.File) bool) {
	for _, n := range names {
		type pair struct{ f *os.File }
		f, _ := os.Open(n)
		p := pair{f}
		defer p.f.Close() // want `deferred Close in loop body`
		if !use(p.f) {
			break
		}
	}
}
