package hotdefer_test

import (
	"sync"
	"testing"
)

// The benchmarks compare a function whose two defers are stack-allocated (8 returns × 2
// defers > 15) with the same function after the split fix (one exit, open-coded defers)
// and with explicit unlocks. Run:
//
//	go test -run '^$' -bench Split -count 10 ./rules/hotdefer | benchstat -

var mu1, mu2 sync.Mutex

//go:noinline
func manyReturns(x int) int {
	mu1.Lock()
	//deferfix:ignore hotdefer the benchmark measures this stack-allocated form
	defer mu1.Unlock()
	mu2.Lock()
	defer mu2.Unlock()
	switch x & 7 {
	case 0:
		return 10
	case 1:
		return 11
	case 2:
		return 12
	case 3:
		return 13
	case 4:
		return 14
	case 5:
		return 15
	case 6:
		return 16
	}
	return 17
}

// split is manyReturns as the fix rewrites it.
//
//go:noinline
func split(x int) int {
	mu1.Lock()
	defer mu1.Unlock()
	mu2.Lock()
	defer mu2.Unlock()
	return func() int {
		switch x & 7 {
		case 0:
			return 10
		case 1:
			return 11
		case 2:
			return 12
		case 3:
			return 13
		case 4:
			return 14
		case 5:
			return 15
		case 6:
			return 16
		}
		return 17
	}()
}

//go:noinline
func explicit(x int) int {
	mu1.Lock()
	mu2.Lock()
	r := 17
	switch x & 7 {
	case 0:
		r = 10
	case 1:
		r = 11
	case 2:
		r = 12
	case 3:
		r = 13
	case 4:
		r = 14
	case 5:
		r = 15
	case 6:
		r = 16
	}
	mu2.Unlock()
	mu1.Unlock()
	return r
}

var sink int

func BenchmarkSplit(b *testing.B) {
	for _, c := range []struct {
		name string
		f    func(int) int
	}{{"stack-allocated", manyReturns}, {"split", split}, {"nodefer", explicit}} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				sink += c.f(i)
				i++
			}
		})
	}
}

// The explicit-calls fix for a hot function whose defer is open-coded already: a
// lock-guarded getter before and after the fix. Run:
//
//	go test -run '^$' -bench Explicit -count 10 ./rules/hotdefer | benchstat -

type cache struct {
	mu    sync.Mutex
	items map[int]int
}

//go:noinline
func (c *cache) lenDeferred() int {
	c.mu.Lock()
	//deferfix:ignore hotdefer the benchmark measures the open-coded form
	defer c.mu.Unlock()
	return len(c.items)
}

// lenExplicit is lenDeferred as the fix rewrites it.
//
//go:noinline
func (c *cache) lenExplicit() int {
	c.mu.Lock()
	n := len(c.items)
	c.mu.Unlock()
	return n
}

func BenchmarkExplicit(b *testing.B) {
	c := &cache{items: map[int]int{1: 1}}
	for _, f := range []struct {
		name string
		f    func() int
	}{{"open-coded", c.lenDeferred}, {"explicit", c.lenExplicit}} {
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				sink += f.f()
			}
		})
	}
}
