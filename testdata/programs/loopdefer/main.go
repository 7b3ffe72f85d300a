// Program loopdefer exercises every control-flow shape the loopdefer fix handles. It
// prints what it computes to stdout, which must not change when deferfix rewrites it, and
// the most resources held at once to stderr, which the rewrite must bring down to 1.
package main

import (
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

var held, maxHeld, outs int

type res struct {
	name   string
	closed bool
}

// misordered counts Closes of a resource whose ".out" partner, opened after it, was still
// open: deferred calls run in reverse, and a rewrite must keep that order.
var (
	opened     = map[string]*res{}
	misordered int
)

func open(name string) (*res, error) {
	if name == "" || strings.HasPrefix(name, "!") {
		return nil, fmt.Errorf("cannot open %q", name)
	}
	if strings.HasSuffix(name, ".out") {
		outs++ // a pair's second resource: counted apart, so max held stays per pair
	} else {
		held++
		maxHeld = max(maxHeld, held)
	}
	r := &res{name: name}
	opened[name] = r
	return r, nil
}

func (r *res) Close() error {
	if strings.HasSuffix(r.name, ".out") {
		outs--
	} else {
		held--
	}
	r.closed = true
	if out := opened[r.name+".out"]; out != nil && !out.closed {
		misordered++
	}
	return nil
}

func (r *res) Empty() bool       { return r.name == "-" }
func (r *res) Has(s string) bool { return strings.Contains(r.name, s) }

func count(names []string) int {
	n := 0
	for _, name := range names {
		r, err := open(name)
		if err != nil {
			continue
		}
		defer r.Close()
		n += len(r.name)
	}
	return n
}

func each(names []string) error {
	for _, name := range names {
		r, err := open(name)
		if err != nil {
			return fmt.Errorf("each: %w", err)
		}
		defer r.Close()
		if r.Empty() {
			return errors.New("each: empty")
		}
	}
	return nil
}

func find(names []string, want string) (string, int, error) {
	for i, n := range names {
		r, err := open(n)
		if err != nil {
			return "", i, err
		}
		defer r.Close()
		if r.Empty() {
			break
		}
		if r.Has(want) {
			return r.name, i, nil
		}
	}
	return "", -1, nil
}

func first(names []string) (line string, err error) {
	for _, n := range names {
		var r *res
		r, err = open(n)
		if err != nil {
			return
		}
		defer r.Close()
		if r.Has("x") {
			line = r.name
			return
		}
	}
	return
}

func grid(rows [][]string) (n int) {
outer:
	for _, row := range rows {
		for _, name := range row {
			r, err := open(name)
			if err != nil {
				continue outer
			}
			defer r.Close()
			if r.Empty() {
				break outer
			}
			n++
		}
	}
	return n
}

func seq(names []string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, n := range names {
			if !yield(n) {
				return
			}
		}
	}
}

func viaIterator(names []string) int {
	n := 0
	for name := range seq(names) {
		r, err := open(name)
		if err != nil {
			return -1
		}
		defer r.Close()
		if r.Empty() {
			break
		}
		n++
	}
	return n
}

func firstOf[T any](names []string, conv func(*res) T) (T, bool) {
	for _, n := range names {
		r, err := open(n)
		if err != nil {
			continue
		}
		defer r.Close()
		if !r.Empty() { // a loop that always returns here would run its defer once: intended
			return conv(r), true
		}
	}
	var zero T
	return zero, false
}

type file struct{ *os.File }

func openFile(name string) (file, error) {
	f, err := os.Open(name)
	if err != nil {
		return file{}, err
	}
	held++
	maxHeld = max(maxHeld, held)
	return file{f}, nil
}

func (f file) Close() error {
	held--
	return f.File.Close()
}

// sizes opens real files: the descriptors stay open until it returns.
func sizes(dir string, names []string) (int64, error) {
	var total int64
	for _, n := range names {
		f, err := openFile(filepath.Join(dir, n))
		if err != nil {
			return 0, err
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return 0, err
		}
		total += info.Size()
	}
	return total, nil
}

func report(what string, v ...any) {
	fmt.Printf("%-12s %v\n", what, fmt.Sprint(v...))
	if held != 0 || outs != 0 {
		fmt.Printf("%-12s leaked %d, %d outputs\n", what, held, outs)
	}
}

// lock counts as a held resource while locked; the defer-in-loop form holds it once per
// iteration (a sync.Mutex would deadlock instead).
type lock struct{}

func (*lock) Lock() {
	held++
	maxHeld = max(maxHeld, held)
}

func (*lock) Unlock() { held-- }

