// Program usedbeforecheck (found by cmd/divergence, seed 7 case 7619): the deferred call
// uses r before err is checked, and panics on the nil r of a failed open. Deferred, it
// panics at the return, after every iteration released; moved per iteration
// (loopdefer), at the end of the first: the fix is unsafe.
package cases

import (
	"fmt"
	"gen.example/batch/rt"
)

var _ = fmt.Sprint

type c007619_T struct{ n int }

func (t *c007619_T) Inc() {}

func c007619_work(names []string) int {
	total := 0

	for round := 0; round < 2; round++ {

		for i := 0; i < len(names); i++ {
			name := names[i]

			r, err := rt.Open(name)
			defer func() { rt.Tag(r, name) }()

			if err != nil {

			}

		}
	}

	return total
}

func C007619() {

	rt.Logf("c007619 result %v", c007619_work([]string{"!x", "ccc", "bb", "a", "!x"}))

}
