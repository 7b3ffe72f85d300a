package a

import (
	"context"
	"fmt"
	"os"
	"sync"
)

// Refused: the deferred call recovers.
func recovers(items []func()) {
	for _, f := range items {
		defer func() { // want `defer in loop body`
			if r := recover(); r != nil {
				fmt.Println("recovered", r)
			}
		}()
		f()
	}
}

// Refused: the deferred closure writes a named result.
func namedResult(names []string) (err error) {
	for _, n := range names {
		r, _ := open(n)
		defer func() { // want `defer in loop body`
			if cerr := r.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}()
	}
	return nil
}

// Refused: the resources are kept beyond the iteration.
func kept(names []string) []*res {
	var all []*res
	for _, n := range names {
		r, _ := open(n)
		defer r.Close() // want `deferred Close in loop body`
		all = append(all, r)
	}
	return all
}

// Refused: goto leaves the body.
func jumps(names []string) {
	for _, n := range names {
		r, _ := open(n)
		defer r.Close() // want `deferred Close in loop body`
		if r.Empty() {
			goto done
		}
	}
done:
}

// Refused: the deferred closure reads total, which changes after the iteration.
func later(names []string) {
	total := 0
	for _, n := range names {
		r, _ := open(n)
		defer func() { // want `defer in loop body`
			r.Close()
			fmt.Println(total)
		}()
		total++
	}
}

// Refused: the last resource is used after the loop.
func last(names []string) string {
	var r *res
	for _, n := range names {
		r, _ = open(n)
		defer r.Close() // want `deferred Close in loop body`
	}
	return r.Line()
}

// Refused: nothing acquired in the iteration is released; printing in reverse order at
// the function's return may be the point.
func reverse(n int) {
	for i := range n {
		defer fmt.Println(i) // want `defer in loop body`
	}
}

// Refused: undo steps in reverse when the function returns.
func steps(undo []func()) {
	for _, u := range undo {
		defer u() // want `defer in loop body`
	}
}

// Refused: the context the deferred cancel belongs to is handed to a goroutine, which
// must keep running until the function returns (net.dialParallel's fallback racer).
func racer(ctx context.Context, tries int, start func(context.Context)) {
	for range tries {
		rctx, cancel := context.WithCancel(ctx)
		defer cancel() // want `defer in loop body`
		go start(rctx)
	}
}

// Refused: the literal exists to hold every iteration's resource until the loop ends.
func holdAll(names []string) int {
	n := 0
	func() {
		for _, name := range names {
			r, _ := open(name)
			defer r.Close() // want `deferred Close in loop body`
			n++
		}
	}()
	return n
}

// Refused: the deferred call restores what the iteration sets after it; the settings are
// meant to last until the function returns.
func withEnv(env map[string]string, run func()) {
	for k, v := range env {
		old := os.Getenv(k)
		defer os.Setenv(k, old) // want `defer in loop body`
		os.Setenv(k, v)
	}
	run()
}

// Refused: the deferred call restores what the iteration set before it; each directory
// stays read-only until the function returns (os's RemoveAll test needs that).
func readOnly(root string, dirs []string, remove func() error) error {
	for _, dir := range dirs {
		d := root + "/" + dir
		if err := os.Chmod(d, 0o555); err != nil {
			return err
		}
		defer os.Chmod(d, 0o777) // want `defer in loop body`
	}
	return remove()
}

type option struct{ Hidden bool }

// Refused: the deferred literal restores what the iteration changed; the options stay
// hidden until the function returns (cobra's doc tests do this).
func hidden(opts map[string]*option, names []string, gen func()) {
	for _, name := range names {
		o := opts[name]
		o.Hidden = true
		defer func() { o.Hidden = false }() // want `defer in loop body`
	}
	gen()
}

// Refused: nothing follows the defer in the iteration; every lock is held until the
// function returns.
func lockAll(mus []*sync.Mutex, critical func()) {
	for _, m := range mus {
		m.Lock()
		defer m.Unlock() // want `deferred Unlock in loop body runs only when the function returns, so every iteration.s lock is held until then`
	}
	critical()
}

// Refused: the same, at the end of a switch clause.
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
			defer f.Close() // want `deferred Close in loop body`
		}
	}
	serve()
}

// Refused: p wraps c and is kept after the loop, so c must stay open.
type wrapper struct{ r *res }

func wrap(r *res) *wrapper { return &wrapper{r} }

func keepWrapped(names []string) []*wrapper {
	var out []*wrapper
	for _, name := range names {
		c, err := open(name)
		if err != nil {
			continue
		}
		defer c.Close() // want `deferred Close in loop body`
		p := wrap(c)
		out = append(out, p)
	}
	return out
}

// Refused: the deferred function is nil; the panic belongs at the return.
func nilDefer() {
	for i := 0; i < 1; i++ {
		var f func()
		defer f() // want `defer in loop body`
	}
}
