// Program returnbetween (found by cmd/divergence -unsafe, seed 1 case 585): between the
// defer and the error check, another statement returns with the resource valid. Moved
// after the check (deferbeforecheck, offered as unsafe because of the call in between),
// the Close no longer runs on that return: the resource leaks although nothing panics,
// which -unsafe does not allow.
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

func first(names []string, quick bool) (string, error) {
	for _, name := range names {
		r, err := open(name)
		defer r.Close()
		if quick {
			return name, fmt.Errorf("quick: %s", name)
		}
		if err != nil {
			continue
		}
	}
	return "", nil
}

func main() {
	fmt.Println(first([]string{"a", "bb"}, true))
	fmt.Println(first([]string{"", "bb"}, false))
	fmt.Println("held", held)
}
