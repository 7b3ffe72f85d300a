// The guard writes true and false, which another build configuration of this package
// declares for itself (c_plan9.go): the guard gives way to a
// function literal, which writes none of them.
package c

import "sync"

type table struct {
	mu   sync.Mutex
	rows map[string]int
}

func sum(t *table, keys []string, weigh func(int) int) int {
	total := 0
	for _, k := range keys {
		t.mu.Lock()
		defer t.mu.Unlock() // want `deferred Unlock in loop body`
		total += weigh(t.rows[k])
	}
	return total
}
