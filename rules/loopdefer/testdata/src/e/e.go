// The literal's results repeat the function's result types; a local type declared before
// the loop shadows T there, so the literal form is refused.
package e

import "errors"

type T struct{ n int }

type res struct{ ok bool }

func open(name string) (*res, error) {
	if name == "" {
		return nil, errors.New("empty name")
	}
	return &res{true}, nil
}

func (r *res) Close() error { return nil }

func find(names []string) (T, error) {
	var zero, found T
	type T = int
	var count T
	for _, name := range names {
		r, err := open(name)
		if err != nil {
			return zero, err
		}
		if r.ok {
			defer r.Close() // want `deferred Close in loop body`
		}
		if name == "x" {
			return found, nil
		}
		count++
	}
	found.n = count
	return found, nil
}
