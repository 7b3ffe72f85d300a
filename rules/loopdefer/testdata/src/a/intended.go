// Loops whose defers look intended: not reported by default (no want), reported with
// -all with the reason each "// intended:" comment quotes (TestAll).

package a

import (
	"fmt"
	"os"
	"sync"
)

// Intended: the resources are kept beyond the iteration.
func kept(names []string) []*res {
	var all []*res
	for _, n := range names {
		r, _ := open(n)
		defer r.Close() // intended: stored outside
		all = append(all, r)
	}
	return all
}

// Intended: the last resource is used after the loop.
func last(names []string) string {
	var r *res
	for _, n := range names {
		r, _ = open(n)
		defer r.Close() // intended: does nothing with r but acquire it
	}
	return r.Line()
}

// Intended: nothing acquired in the iteration is released; printing in reverse order at
// the function's return may be the point.
func reverse(n int) {
	for i := range n {
		defer fmt.Println(i) // intended: releases nothing
	}
}

// Intended: undo steps in reverse when the function returns.
func steps(undo []func()) {
	for _, u := range undo {
		defer u() // intended: releases nothing
	}
}

// Intended: the literal exists to hold every iteration's resource until the loop ends.
func holdAll(names []string) int {
	n := 0
	func() {
		for _, name := range names {
			r, _ := open(name)
			defer r.Close() // intended: does nothing with r but acquire it
			n++
		}
	}()
	return n
}

// Intended: the deferred call restores what the iteration sets after it; the settings are
// meant to last until the function returns.
func withEnv(env map[string]string, run func()) {
	for k, v := range env {
		old := os.Getenv(k)
		defer os.Setenv(k, old) // intended: undoes a change (Setenv)
		os.Setenv(k, v)
	}
	run()
}

// Intended: the deferred call restores what the iteration set before it; each directory
// stays read-only until the function returns (os's RemoveAll test needs that).
func readOnly(root string, dirs []string, remove func() error) error {
	for _, dir := range dirs {
		d := root + "/" + dir
		if err := os.Chmod(d, 0o555); err != nil {
			return err
		}
		defer os.Chmod(d, 0o777) // intended: undoes a change (Chmod)
	}
	return remove()
}

type option struct{ Hidden bool }

// Intended: the deferred literal restores what the iteration changed; the options stay
// hidden until the function returns (cobra's doc tests do this).
func hidden(opts map[string]*option, names []string, gen func()) {
	for _, name := range names {
		o := opts[name]
		o.Hidden = true
		defer func() { o.Hidden = false }() // intended: assigns o.Hidden
	}
	gen()
}

// Intended: nothing follows the defer in the iteration; every lock is held until the
// function returns.
func lockAll(mus []*sync.Mutex, critical func()) {
	for _, m := range mus {
		m.Lock()
		defer m.Unlock() // intended: nothing follows the defer
	}
	critical()
}

// Intended: the same, at the end of a switch clause.
func holdOpen(names []string, serve func()) {
	for _, name := range names {
		switch name {
		case "":
			continue
		default:
			f, err := os.Open(name)
			if err != nil {
				continue
			}
			defer f.Close() // intended: does nothing with f but acquire it
		}
	}
	serve()
}

// Intended: p wraps c and is kept after the loop, so c must stay open.
type wrapper struct{ r *res }

func wrap(r *res) *wrapper { return &wrapper{r} }

func keepWrapped(names []string) []*wrapper {
	var out []*wrapper
	for _, name := range names {
		c, err := open(name)
		if err != nil {
			continue
		}
		defer c.Close() // intended: stored outside
		p := wrap(c)
		out = append(out, p)
	}
	return out
}

// Intended: the deferred function is nil; the panic belongs at the return.
func nilDefer() {
	for i := 0; i < 1; i++ {
		var f func()
		defer f() // intended: at most one deferred call
	}
}
