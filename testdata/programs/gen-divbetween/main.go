// Program divbetween (found by cmd/divergence, seed 1 case 109): between the defer and
// the error check there is no call, but a division by zero panics. Deferred before it,
// the Close runs during the panic; moved after the check (deferbeforecheck), it never
// runs and the resource leaks.
package main

import (
	"errors"
	"fmt"
)

var held int

type res struct{ n int }

func open(name string) (*res, error) {
	if name == "" {
		return nil, errors.New("no name")
	}
	held++
	return &res{n: len(name)}, nil
}

func (r *res) Close() error {
	if r == nil {
		return errors.New("close of nil")
	}
	held--
	return nil
}

func ratio(name string, d int) (total int, err error) {
	r, err := open(name)
	defer r.Close()
	total = 100 / d
	if err != nil {
		return 0, err
	}
	return total + r.n, nil
}

func try(name string, d int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Println("recovered:", p)
		}
	}()
	fmt.Println(ratio(name, d))
}

func main() {
	try("a", 1)
	try("a", 0)
	fmt.Println("held", held)
}
