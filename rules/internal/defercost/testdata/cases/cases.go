// Package cases holds one function per rule of the compiler's defer lowering.
package cases

import (
	"encoding/json"
	"io"
	"iter"
	"sync"
	"sync/atomic"
)

var mu sync.Mutex

func f() {}

func openCoded() { // one defer, one exit
	mu.Lock()
	defer mu.Unlock()
	f()
}

func inLoop(n int) { // the loop's defer is heap-allocated, the other stack-allocated
	defer f()
	for range n {
		defer f()
	}
}

func nine() { // more than 8 defers: all stack-allocated
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
}

func eight() { // 8 defers, one implicit exit: open-coded
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
	defer f()
}

func manyReturns(x int) int { // 2 defers × 8 returns = 16 > 15
	defer f()
	defer f()
	switch x {
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
	case 7:
		return 7
	}
	return 0
}

func fifteen(x int) int { // 3 defers × 5 returns = 15: open-coded
	defer f()
	defer f()
	defer f()
	switch x {
	case 1:
		return 1
	case 2:
		return 2
	case 3:
		return 3
	case 4:
		return 4
	}
	return 0
}

func loopingLabel(n int) { // a defer after a label a later goto jumps back to
	i := 0
again:
	defer f()
	i++
	if i < n {
		goto again
	}
}

func forwardLabel(n int) { // a goto forward does not make a loop
	if n > 0 {
		goto done
	}
	f()
done:
	defer f()
}

func rangeFunc(seq iter.Seq[int]) { // the body's defer runs through deferrangefunc
	defer f()
	for range seq {
		defer f()
	}
}

var sink *int

func heapResult() (r int) { // the result escapes: no open-coding
	defer f()
	sink = &r
	return 1
}

func deferredClosureResult() (r int) { // a directly deferred closure keeps r on the stack
	defer func() { r++ }()
	return 1
}

func literal() func() { // the literal is a function of its own
	defer f()
	return func() {
		for range 3 {
			defer f()
		}
	}
}

var pkgLevel = func() {
	defer f()
}

func generic[T any](x T) T {
	defer f()
	return x
}

var _ = generic[int]

// &r passed to a function's pointer parameter that only writes through it does not
// escape, in a deferred literal too (go-git's openAndLockPackedRefs: open-coded).

func checkClose(c io.Closer, err *error) {
	if cerr := c.Close(); cerr != nil && *err == nil {
		*err = cerr
	}
}

func closeInDeferredLiteral(c io.Closer) (err error) {
	defer func() {
		if err != nil {
			checkClose(c, &err)
		}
	}()
	return nil
}

func addToResult() (n int64) {
	defer f()
	atomic.AddInt64(&n, 1)
	return
}

func decodeIntoResult(r io.Reader) (v map[string]int, err error) { // Decode's parameter is an interface: v escapes
	defer f()
	err = json.NewDecoder(r).Decode(&v)
	return
}
