package b

import (
	"errors"
	"fmt"
	"os"
	"sync"
)

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

// Fixed: Open returns nil with every error.
func open(name string) error {
	r, err := Open(name)
	defer r.Close() // want `deferred Close is registered before err is checked`
	if err != nil {
		return err
	}
	return nil
}

// Fixed: Reopen forwards to Open.
func reopen(name string) error {
	r, err := Reopen(name)
	defer r.Close() // want `deferred Close is registered before err is checked`
	if err != nil {
		return err
	}
	return nil
}

// ViaLocals returns Open's results through the variables Open sets, and only Open.
func ViaLocals(name string) (*Res, error) { // want ViaLocals:"NilOnError"
	r, err := Open(name)
	return r, err
}

// Captured: a literal refers to err and may change it, so nothing is proven.
func Captured(name string) (*Res, error) {
	r, err := Open(name)
	func() { err = nil }()
	return r, err
}

// Fixed: ViaLocals has the fact.
func viaLocals(name string) error {
	r, err := ViaLocals(name)
	defer r.Close() // want `deferred Close is registered before err is checked`
	if err != nil {
		return err
	}
	return nil
}

// Refused: Captured has no fact.
func captured(name string) error {
	r, err := Captured(name)
	defer r.Close() // want `deferred Close is registered before err is checked`
	if err != nil {
		return err
	}
	return nil
}

type closer interface{ Close() error }

// OpenCloser forwards Open's *Res as an interface: a nil *Res is not a nil closer.
func OpenCloser(name string) (closer, error) { return Open(name) }

// Refused: OpenCloser's value is not nil with its error.
func openCloser(name string) error {
	c, err := OpenCloser(name)
	defer c.Close() // want `deferred Close is registered before err is checked`
	if err != nil {
		return err
	}
	return nil
}

// Refused: Partial returns a live resource with its error; the original closes it.
func partial(name string) error {
	r, err := Partial(name)
	defer r.Close() // want `deferred Close is registered before err is checked`
	if err != nil {
		return err
	}
	return nil
}

// Refused: a bare return of named results is not proven.
func named(name string) error {
	r, err := Named(name)
	defer r.Close() // want `deferred Close is registered before err is checked`
	if err != nil {
		return err
	}
	return nil
}

// Refused: the else if returns with the file valid; after the if the defer would not
// have run there.
func elseIf(name string, quick bool) error {
	f, err := os.Open(name)
	defer f.Close() // want `deferred Close is registered before err is checked`
	if err != nil {
		return err
	} else if quick {
		return nil
	}
	fmt.Println(f.Name())
	return nil
}

// Fixed into the else block, ahead of the defer there: the order is kept.
func elseBlock(name string, mu *sync.Mutex) error {
	f, err := os.Open(name)
	defer f.Close() // want `deferred Close is registered before err is checked`
	if err != nil {
		return err
	} else {
		mu.Lock()
		defer mu.Unlock()
		return nil
	}
}
