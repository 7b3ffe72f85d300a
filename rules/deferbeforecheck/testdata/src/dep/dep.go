// Package dep returns resources; its functions' NilOnError facts reach importers.
package dep

import "errors"

type Res struct{ name string }

func (r *Res) Close() error { return nil } // want Close:"NilInert"

var errBad = errors.New("bad")

// Open returns nil with every error.
func Open(name string) (*Res, error) { // want Open:"NilOnError"
	if name == "" {
		return nil, errBad
	}
	return &Res{name}, nil
}

// Reopen forwards to Open.
func Reopen(name string) (*Res, error) { return Open(name) } // want Reopen:"NilOnError"

// Partial returns the resource together with an error: the caller must still close it.
func Partial(name string) (*Res, error) {
	r := &Res{name}
	if name == "" {
		return r, errBad
	}
	return r, nil
}

// Named returns through named results: not proven.
func Named(name string) (r *Res, err error) {
	r, err = Open(name)
	return
}
