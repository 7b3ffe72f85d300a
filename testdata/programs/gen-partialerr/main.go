// Program partialerr (found by cmd/divergence, seed 1 case 5): a call may return a valid
// value together with a non-nil error. A Close deferred before the error check releases
// it on the error path too; moving the defer after the check (deferbeforecheck) leaks it.
package main

import (
	"errors"
	"fmt"
	"strings"
)

var held int

type res struct{ name string }

// open returns a usable resource and an error for a name starting with '?'
// (like a short read: the value is valid, the error says it is incomplete).
func open(name string) (*res, error) {
	if strings.HasPrefix(name, "!") {
		return nil, errors.New("cannot open " + name)
	}
	held++
	r := &res{name: name}
	if strings.HasPrefix(name, "?") {
		return r, errors.New("partial " + name)
	}
	return r, nil
}

func (r *res) Close() error {
	if r == nil {
		return errors.New("close of nil")
	}
	held--
	return nil
}

func use(name string) (n int, err error) {
	var r *res
	r, err = open(name)
	defer r.Close()
	if err != nil {
		return
	}
	return len(r.name), nil
}

func main() {
	for _, name := range []string{"a", "!x", "?p", "bb"} {
		n, err := use(name)
		fmt.Println(name, n, err, "held", held)
	}
}
