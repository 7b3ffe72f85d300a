// Program elseifreturn (found by cmd/divergence, seed 1 case 667): the error check's
// else-if returns with the value valid. deferbeforecheck moves the Close after the whole
// if statement, so the else-if return no longer releases the resource.
package main

import (
	"errors"
	"fmt"
)

var held int

type res struct{ name string }

func open(name string) (*res, error) {
	if name == "" {
		return nil, errors.New("no name")
	}
	held++
	return &res{name: name}, nil
}

func (r *res) Close() error {
	if r == nil {
		return errors.New("close of nil")
	}
	held--
	return nil
}

func use(name string) (int, error) {
	r, err := open(name)
	defer r.Close()
	if err != nil {
		return 0, err
	} else if name == "skip" {
		return -1, nil
	}
	return len(r.name), nil
}

func main() {
	fmt.Println(use("a"))
	fmt.Println(use("skip"))
	fmt.Println(use(""))
	fmt.Println("held", held)
}
