// Package store makes handles; Make logs through a buffered writer whose flush fails.
package store

import (
	"bufio"
	"errors"
)

type failing struct{}

func (failing) Write(p []byte) (int, error) { return 0, errors.New("disk full") }

// Released counts the handles released.
var Released int

type H struct{ id int }

func (h *H) Close() {
	if h != nil {
		Released++
	}
}

// Make returns nil with every error it returns itself; closecheck's fix of the deferred
// Flush makes it return the handle with the flush's error.
func Make(id int) (*H, error) {
	bw := bufio.NewWriter(failing{})
	defer bw.Flush()
	bw.WriteString("making")
	if id%2 == 1 {
		return nil, errors.New("odd")
	}
	return &H{id}, nil
}
