// A function that declares false for itself: the guard's "false" would be its
// variable, so the guard gives way to a function literal.
package d

import "sync"

type table struct {
	mu   sync.Mutex
	rows map[string]int
}

func sum(t *table, keys []string, weigh func(int) int) int {
	false := len(keys) > 100
	total := 0
	for _, k := range keys {
		t.mu.Lock()
		defer t.mu.Unlock() // want `deferred Unlock in loop body`
		if false {
			total++
		}
		total += weigh(t.rows[k])
	}
	return total
}
