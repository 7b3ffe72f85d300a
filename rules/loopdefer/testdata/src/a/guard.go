// The guard form: what it writes for other releases, types and places, and where it
// gives way to the literal. Each body breaks out of its loop, so that the literal would
// need flags and the guard is the form that fits (forms.go has the order).

package a

import (
	"fmt"
	. "io"
	fsys "os"
	"sync"
)

type table struct {
	mu   sync.RWMutex
	rows map[string]int
}

// A read lock: the flag says so.
func sumRows(t *table, keys []string, weigh func(int) int) int {
	total := 0
	for _, k := range keys {
		t.mu.RLock()
		defer t.mu.RUnlock() // want `deferred RUnlock in loop body`
		if k == "" {
			break
		}
		total += weigh(t.rows[k])
	}
	return total
}

// An import under another name, and a dot import: the held values' types are written as
// the file names them.
func sizes(names []string) (int64, error) {
	var total int64
	for _, n := range names {
		f, err := fsys.Open(n)
		if err != nil {
			return 0, err
		}
		defer f.Close() // want `deferred Close in loop body`
		st, err := f.Stat()
		if err != nil {
			return 0, err
		}
		if st.IsDir() {
			break
		}
		total += st.Size()
	}
	return total, nil
}

func pipes(n int, feed func(*PipeWriter)) {
	for range n {
		_, w := Pipe()
		defer w.Close() // want `deferred Close in loop body`
		if w == nil {
			break
		}
		feed(w)
	}
}

// Nested loops: the guard goes before the outermost one; two loops get a flag each.
func nested(dirs, names []string, use func(*res)) {
	for _, d := range dirs {
		for _, n := range names {
			r, err := open(d + n)
			if err != nil {
				continue
			}
			defer r.Close() // want `deferred Close in loop body`
			use(r)
			if r.Empty() {
				break
			}
		}
	}
	for _, n := range names {
		r, _ := open(n)
		defer r.Close() // want `deferred Close in loop body`
		use(r)
		if r.Empty() {
			break
		}
	}
}

// In a switch clause: the guard goes there.
func inClause(mode int, names []string, use func(*res)) {
	switch mode {
	case 1:
		for _, n := range names {
			r, _ := open(n)
			defer r.Close() // want `deferred Close in loop body`
			use(r)
			if r.Empty() {
				break
			}
		}
	}
}

// A type parameter in a held value's type.
type box[T any] struct{ v T }

func (b *box[T]) Close() error { return nil }

func boxes[T any](vs []T, use func(*box[T]) bool) {
	for _, v := range vs {
		b := &box[T]{v}
		defer b.Close() // want `deferred Close in loop body`
		if !use(b) {
			break
		}
	}
}

// p's type is declared in the loop, so p cannot be copied before it: the guard holds
// the receiver the defer statement evaluates, p.r.
func localType(names []string, use func(*res)) {
	for _, n := range names {
		type pair struct{ r *res }
		r, _ := open(n)
		p := pair{r}
		defer p.r.Close() // want `deferred Close in loop body`
		use(p.r)
		if p.r.Empty() {
			break
		}
	}
}

// Literal instead: the release is a pointer method of a value declared in the loop; the
// guard would release a copy, or hold its address and move it to the heap.
type span struct{ open int }

func (s *span) start() { s.open++ }
func (s *span) end()   { s.open-- }
func trace(steps []func(*span)) {
	for _, step := range steps {
		var s span
		s.start()
		defer s.end() // want `defer in loop body`
		step(&s)
		if s.open > 1 {
			break
		}
	}
}

// Copying l would copy its lock: the guard holds the receiver, l.r, instead.
type lockedRes struct {
	mu sync.Mutex
	r  *res
}

func withLock(names []string, use func(*res)) {
	for _, n := range names {
		r, _ := open(n)
		l := lockedRes{r: r}
		defer l.r.Close() // want `deferred Close in loop body`
		use(l.r)
		if l.r.Empty() {
			break
		}
	}
}

// Literal instead: a goto in the function could jump over the guard's declaration, or
// back to before it.
func retry(names []string, use func(*res)) {
	tries := 0
again:
	tries++
	failed := false
	for _, n := range names {
		r, err := open(n)
		if err != nil {
			failed = true
			break
		}
		defer r.Close() // want `deferred Close in loop body`
		use(r)
	}
	if failed && tries < 3 {
		goto again
	}
}

// Literal instead: another defer in the loops around this one (here one that looks
// intended, so it is not reported); with two guards the calls would run in the order the
// guards were inserted on a panic, not in reverse order of the defers.
func layered(groups [][]string, done func(), use func(*res)) {
	for _, g := range groups {
		defer done() // intended: releases nothing
		for _, n := range g {
			r, _ := open(n)
			defer r.Close() // want `deferred Close in loop body`
			use(r)
			if r.Empty() {
				break
			}
		}
	}
}

type point struct{ x, y int }

// Composite literals of constants are returned as written: the release cannot change
// them. err, a local nothing else can reach, too; a call's result is held first.
func firstPoint(names []string, parse func(*res) (point, error)) (point, *point, error) {
	for _, n := range names {
		r, err := open(n)
		if err != nil {
			return point{}, &point{1, 2}, err
		}
		defer r.Close() // want `deferred Close in loop body`
		p, err := parse(r)
		if err != nil {
			return point{x: -1}, nil, err
		}
		if p.x > 0 {
			return p, nil, r.Err()
		}
	}
	return point{}, nil, nil
}

