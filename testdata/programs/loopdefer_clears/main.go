// A closure clears err between the check and "return err": the function returns
// (0, nil) and stops at the first failure. The literal form must not read that nil as
// "go on with the next iteration".
package main

import (
	"errors"
	"fmt"
)

type res struct{ name string }

func open(name string) (*res, error) {
	if name == "" {
		return nil, errors.New("empty name")
	}
	return &res{name}, nil
}

func (r *res) Close() error {
	fmt.Println("close", r.name)
	return nil
}

func count(names []string) (int, error) {
	var err error
	reset := func() { err = nil }
	n := 0
	for _, name := range names {
		var f *res
		f, err = open(name)
		if err != nil {
			reset()
			return 0, err
		}
		if f.name != "-" {
			defer f.Close()
		}
		n++
	}
	return n, nil
}

func main() {
	fmt.Println(count([]string{"a", "", "b"}))
}
