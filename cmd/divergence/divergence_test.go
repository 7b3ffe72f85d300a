package main

import (
	"os"
	"testing"
)

// TestSmoke runs a short differential run (36 cases, one batch per Go version) and fails
// on any divergence under the safe fixes.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs generated programs")
	}
	devnull, _ := os.Open(os.DevNull)
	defer devnull.Close()
	out := t.TempDir()
	for _, first := range []int{0, 100, 200} {
		o := &options{n: 12, first: first, one: -1, seed: 1, out: out, j: 1, quiet: true}
		st, err := run(o, os.Stdout)
		if err != nil {
			t.Fatal(err)
		}
		if st.divergences > 0 || st.genErrors > 0 {
			t.Errorf("cases %d..%d: %d divergences, %d batch errors (written to %s)", first, first+11, st.divergences, st.genErrors, out)
		}
	}
}
