package cases

import (
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// A literal capturing a named result, passed to a standard library function: it stays
// on the stack where the function only calls it, and escapes where it keeps it.

func sortedCallback(xs []int) (r int) { // sort.Slice only calls less
	defer f()
	sort.Slice(xs, func(i, j int) bool { r++; return xs[i] < xs[j] })
	return
}

func mappedCallback(s string) (r int) {
	defer f()
	strings.Map(func(c rune) rune { r++; return c }, s)
	return
}

var onceCallback sync.Once

func onceDo() (r int) {
	defer f()
	onceCallback.Do(func() { r = 1 })
	return
}

func syncMapRange(m *sync.Map) (r int) {
	defer f()
	m.Range(func(k, v any) bool { r++; return true })
	return
}

func subtestCallback(t *testing.T) (r int) { // t.Run runs it in a goroutine: it escapes
	defer f()
	t.Run("x", func(t *testing.T) { r++ })
	return
}

func timerCallback() (r int) { // time.AfterFunc keeps it
	defer f()
	time.AfterFunc(time.Second, func() { r++ })
	return
}

// A function value called only inside a literal that escapes escapes with it: the
// literal capturing the result moves it to the heap.

func runLater(fn func()) { go func() { fn() }() }

func runNow(fn func()) { func() { fn() }() }

func passedToEscapingCall() (err error) { // runLater's fn is called by a go literal
	defer f()
	runLater(func() { err = nil })
	return
}

func passedToCallInPlace() (err error) { // runNow's literal runs where it stands
	defer f()
	runNow(func() { err = nil })
	return
}

func localCalledByGoLiteral() (err error) {
	defer f()
	g := func() { err = nil }
	go func() { g() }()
	return
}

func localCalledByTimer() (err error) {
	defer f()
	g := func() { err = nil }
	time.AfterFunc(time.Second, func() { g() })
	return
}
