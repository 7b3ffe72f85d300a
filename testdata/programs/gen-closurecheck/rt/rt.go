// Package rt is the runtime of generated cases (written by cmd/divergence).
package rt

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Verbose sends events to stdout (compared exactly); otherwise to stderr.
var Verbose bool

var (
	Held, MaxHeld, seq, doubles, misordered int
	open_                                   []*Res
	released                                []string
)

func Logf(format string, args ...any) { fmt.Printf(format+"\n", args...) }

func Event(format string, args ...any) {
	if Verbose {
		fmt.Printf(format+"\n", args...)
	} else {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	}
}

type Res struct {
	Name     string
	N        int
	id       int
	closedAt int
	closed   bool
}

// Open fails for "" and names starting with '!'; a name starting with '?' gives a valid
// resource together with an error.
func Open(name string) (*Res, error) {
	if name == "" || name[0] == '!' {
		Event("open %s: fail", name)
		return nil, errors.New("cannot open " + name)
	}
	r := open(name)
	if name[0] == '?' {
		return r, errors.New("partial " + name)
	}
	return r, nil
}

func open(name string) *Res {
	seq++
	Held++
	MaxHeld = max(MaxHeld, Held)
	r := &Res{Name: name, N: len(name), id: seq}
	open_ = append(open_, r)
	Event("open %s held=%d", name, Held)
	return r
}

// Close of a nil *Res does nothing: a cleanup deferred before its error check then
// behaves the same when moved after it, and only real changes show.
func (r *Res) Close() error {
	if r == nil {
		return errors.New("close of nil")
	}
	Event("close %s", r.Name)
	if r.closed {
		doubles++
		return errors.New("close " + r.Name + ": already closed")
	}
	seq++
	r.closedAt = seq
	r.closed = true
	Held--
	released = append(released, r.Name)
	if strings.Contains(r.Name, "E") {
		return errors.New("close " + r.Name + ": failed")
	}
	return nil
}

// CloseRecover closes r and stops a panic on the way (a recovering method of another package).
func (r *Res) CloseRecover() {
	if p := recover(); p != nil {
		Logf("recovered in close %s: %v", r.Name, p)
	}
	r.Close()
}

func (r *Res) Inc()      { r.N++ }
func (r Res) Show()      { Event("show %s n=%d", r.Name, r.N) }
func (r Res) Value() int { return r.N }
func Release(r *Res)     { r.Close() }

// Tag closes r and records the value its caller passed.
func Tag(r *Res, v any) {
	released = append(released, fmt.Sprintf("tag %s=%v", r.Name, v))
	r.Close()
}

// Note records a value a deferred call evaluated, in the release multiset.
func Note(format string, args ...any) {
	released = append(released, fmt.Sprintf(format, args...))
	Event(format, args...)
}

type Closer interface{ Close() error }

type Lock struct {
	Name  string
	depth int
}

func (l *Lock) Lock() { l.depth++; Event("lock %s depth=%d", l.Name, l.depth) }
func (l *Lock) Unlock() {
	l.depth--
	Event("unlock %s depth=%d", l.Name, l.depth)
	Note("unlock %s", l.Name)
}

// W logs what is written to it.
type W struct{ Name string }

func (w *W) Write(p []byte) (int, error) {
	Event("write %s %q", w.Name, p)
	return len(p), nil
}

// End prints what the case left behind and resets the state. Closes out of LIFO order
// count pairs of resources both closed, whose lifetimes overlap, the earlier opened
// closed first (a leaked resource does not count: its leak shows in held).
func End(name string) {
	for _, r := range open_ {
		for _, o := range open_ {
			if o.id > r.id && r.closed && o.closed && o.id < r.closedAt && r.closedAt < o.closedAt {
				misordered++
			}
		}
	}
	sort.Strings(released)
	Logf("--- %s held=%d doubles=%d misordered=%d released=%v", name, Held, doubles, misordered, released)
	Held, MaxHeld, seq, doubles, misordered = 0, 0, 0, 0, 0
	open_, released = nil, nil
	Verbose = false
}
