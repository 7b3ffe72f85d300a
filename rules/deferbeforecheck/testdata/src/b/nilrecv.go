package b

var closed int

// A Counter counts its releases, a nil one's too.
type Counter struct{}

func (c *Counter) Close() { closed++ }

// A Guarded does nothing when nil.
type Guarded struct{ n int }

func (g *Guarded) Close() { // want Close:"NilInert"
	if g == nil {
		return
	}
	g.n--
}

func newCounter(ok bool) (*Counter, error) { // want newCounter:"NilOnError"
	if !ok {
		return nil, errBad
	}
	return &Counter{}, nil
}

func newGuarded(ok bool) (*Guarded, error) { // want newGuarded:"NilOnError"
	if !ok {
		return nil, errBad
	}
	return &Guarded{}, nil
}

// Refused: the original counts a release on the error path too, on a nil Counter.
func counted(ok bool) error {
	c, err := newCounter(ok)
	defer c.Close() // want `deferred Close is registered before err is checked`
	if err != nil {
		return err
	}
	return nil
}

// Fixed: a nil Guarded's Close does nothing.
func guarded(ok bool) error {
	g, err := newGuarded(ok)
	defer g.Close() // want `deferred Close is registered before err is checked`
	if err != nil {
		return err
	}
	return nil
}
