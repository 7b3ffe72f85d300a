package a

import "os"

// Fine: Go 1.22 and later give each iteration its own variable.
func perIteration(names []string) {
	for _, name := range names {
		defer func() { os.Remove(name) }()
	}
}
