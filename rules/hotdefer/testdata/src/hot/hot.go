// Package hot is profiled as hot everywhere (hotdefer_test writes the profile): every
// function below holds an open-coded defer in a hot function.
package hot

import (
	"errors"
	"sync"
)

var (
	mu    sync.Mutex
	count int
)

type Cache struct {
	mu    sync.Mutex
	items map[string]int
	list  []int
	inner *Cache
}

// Len: nothing after the defer can panic, so the explicit call is safe.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock() // want `Len is hot`
	return len(c.items)
}

// Get: a map read and locals returned as they are.
func (c *Cache) Get(k string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock() // want `Get is hot`
	v, ok := c.items[k]
	return v, ok
}

// Inc: no results; the call goes at the end.
func Inc() {
	mu.Lock()
	// Release the counter.
	defer mu.Unlock() // want `Inc is hot`
	count++
}

// Double: every return gets its call, a computed value is held first.
func Double(x int) int {
	mu.Lock()
	defer mu.Unlock() // want `Double is hot`
	if x < 0 {
		return 0
	}
	for i := 0; i < 3; i++ {
		if i == x {
			break // the loop's own break: not an exit
		}
	}
	return x * 2
}

// Stats: named results and a bare return.
func (c *Cache) Stats() (n int, err error) {
	c.mu.Lock()
	defer c.mu.Unlock() // want `Stats is hot`
	n = len(c.items)
	if n == 0 {
		err = errEmpty
	}
	return
}

var errEmpty = errors.New("empty")

// Both branches return: no call at the end.
func Sign(x int) int {
	mu.Lock()
	defer mu.Unlock() // want `Sign is hot`
	if x < 0 {
		return -1
	} else {
		return 1
	}
}

// At may index out of range: the fix is unsafe.
func (c *Cache) At(i int) int {
	c.mu.Lock()
	defer c.mu.Unlock() // want `At is hot`
	return c.list[i]
}

// Put writes to a map that may be nil: unsafe.
func (c *Cache) Put(k string, v int) {
	c.mu.Lock()
	defer c.mu.Unlock() // want `Put is hot`
	c.items[k] = v
}

// Deep goes through a pointer the defer did not dereference: unsafe.
func (c *Cache) Deep() int {
	c.mu.Lock()
	defer c.mu.Unlock() // want `Deep is hot`
	return len(c.inner.items)
}

// Compute calls a function, which may panic: unsafe; its results are held first.
func Compute(x int) (int, error) {
	mu.Lock()
	defer mu.Unlock() // want `Compute is hot`
	return divide(x)
}

func divide(x int) (int, error) {
	if x == 0 {
		return 0, errEmpty
	}
	return 100 / x, nil
}

type flag bool

// Same: a temporary would be a bool, not a flag; refused.
func Same(a, b int) flag {
	mu.Lock()
	defer mu.Unlock() // want `Same is hot`
	return a == b
}

func record(int) {}

// Changes: the deferred argument is n's value at the defer; refused.
func Changes(n int) int {
	defer record(n) // want `Changes is hot`
	n++
	return n
}

// Wrap: the deferred literal rewrites the named result; refused.
func Wrap() (err error) {
	defer func() { // want `Wrap is hot`
		if err != nil {
			err = errors.Join(errEmpty, err)
		}
	}()
	return nil
}

// Recovers: refused.
func Recovers() {
	defer func() { _ = recover() }() // want `Recovers is hot`
	count++
}

// Two defers: refused.
func Two() {
	mu.Lock()
	defer mu.Unlock() // want `Two is hot`
	defer record(1)
	count++
}

// Shadow: at the inner return, c is another variable; refused.
func Shadow(c, other *Cache) int {
	c.mu.Lock()
	defer c.mu.Unlock() // want `Shadow is hot`
	if other != nil {
		c := other
		return len(c.items)
	}
	return 0
}

// Jump: a goto reaches the return without the defer; refused.
func Jump(x int) int {
	if x > 0 {
		goto done
	}
	mu.Lock()
	defer mu.Unlock() // want `Jump is hot`
done:
	return x
}
