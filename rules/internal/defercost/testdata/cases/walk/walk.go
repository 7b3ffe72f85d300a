// Package walk has callbacks for the cases of another package (facts).
package walk

// Tree is a generic tree, as nats-server's stree.SubjectTree.
type Tree[T any] struct {
	kids []*Tree[T]
	v    T
}

// Each calls cb on every value: cb is only compared with nil and called, or passed on to
// a method that only calls it.
func (t *Tree[T]) Each(cb func(T) bool) bool {
	if t == nil || cb == nil {
		return true
	}
	return t.each(cb)
}

func (t *Tree[T]) each(cb func(T) bool) bool {
	if !cb(t.v) {
		return false
	}
	for _, k := range t.kids {
		if !k.each(cb) {
			return false
		}
	}
	return true
}

var kept []func()

// Keep keeps fn: it escapes.
func Keep(fn func()) { kept = append(kept, fn) }

// Visit calls fn.
func Visit(n int, fn func(int)) {
	for i := range n {
		fn(i)
	}
}
