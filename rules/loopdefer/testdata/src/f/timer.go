package f

import (
	"context"
	"time"
)

// A timer that fires once: the fallback starts at most once, as net's dialParallel
// starts its fallback racer.
func race(ctx context.Context, results chan error, start func(context.Context)) error {
	fallback := time.NewTimer(300 * time.Millisecond)
	defer fallback.Stop()
	for {
		select {
		case <-fallback.C:
			fctx, cancel := context.WithCancel(ctx)
			defer cancel() // intended: a timer that fires once
			go start(fctx)
		case err := <-results:
			if err == nil {
				return nil
			}
			if fallback.Stop() {
				fallback.Reset(0) // not fired yet: fire now instead
			}
		}
	}
}

// Reset without asking Stop: it fires again after each failure.
func raceAgain(ctx context.Context, results chan error, start func(context.Context)) error {
	retry := time.NewTimer(300 * time.Millisecond)
	defer retry.Stop()
	for {
		select {
		case <-retry.C:
			rctx, cancel := context.WithCancel(ctx)
			defer cancel() // want `defer in loop body runs only when the function returns`
			go start(rctx)
		case err := <-results:
			if err == nil {
				return nil
			}
			retry.Reset(time.Second)
		}
	}
}

// A ticker fires again and again.
func tick(ctx context.Context, start func(context.Context)) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			tctx, cancel := context.WithCancel(ctx)
			defer cancel() // want `defer in loop body runs only when the function returns`
			go start(tctx)
		case <-ctx.Done():
			return
		}
	}
}
