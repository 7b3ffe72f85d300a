// A loop body with a defer and a type switch that binds its guard (x := v.(type)):
// loopdefer asked the guard's type, which it has none of, and crashed.
package main

import (
	"errors"
	"fmt"
)

var held int

type R struct{ id int }

func (r *R) Close() error { held--; return nil }

func open(id int) (*R, error) {
	if id < 0 {
		return nil, errors.New("neg")
	}
	held++
	return &R{id}, nil
}

func describe(vals []any) (out []string, err error) {
	for i, v := range vals {
		r, err := open(i)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		switch x := v.(type) {
		case int:
			out = append(out, fmt.Sprint("int ", x, " #", r.id))
		case string:
			out = append(out, "string "+x)
		}
	}
	return out, nil
}

func main() {
	fmt.Println(describe([]any{1, "a", 2.5}))
	fmt.Println("held", held)
}
