// Program maybenil (found by cmd/divergence, seed 7 case 1512): the deferred function
// value is nil on some iterations. Deferred, the nil call panics at the return, after
// the whole loop ran; per iteration (loopdefer) it would panic at the end of the first.
package cases

import (
	"errors"
	"fmt"
	"gen.example/batch/rt"
)

var _ = fmt.Sprint

var c001512_arr [4]int

type c001512_T struct{ n int }

func (t *c001512_T) Inc() {}

func c001512_work(names []string) (int, error) {
	total := 0
	for i, name := range names {
		_, _ = i, name
		r, err := rt.Open(name)
		if err != nil {

			return 0, errors.New("stop " + name)
		}
		var fn1 func() error
		if name != "ccc" {
			fn1 = r.Close
		}
		defer fn1()
		total += c001512_arr[0]
	}

	return total, nil
}

func C001512() {

	{
		t, err := c001512_work([]string{"ccc", "?p", "a", "ccc"})
		rt.Logf("c001512 result %v %v", t, err)
	}

}
