// Package c imports dep: facts decide across packages (dep.Open's proven fact is tested
// through package b's local copies; a fixed package here could not be built alone).
package c

import "dep"

// Refused: Partial returns a live resource with its error; the original closes it.
func partial(name string) error {
	r, err := dep.Partial(name)
	defer r.Close() // want `deferred Close is registered before err is checked`
	if err != nil {
		return err
	}
	return nil
}

// Refused: a bare return of named results is not proven.
func named(name string) error {
	r, err := dep.Named(name)
	defer r.Close() // want `deferred Close is registered before err is checked`
	if err != nil {
		return err
	}
	return nil
}
