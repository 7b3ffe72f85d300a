// The split's literal repeats the result types after the head, where a local type
// shadows T: no fix.
package b

import (
	"errors"
	"sync"
)

var mu, wmu sync.Mutex

type T struct{ s string }

func lookup(key int) (T, error) {
	var zero T
	type T = string
	var name T = "lookup"
	mu.Lock()
	defer mu.Unlock() // want `defers in lookup are stack-allocated, not open-coded, because of 8 returns × 2 defers > 15`
	wmu.Lock()
	defer wmu.Unlock()
	switch key {
	case 1:
		return zero, nil
	case 2:
		return zero, nil
	case 3:
		return zero, nil
	case 4:
		return zero, nil
	case 5:
		return zero, nil
	case 6:
		return zero, nil
	}
	if key < 0 {
		return zero, errors.New(name)
	}
	return zero, nil
}
