package a

import "sync"

// Bodies in which nothing after the defer can panic get explicit calls instead of a
// literal: the release goes before every exit and at the end of the iteration.

type counter struct {
	mu sync.Mutex
	n  map[string]int
	hi int
}

// Every exit kind: continue, break, a labelled continue of the outer loop, a return.
func tally(cs []*counter, keys []string, limit int) int {
	total := 0
outer:
	for _, k := range keys {
		for _, c := range cs {
			c.mu.Lock()
			// Held while we read.
			defer c.mu.Unlock() // want `deferred Unlock in loop body`
			v, ok := c.n[k]
			switch {
			case !ok:
				continue
			case v < 0:
				break // the switch's own break: not an exit
			case v > limit:
				continue outer
			case v == limit:
				return total
			}
			if total > 1000 {
				break
			}
			total += v
			if v > c.hi {
				c.hi = v
			}
		}
	}
	return total
}

// A returned value the release could change is held first.
func firstHigh(cs []*counter) int {
	for _, c := range cs {
		c.mu.Lock()
		defer c.mu.Unlock() // want `deferred Unlock in loop body`
		if c.hi > 0 {
			return c.hi
		}
	}
	return 0
}

// A returned value held first keeps its trailing comment on its line: the comment
// describes the value, not the release that now comes between.
func firstLow(cs []*counter) int {
	for _, c := range cs {
		c.mu.Lock()
		defer c.mu.Unlock() // want `deferred Unlock in loop body`
		if c.hi < 0 {
			return -c.hi // the deficit
		}
	}
	return 0
}

// A call after the defer may panic: a guard defer before the loop keeps the release on
// that path.
func mayPanic(cs []*counter, f func(int) int) int {
	total := 0
	for _, c := range cs {
		c.mu.Lock()
		defer c.mu.Unlock() // want `deferred Unlock in loop body`
		total += f(c.hi)
	}
	return total
}
