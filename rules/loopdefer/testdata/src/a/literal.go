// The shapes of a.go with a second resource per iteration, released only if it opened: no
// guard fits a defer inside an if, so each iteration gets a function literal as its scope
// and control flow is translated.

package a

import (
	"errors"
	"fmt"
	"iter"
)

// Simple: no early exits.
func copyAll(names []string) int {
	n := 0
	for _, name := range names {
		in, _ := open(name)
		defer in.Close() // want `deferred Close in loop body`
		out, oerr := open(name + ".out")
		if oerr == nil {
			defer out.Close() // want `deferred Close in loop body`
		}
		n += len(in.Line()) + len(out.Line())
	}
	return n
}

// continue becomes return from the literal; the post statement still runs.
func copySkip(names []string) int {
	n := 0
	for i := 0; i < len(names); i++ {
		in, err := open(names[i])
		if err != nil {
			continue // skip bad names
		}
		defer in.Close() // want `deferred Close in loop body`
		out, oerr := open(names[i] + ".out")
		if oerr == nil {
			defer out.Close() // want `deferred Close in loop body`
		}
		n += len(in.Line() + out.Line())
	}
	return n
}

// The common error case.
func copyEach(names []string) error {
	for _, name := range names {
		in, err := open(name)
		if err != nil {
			return fmt.Errorf("open %s: %w", name, err)
		}
		defer in.Close() // want `deferred Close in loop body`
		out, err := open(name + ".out")
		if err != nil {
			return err
		}
		if !out.Empty() {
			defer out.Close() // want `deferred Close in loop body`
		}
		if in.Empty() || out.Empty() {
			return errors.New("empty")
		}
	}
	return nil
}

// The general form: break and returns with values.
func copyFind(names []string, want string) (string, int, error) {
	for i, n := range names {
		in, err := open(n)
		if err != nil {
			return "", i, err
		}
		defer in.Close() // want `deferred Close in loop body`
		out, oerr := open(n + ".out")
		if oerr == nil {
			defer out.Close() // want `deferred Close in loop body`
		}
		if in.Empty() {
			break
		}
		if in.Has(want) {
			return out.Line(), i, nil
		}
	}
	return "", -1, nil
}

// Named results and bare returns.
func copyFirst(names []string) (line string, err error) {
	for _, n := range names {
		var in, out *res
		in, err = open(n)
		if err != nil {
			return
		}
		defer in.Close() // want `deferred Close in loop body`
		out, err = open(n + ".out")
		if err != nil {
			return
		}
		if !out.Empty() {
			defer out.Close() // want `deferred Close in loop body`
		}
		line = in.Line() + out.Line()
		if line != "" {
			return
		}
	}
	return
}

// Labelled jumps to an outer loop.
func copyGrid(rows [][]string) int {
	n := 0
outer:
	for _, row := range rows {
		for _, name := range row {
			in, err := open(name)
			if err != nil {
				continue outer
			}
			defer in.Close() // want `deferred Close in loop body`
			out, oerr := open(name + ".out")
			if oerr == nil {
				defer out.Close() // want `deferred Close in loop body`
			}
			if in.Empty() {
				break outer
			}
			n += len(out.Line())
		}
	}
	return n
}

// Range over a function iterator.
func copySeq(seq iter.Seq[string]) int {
	n := 0
	for name := range seq {
		in, err := open(name)
		if err != nil {
			return -1
		}
		defer in.Close() // want `deferred Close in loop body`
		out, oerr := open(name + ".out")
		if oerr == nil {
			defer out.Close() // want `deferred Close in loop body`
		}
		n += len(in.Line() + out.Line())
	}
	return n
}

// Generics: the zero value of a type parameter.
func copyFirstOf[T any](names []string, conv func(in, out *res) T) (T, bool) {
	for _, n := range names {
		in, err := open(n)
		if err != nil {
			continue
		}
		defer in.Close() // want `deferred Close in loop body`
		out, oerr := open(n + ".out")
		if oerr == nil {
			defer out.Close() // want `deferred Close in loop body`
		}
		if !in.Empty() {
			return conv(in, out), true
		}
	}
	var zero T
	return zero, false
}

// Hygiene: names the rewrite would like to use are taken.
func copyHygiene(names []string) (int, error) {
	exit, brk, r0, ret, ctl, done, ok := 1, 2, 3, 4, 5, 6, true
	for _, n := range names {
		in, err := open(n)
		if err != nil {
			return exit + brk + r0 + ret + ctl + done, err
		}
		defer in.Close() // want `deferred Close in loop body`
		out, oerr := open(n + ".out")
		if oerr == nil {
			defer out.Close() // want `deferred Close in loop body`
		}
		if ok && in.Empty() && out.Empty() {
			break
		}
	}
	return 0, nil
}

// The loop's label is used only by jumps the rewrite turns into returns: it goes.
func copyLabelled(names []string) int {
	n := 0
	// Try every name.
names:
	for _, name := range names {
		in, err := open(name)
		if err != nil {
			continue names
		}
		defer in.Close() // want `deferred Close in loop body`
		out, oerr := open(name + ".out")
		if oerr == nil {
			defer out.Close() // want `deferred Close in loop body`
		}
		n += len(in.Line() + out.Line())
	}
	return n
}
