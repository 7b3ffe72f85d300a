// The literal form must not re-read state that a call may write between the check and
// the return.
package b

import "errors"

type res struct{ name string }

func open(name string) (*res, error) {
	if name == "" {
		return nil, errors.New("empty name")
	}
	return &res{name}, nil
}

func (r *res) Close() error { return nil }

// reset clears err between the check and return err: the original returns (0, nil) and
// stops the loop; the error shape would read the nil as "continue". The flags shape
// returns the value as it was at the return.
func clears(names []string) (int, error) {
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
			defer f.Close() // want `deferred Close in loop body`
		}
		n++
	}
	return n, nil
}

// Refused: the literal's parameter (what loopcapture writes for a captured loop
// variable) is the deferred call's own, not something the iteration acquired; the call
// may be meant to run at the function's return.
func params(names []string) int {
	n := 0
	for _, name := range names {
		defer func(name string) { println(name) }(name) // intended: releases nothing acquired in this iteration
		n += len(name)
	}
	return n
}