// Literal instead: the deferred function's type is declared in the loop.
func localFunc(names []string, use func(*res)) {
	for _, n := range names {
		type release func() error
		r, _ := open(n)
		var rel release = r.Close
		defer rel() // want `defer in loop body`
		use(r)
		if r.Empty() {
			break
		}
	}
}

// A receiver reached through a pointer field, a function value and a computed argument:
// the guard holds what the defer statement evaluates, and the explicit calls use it.
type conn struct{ body *res }

func dial(name string) (*conn, error) {
	r, err := open(name)
	return &conn{r}, err
}

func bodies(names []string, use func(*res)) error {
	for _, n := range names {
		c, err := dial(n)
		if err != nil {
			return err
		}
		defer c.body.Close() // want `deferred Close in loop body`
		use(c.body)
		if c.body.Empty() {
			break
		}
	}
	return nil
}

// remove is a function value, which may recover; use may panic: the literal form, unsafe
// (changes behaviour on panic).
func cleanups(names []string, remove func(string) error, use func(*res)) {
	for _, n := range names {
		r, _ := open(n)
		defer remove(r.Line()) // want `defer in loop body`
		use(r)
	}
}

// Literal instead: the deferred Close finishes a write and drops its error. In a literal
// closecheck can make the error count; explicit calls would drop it past its reach.
func writeAll(names []string, data func(string) []byte) error {
	for _, n := range names {
		f, err := fsys.Create(n)
		if err != nil {
			return err
		}
		defer f.Close() // want `deferred Close in loop body`
		if _, err := f.Write(data(n)); err != nil {
			return err
		}
	}
	return nil
}

// Literal instead: the value's type comes from a package this file does not import.
func readers(names []string, use func(Reader)) {
	for _, n := range names {
		rd := newReader(n)
		defer rd.Reset("") // want `defer in loop body`
		use(rd)
		if n == "" {
			break
		}
	}
}

// A variadic call whose arguments are computed: the guard holds the slice and passes it
// on with ..., and a value receiver reached through a pointer is copied, as the defer
// statement copies it.
func closeAll(rs ...*res) {
	for _, r := range rs {
		r.Close()
	}
}

type stats struct{ n int }

func (s stats) log() { println(s.n) }

func variadic(names []string, extra func() []*res, use func(*res, *stats)) {
	for _, n := range names {
		r, _ := open(n)
		defer closeAll(append(extra(), r)...) // want `defer in loop body`
		use(r, nil)
		if r.Empty() {
			break
		}
	}
	for _, n := range names {
		r, _ := open(n)
		st := &stats{}
		defer st.log() // want `defer in loop body`
		use(r, st)
		if r.Empty() {
			break
		}
	}
}

// Hygiene: the names the guard would like are taken.
func hygieneGuard(names []string, pending, held int, use func(*res) int) int {
	for _, n := range names {
		r, _ := open(n)
		defer r.Close() // want `deferred Close in loop body`
		pending += use(r)
		if r.Empty() {
			break
		}
	}
	return pending + held
}

// Literal instead: two defers and exits after them; every exit would repeat both calls.
func copyPairs(names []string, want string) (string, error) {
	for _, name := range names {
		in, err := open(name)
		if err != nil {
			return "", fmt.Errorf("open %s: %w", name, err)
		}
		defer in.Close() // want `deferred Close in loop body`
		if in.Empty() {
			continue
		}
		out, err := open(name + ".out")
		if err != nil {
			return "", err
		}
		defer out.Close() // want `deferred Close in loop body`
		if out.Has(want) {
			return out.Line(), nil
		}
	}
	return "", nil
}

// Literal instead: with 16 returns the guard would be stack-allocated (returns × defers >
// 15), and hotdefer would then move the whole function into a literal.
func manyReturns(names []string, k int) int {
	n := 0
	for _, name := range names {
		r, _ := open(name)
		defer r.Close() // want `deferred Close in loop body`
		n += len(r.Line())
		if r.Empty() {
			break
		}
	}
	switch k {
	case 0:
		return n
	case 1:
		return n + 1
	case 2:
		return n + 2
	case 3:
		return n + 3
	case 4:
		return n + 4
	case 5:
		return n + 5
	case 6:
		return n + 6
	case 7:
		return n + 7
	case 8:
		return n + 8
	case 9:
		return n + 9
	case 10:
		return n + 10
	case 11:
		return n + 11
	case 12:
		return n + 12
	case 13:
		return n + 13
	case 14:
		return n + 14
	}
	return -1
}

// Two defers and no exit after them: a flag each; at the end and in the guard the calls
// come in reverse order, as deferred calls run.
func copyEvery(names []string, copy func(in, out *res)) {
	for _, name := range names {
		in, err := open(name)
		if err != nil {
			break
		}
		defer in.Close() // want `deferred Close in loop body`
		out, _ := open(name + ".out")
		defer out.Close() // want `deferred Close in loop body`
		copy(in, out)
	}
}
