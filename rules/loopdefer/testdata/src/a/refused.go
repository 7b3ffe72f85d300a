package a

import (
	"context"
	"fmt"
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
		fmt.Println(r.Line())
	}
	return nil
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
		total += len(r.Line())
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

// Refused: the next iteration locks the same mutex again, and nothing follows the defer
// that could be scoped; the lock deadlocks, and the fix would release it at once.
func lockEach(mu *sync.Mutex, items []int) {
	for range items {
		mu.Lock()
		defer mu.Unlock() // want `deferred Unlock in loop body runs only when the function returns, so the next iteration.s lock deadlocks`
	}
}
