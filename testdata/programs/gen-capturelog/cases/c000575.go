// Program capturelog (found by cmd/divergence, seed 7 case 575): a deferred literal in a
// loop logs name := names[i], a value the iteration read, not acquired. Run per
// iteration (loopdefer), the log lines come in the other order.
package cases

import (
	"fmt"
	"gen.example/batch/rt"
)

var _ = fmt.Sprint

type c000575_T struct{ n int }

func (t *c000575_T) Inc() {}

func (t c000575_T) Get() int { return t.n }

func c000575_work(names []string) {
	for i := 0; i < len(names); i++ {
		name := names[i]
		defer func() { rt.Logf("c000575 cap %d %s", i, name) }()

		_ = name
	}
}

func C000575() {

	c000575_work([]string{"a", "bb", "ccc"})

}
