package cases

import (
	"iter"
	"slices"
)

// Range-over-func loops: the body is a closure (cmd/compile/internal/rangefunc). A return
// with values in it assigns the function's results there, and a named result it mentions
// is captured; when the closure escapes (the iterator is an opaque function value) the
// results move to the heap and no defer is open-coded.

func rangeReturn(seq iter.Seq[int]) int { // a return with a value, opaque iterator
	defer f()
	for x := range seq {
		if x > 0 {
			return x
		}
	}
	return 0
}

func rangeReturnAfter(seq iter.Seq[int]) int { // the defer after the loop too
	for x := range seq {
		if x > 0 {
			return x
		}
	}
	defer f()
	return 0
}

func rangeBareReturn(seq iter.Seq[int]) (r int) { // a bare return assigns nothing: open-coded
	defer f()
	for x := range seq {
		if x > 0 {
			return
		}
	}
	return 5
}

func rangeReadsResult(seq iter.Seq[int]) (r int) { // mentions r: captured
	defer f()
	n := 0
	for x := range seq {
		n += x + r
	}
	_ = n
	return
}

func rangeInlined(s []int) int { // slices.Values is inlined: the closure stays on the stack
	defer f()
	for x := range slices.Values(s) {
		if x > 0 {
			return x
		}
	}
	return 0
}

type tree struct {
	l, r *tree
	n    int
	seq  iter.Seq[int]
}

func (t *tree) walk(yield func(int) bool) bool {
	if t == nil {
		return true
	}
	return t.l.walk(yield) && yield(t.n) && t.r.walk(yield)
}

func (t *tree) All() iter.Seq[int] {
	return func(yield func(int) bool) { t.walk(yield) }
}

func (t *tree) each(yield func(int) bool) { t.walk(yield) }

func rangeMethod(t *tree) int { // the package's iterator: yield only called, passed on
	defer f()
	for x := range t.All() {
		if x > 0 {
			return x
		}
	}
	return 0
}

func rangeMethodValue(t *tree) int {
	defer f()
	for x := range t.each {
		if x > 0 {
			return x
		}
	}
	return 0
}

func rangeLocal(t *tree) int {
	defer f()
	seq := t.All()
	for x := range seq {
		if x > 0 {
			return x
		}
	}
	return 0
}

func rangeField(t *tree) int { // a field: opaque
	defer f()
	for x := range t.seq {
		if x > 0 {
			return x
		}
	}
	return 0
}

var yieldSink func(int) bool

func storing() iter.Seq[int] {
	return func(yield func(int) bool) { yieldSink = yield }
}

func rangeStoring() int { // the iterator keeps yield: the closure escapes
	defer f()
	for x := range storing() {
		if x > 0 {
			return x
		}
	}
	return 0
}

// The body's returns are the closure's; the outer function gets one return per
// outermost loop that holds any: 5 + 1 returns × 2 defers = 12, open-coded.
func rangeReturnsCount(s []int, k int) int {
	defer f()
	defer f()
	switch k {
	case 1:
		return 1
	case 2:
		return 2
	case 3:
		return 3
	case 4:
		return 4
	}
	for x := range slices.Values(s) {
		switch x {
		case 1:
			return 1
		case 2:
			return 2
		case 3:
			return 3
		}
	}
	return 0
}

// 6 + 1 returns × 2 defers = 14 (the nested loop adds none): open-coded.
func rangeNestedCount(s []int, k int) int {
	defer f()
	defer f()
	switch k {
	case 1:
		return 1
	case 2:
		return 2
	case 3:
		return 3
	case 4:
		return 4
	case 5:
		return 5
	}
	for x := range slices.Values(s) {
		for y := range slices.Values(s) {
			if x > y {
				return 1
			}
		}
	}
	return 0
}

// 7 + 1 returns × 2 defers = 16: stack-allocated.
func rangeCountOver(s []int, k int) int {
	defer f()
	defer f()
	switch k {
	case 1:
		return 1
	case 2:
		return 2
	case 3:
		return 3
	case 4:
		return 4
	case 5:
		return 5
	case 6:
		return 6
	}
	for x := range slices.Values(s) {
		if x > 0 {
			return 1
		}
	}
	return 0
}

// Named results captured by closures other than range bodies.
func capturedCalled() (r int) { // a local literal only called: r stays on the stack
	defer f()
	g := func() { r++ }
	g()
	return
}

func capturedGo() (r int) { // a go statement's literal escapes
	defer f()
	go func() { r++ }()
	return
}

func capturedGoLocal() (r int) { // a local literal started by a go statement escapes
	defer f()
	g := func() { r++ }
	go g()
	return
}
