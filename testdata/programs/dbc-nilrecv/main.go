// Open returns nil with every error (NilOnError); Close on a nil *H does not panic and
// counts. The original counts 4 closes; after deferbeforecheck's move, 2.
package main

import (
	"errors"
	"fmt"
)

var closed int

type H struct{}

func (h *H) Close() { closed++ }

func open(id int) (*H, error) {
	if id%2 == 1 {
		return nil, errors.New("odd")
	}
	return &H{}, nil
}

func use(id int) error {
	h, err := open(id)
	defer h.Close()
	if err != nil {
		return err
	}
	return nil
}

func main() {
	for i := range 4 {
		use(i)
	}
	fmt.Println("closed", closed)
}
