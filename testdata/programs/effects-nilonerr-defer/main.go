// NilOnError through a callee's defer (issue 10, class 5): with named results, a
// deferred call may set them after "return nil, err" — a literal, a function given their
// addresses — and a deferred recover returns what they held when the panic began. The
// value then comes back live with the error, and moving its release after the check
// drops a release the original made.
package main

import (
	"errors"
	"fmt"
)

var opened, closed int

type Res struct{ id int }

func (r *Res) Close() { closed++ }

func newRes(id int) *Res { opened++; return &Res{id} }

// A deferred literal sets the result after the return.
func viaLiteral(id int) (r *Res, err error) {
	defer func() {
		if err != nil {
			r = newRes(id)
		}
	}()
	if id%2 == 0 {
		return nil, errors.New("even")
	}
	return newRes(id), nil
}

func fallback(r **Res, err *error) {
	if *err != nil {
		*r = newRes(-1)
	}
}

// A deferred function given the results' addresses.
func viaPointer(id int) (r *Res, err error) {
	defer fallback(&r, &err)
	if id%2 == 0 {
		return nil, errors.New("even")
	}
	return newRes(id), nil
}

func check(id int) {
	if id%2 == 0 {
		panic("even")
	}
}

// A recovered panic returns the result assigned before it.
func viaRecover(id int) (r *Res, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("recovered: %v", p)
		}
	}()
	r = newRes(id)
	check(id)
	return r, nil
}

func useLiteral(id int) error {
	r, err := viaLiteral(id)
	defer r.Close()
	if err != nil {
		return err
	}
	return nil
}

func usePointer(id int) error {
	r, err := viaPointer(id)
	defer r.Close()
	if err != nil {
		return err
	}
	return nil
}

func useRecover(id int) error {
	r, err := viaRecover(id)
	defer r.Close()
	if err != nil {
		return err
	}
	return nil
}

func main() {
	for i := 0; i < 2; i++ {
		fmt.Println(useLiteral(i), usePointer(i), useRecover(i))
	}
	fmt.Println("opened", opened, "closed", closed)
}
