// Deferred cancel functions (the standard library's corpus: net's exchange). A variable
// set only from context.WithDeadline holds a function of package context, which never
// recovers, so a call that may panic later in the iteration does not make the fix unsafe.
package f

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
