// Package cold has defers that are not open-coded in functions no profile marks hot:
// nothing is reported without a profile (unless asked), nor with one that does not mark
// them.
package cold

import "sync"

var mu sync.Mutex

func f() {}

func nine() {
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
}

func kind(n int) (string, bool) {
	mu.Lock()
	defer mu.Unlock()
	defer f()
	switch n {
	case 0:
		return "zero", true
	case 1:
		return "one", true
	case 2:
		return "two", true
	case 3:
		return "three", true
	case 4:
		return "four", true
	case 5:
		return "five", true
	case 6:
		return "six", true
	}
	return "", false
}

// Open-coded and cold.
func small() int {
	mu.Lock()
	defer mu.Unlock()
	return 1
}
