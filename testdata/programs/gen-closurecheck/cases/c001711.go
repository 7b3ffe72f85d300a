// Program closurecheck (found by cmd/divergence, seed 1 case 1711): a deferred variable
// holds a literal that reads r before err is checked; when Open fails, r is nil and the
// call panics. Deferred, it panics at the return, after the whole loop ran; called at the
// end of each iteration (loopdefer's explicit form) it panics in the first bad one.
package cases

import (
	"fmt"
	"gen.example/batch/rt"
)

var _ = fmt.Sprint

type c001711_T struct{ n int }

func (t *c001711_T) Inc() {}

func c001711_seq(names []string) func(yield func(int, string) bool) {
	return func(yield func(int, string) bool) {
		for i, n := range names {
			if !yield(i, n) {

			}
		}
	}
}

func c001711_work(names []string) {

	for i, name := range c001711_seq(names) {
		_, _ = i, name

		r, err := rt.Open(name)
		finish1 := func() { rt.Tag(r, name) }
		defer finish1()
		if err != nil {

		}

	}

}

func C001711() {

	c001711_work([]string{"ccc", "a", "!x", "ee", "ccc"})

}
