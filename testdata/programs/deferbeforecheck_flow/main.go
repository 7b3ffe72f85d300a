// Moving a defer after its error check must cover every path: an else if that returns
// with the value valid, an else holding a defer of its own (their order), and a callee
// that returns a live value together with its error.
package main

import (
	"errors"
	"fmt"
)

var open int

type res struct{ name string }

func (r *res) Close() error {
	if r == nil {
		return nil
	}
	open--
	fmt.Println("close", r.name)
	return nil
}

// acquire returns nil with every error.
func acquire(name string) (*res, error) {
	if name == "" {
		return nil, errors.New("empty name")
	}
	open++
	return &res{name}, nil
}

// partial returns the resource together with its error: the caller must close it.
func partial(name string) (*res, error) {
	open++
	r := &res{name}
	if len(name) > 3 {
		return r, errors.New("name too long")
	}
	return r, nil
}

func quick(name string, fast bool) error {
	r, err := acquire(name)
	defer r.Close()
	if err != nil {
		return err
	} else if fast {
		return nil
	}
	fmt.Println("using", r.name)
	return nil
}

func ordered(name string) error {
	r, err := acquire(name)
	defer r.Close()
	if err != nil {
		return err
	} else {
		defer fmt.Println("done with", name)
	}
	fmt.Println("using", r.name)
	return nil
}

func long(name string) error {
	r, err := partial(name)
	defer r.Close()
	if err != nil {
		return err
	}
	fmt.Println("using", r.name)
	return nil
}

func main() {
	fmt.Println(quick("a", true), quick("b", false), quick("", false))
	fmt.Println(ordered("c"), ordered(""))
	fmt.Println(long("d"), long("toolong"))
	fmt.Println("open:", open)
}
