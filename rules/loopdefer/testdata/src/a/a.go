// The shapes of loop body a defer can sit in, each fixed with the first form that fits
// (forms.go): a literal that only wraps the body where no exit needs a flag, else a
// guard — explicit calls at every exit of the iteration and one defer before the loop for
// panics (literal.go has the same shapes where only a literal per iteration fits).

package a

import (
	"errors"
	"fmt"
	"iter"
	"os"
	"sync"
)

type res struct{ name string }

func open(name string) (*res, error) {
	if name == "" {
		return nil, errors.New("empty name")
	}
	return &res{name}, nil
}

func (r *res) Close() error    { return nil }
func (r *res) Empty() bool     { return r.name == "-" }
func (r *res) Line() string    { return r.name }
func (r *res) Has(string) bool { return true }
func (r *res) Err() error      { return nil }

// Simple: no early exits.
func count(names []string) int {
	n := 0
	for _, name := range names {
		r, _ := open(name)
		defer r.Close() // want `deferred Close in loop body runs only when the function returns`
		n += len(r.Line())
	}
	return n
}

// continue: the release goes before the jumps that leave the iteration after the defer.
func skip(names []string) int {
	n := 0
	for i := 0; i < len(names); i++ {
		r, err := open(names[i])
		if err != nil {
			continue // skip bad names
		}
		defer r.Close() // want `deferred Close in loop body`
		n += len(r.Line())
	}
	return n
}

// The common error case.
func each(names []string) error {
	for _, name := range names {
		r, err := open(name)
		if err != nil {
			return fmt.Errorf("open %s: %w", name, err)
		}
		defer r.Close() // want `deferred Close in loop body`
		if r.Empty() {
			return errors.New("empty")
		}
	}
	return nil
}

// The general form: break and returns with values.
func find(names []string, want string) (string, int, error) {
	for i, n := range names {
		r, err := open(n)
		if err != nil {
			return "", i, err
		}
		defer r.Close() // want `deferred Close in loop body`
		if r.Empty() {
			break
		}
		if r.Has(want) {
			return r.Line(), i, nil
		}
	}
	return "", -1, nil
}

// Named results and bare returns.
func first(names []string) (line string, err error) {
	for _, n := range names {
		var r *res
		r, err = open(n)
		if err != nil {
			return
		}
		defer r.Close() // want `deferred Close in loop body`
		line = r.Line()
		if line != "" {
			return
		}
	}
	return
}

// Labelled jumps to an outer loop.
func grid(rows [][]string) int {
	n := 0
outer:
	for _, row := range rows {
		for _, name := range row {
			r, err := open(name)
			if err != nil {
				continue outer
			}
			defer r.Close() // want `deferred Close in loop body`
			if r.Empty() {
				break outer
			}
			n++
		}
	}
	return n
}

var mu sync.Mutex

// A Lock with a deferred Unlock deadlocks on the second iteration.
func locked(items []int) int {
	sum := 0
	for _, it := range items {
		mu.Lock()
		defer mu.Unlock() // want `deferred Unlock in loop body runs only when the function returns, so the next iteration's lock deadlocks`
		sum += it
	}
	return sum
}

// Range over a function iterator.
func rangeFunc(seq iter.Seq[string]) int {
	n := 0
	for name := range seq {
		r, err := open(name)
		if err != nil {
			return -1
		}
		defer r.Close() // want `deferred Close in loop body`
		n += len(r.Line())
	}
	return n
}

// Generics: the zero value of a type parameter.
func firstOf[T any](names []string, conv func(*res) T) (T, bool) {
	for _, n := range names {
		r, err := open(n)
		if err != nil {
			continue
		}
		defer r.Close() // want `deferred Close in loop body`
		if !r.Empty() {
			return conv(r), true
		}
	}
	var zero T
	return zero, false
}

// Hygiene: names the rewrite would like to use are taken.
func hygiene(names []string) (int, error) {
	exit, brk, r0, ret, ctl, done, ok := 1, 2, 3, 4, 5, 6, true
	for _, n := range names {
		r, err := open(n)
		if err != nil {
			return exit + brk + r0 + ret + ctl + done, err
		}
		defer r.Close() // want `deferred Close in loop body`
		if ok && r.Empty() {
			break
		}
	}
	return 0, nil
}

// In a function literal passed as an argument.
func inLiteral(names []string) {
	run(func() {
		for _, n := range names {
			f, err := os.Open(n)
			if err != nil {
				return
			}
			defer f.Close() // want `deferred Close in loop body`
			fmt.Println(f.Name())
		}
	})
}

func run(f func()) { f() }

// Not findings: a defer in a literal called per iteration, and in a goroutine.
func fine(names []string) {
	for _, n := range names {
		func() {
			r, _ := open(n)
			defer r.Close()
		}()
		go func() {
			r, _ := open(n)
			defer r.Close()
		}()
	}
}

// A labelled loop: the guard goes before the label, the loop's comment stays with it.
func labelled(names []string) int {
	n := 0
	// Try every name.
names:
	for _, name := range names {
		r, err := open(name)
		if err != nil {
			continue names
		}
		defer r.Close() // want `deferred Close in loop body`
		if r.Empty() {
			break names
		}
		n += len(r.Line())
	}
	return n
}

// A repeat of the deferred call later in the body is a backstop, not an undo: the
// iteration removes its file itself, and the defer covers the return before that.
func scratch(dir string, n int) error {
	for i := range n {
		name := fmt.Sprintf("%s/%d", dir, i)
		if err := os.WriteFile(name, nil, 0o600); err != nil {
			return err
		}
		defer os.Remove(name) // intended: the iteration makes the deferred call itself
		if _, err := os.Stat(name); err != nil {
			return err
		}
		os.Remove(name)
	}
	return nil
}
