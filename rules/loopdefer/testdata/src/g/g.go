// Deferred cancel functions (the standard library's corpus: net's exchange). A variable
// set only from context.WithDeadline holds a function of package context, which never
// recovers, so a call that may panic later in the iteration does not make the fix unsafe.
package g

import (
	"context"
	"errors"
	"time"
)

type conn struct{ addr string }

func dial(ctx context.Context, network string) (*conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &conn{network}, nil
}

func exchange(ctx context.Context, networks []string) (string, error) {
	for _, network := range networks {
		ctx, cancel := context.WithDeadline(ctx, time.Now().Add(time.Second))
		defer cancel() // want `defer in loop body runs only when the function returns`

		c, err := dial(ctx, network)
		if err != nil {
			return "", err
		}
		if c.addr != "" {
			return c.addr, nil
		}
	}
	return "", errors.New("no answer")
}

// A cancel function that is also set from a parameter may be anything, and recover.
func fromParam(ctx context.Context, networks []string, stop context.CancelFunc) (*conn, error) {
	for _, network := range networks {
		dctx, cancel := context.WithCancel(ctx)
		if network == "" {
			cancel = stop
		}
		defer cancel() // want `defer in loop body runs only when the function returns`
		if c, err := dial(dctx, network); err == nil {
			return c, nil
		}
	}
	return nil, errors.New("no network")
}

type file struct{ name string }

func open(name string) (*file, error) {
	if name == "" {
		return nil, errors.New("no name")
	}
	return &file{name}, nil
}

func (f *file) Close() error { return nil }
func (f *file) ID() string   { return f.name }

// The defer stands inside if err == nil: the value is checked (pprof's fetch.go).
func firstID(names []string) string {
	for _, name := range names {
		if f, err := open(name); err == nil {
			defer f.Close() // want `deferred Close in loop body runs only when the function returns`
			if id := f.ID(); id != "" {
				return id
			}
		}
	}
	return ""
}

// err is set again before it is tested: f may be nil at the defer, so the fix is unsafe.
func reassigned(names []string) string {
	for _, name := range names {
		f, err := open(name)
		_, err = open(name + ".bak")
		if err == nil {
			defer f.Close() // want `deferred Close in loop body runs only when the function returns`
			if id := f.ID(); id != "" {
				return id
			}
		}
	}
	return ""
}

// The context made with cancel is kept outside the body for the next iterations to reuse
// (pgx's connectPreferred): it must stay open until the function returns, so the finding
// looks intended (reported only with -all).
func connectPreferred(octx context.Context, addrs []string) (*conn, error) {
	ctx := octx
	for i, a := range addrs {
		if i == 0 || addrs[i] != addrs[i-1] {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(octx, time.Second)
			defer cancel()
		}
		if c, err := dial(ctx, a); err == nil {
			return c, nil
		}
	}
	return nil, errors.New("no address")
}