// tally gets explicit Unlock calls: nothing after the defer can panic.
func tally(l *lock, vals []int, limit int) (int, int) {
	total, seen := 0, 0
	for _, v := range vals {
		l.Lock()
		defer l.Unlock()
		seen++
		switch {
		case v < 0:
			continue
		case v > 2*limit:
			break // the switch's own
		case v == limit:
			return total, seen
		}
		if total > 10 {
			break
		}
		total += v
	}
	return total, seen
}

// survive panics in the middle of an iteration and recovers: every form releases the
// iteration's resource before the recovering call runs (the guard form from its defer
// before the loop).
func survive(names []string) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered %v with %d held", r, held)
		}
	}()
	for _, name := range names {
		r, err := open(name)
		if err != nil {
			return n, err
		}
		defer r.Close()
		if r.Has("boom") {
			panic(r.name)
		}
		n++
	}
	return n, nil
}

// quiet defers a function literal, which a guard would have to copy: it gets a literal
// scope per iteration instead.
func quiet(names []string) int {
	n := 0
	for _, name := range names {
		r, err := open(name)
		if err != nil {
			continue
		}
		defer func() { _ = r.Close() }()
		if r.Empty() {
			break
		}
		n += len(r.name)
	}
	return n
}

// pairs opens an input and its output per iteration and defers both Closes, with exits
// after them: a literal per iteration.
func pairs(names []string) (int, error) {
	n := 0
	for _, name := range names {
		in, err := open(name)
		if err != nil {
			return n, err
		}
		defer in.Close()
		if in.Empty() {
			continue
		}
		out, err := open(name + ".out")
		if err != nil {
			return n, err
		}
		defer out.Close()
		if out.Has("stop") {
			return n, nil
		}
		n++
	}
	return n, nil
}

// pairsAll has two defers and no exit after them: one guard with a flag each.
func pairsAll(names []string) (n int) {
	for _, name := range names {
		in, _ := open(name)
		defer in.Close()
		out, _ := open(name + ".out")
		defer out.Close()
		n += len(in.name) + len(out.name)
	}
	return n
}

type conn struct{ body *res }

// swap replaces the deferred receiver's field after the defer: the deferred call still
// closes what the defer statement evaluated, so the guard holds that value.
func swap(names []string) int {
	n := 0
	for _, name := range names {
		in, err := open(name)
		if err != nil {
			continue
		}
		c := &conn{body: in}
		defer c.body.Close()
		out, _ := open(name + ".out")
		c.body = out
		out.Close()
		n += len(c.body.name)
	}
	return n
}

func main() {
	names := []string{"alpha", "", "box", "-", "xenon", "!bad", "mix"}
	report("count", count(names))
	report("each", each([]string{"a", "b"}), " ", each([]string{"a", "!b"}), " ", each([]string{"a", "-"}))
	for _, want := range []string{"box", "zzz", "xen"} {
		s, i, err := find(slices.DeleteFunc(slices.Clone(names), func(s string) bool { return s == "" }), want)
		report("find "+want, s, " ", i, " ", err)
	}
	for _, in := range [][]string{{"a", "box"}, {"a", "!b", "x"}, {"a", "b"}} {
		line, err := first(in)
		report("first", line, " ", err)
	}
	report("grid", grid([][]string{{"a", "b"}, {"c", "!d", "e"}, {"f", "-", "g"}, {"h"}}))
	report("iterator", viaIterator([]string{"a", "b", "-", "c"}), " ", viaIterator([]string{"a", "!"}))
	v, ok := firstOf([]string{"!x", "yy", "zzz"}, func(r *res) int { return len(r.name) })
	report("firstOf", v, " ", ok)
	for _, vals := range [][]int{{1, -2, 3, 50, 4}, {1, 2, 9, 5}, {7, 8, 9, 1}} {
		total, seen := tally(&lock{}, vals, 4)
		report("tally", total, " ", seen)
	}

	for _, in := range [][]string{{"a", "b"}, {"a", "boom", "c"}, {"a", "!b"}} {
		n, err := survive(in)
		report("survive", n, " ", err)
	}
	report("quiet", quiet(names))
	for _, in := range [][]string{{"a", "b", "c"}, {"a", "-", "stop", "b"}, {"a", "!b"}} {
		n, err := pairs(in)
		report("pairs", n, " ", err, " misordered ", misordered)
	}
	report("pairsAll", pairsAll([]string{"a", "b", "c"}), " misordered ", misordered)
	report("swap", swap([]string{"a", "!b", "cc"}))

	dir, err := os.MkdirTemp("", "loopdefer")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	var files []string
	for i := range 20 {
		name := fmt.Sprintf("f%02d", i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Repeat("x", i)), 0o644); err != nil {
			panic(err)
		}
		files = append(files, name)
	}
	total, err := sizes(dir, files)
	report("sizes", total, " ", err)

	fmt.Fprintf(os.Stderr, "max held: %d\n", maxHeld)
}
