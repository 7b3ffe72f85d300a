package rewrite_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/deferfix/deferfix/rewrite"
	"github.com/deferfix/deferfix/rewrite/testgen"
	"github.com/deferfix/deferfix/rules"
)

// TestManyFindingsLinear checks without a clock that the cost of one file grows with its
// findings, not with their square: the bytes a run allocates (deterministic, unlike its
// time on a shared machine) for 4n findings in one file must stay within 4× those for n,
// with some margin, in report mode and when fixing. Work per finding over the whole file
// shows up here: reading the file for each fix made the ratios 6.6 (report) and 5.0
// (fix); linear work gives 3.2 and 3.7. Work that allocates nothing (a scan of every
// declaration per finding) escapes it: BenchmarkManyFindings's cpu-ns/op shows that.
func TestManyFindingsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("loads two generated modules")
	}
	const n, limit = 100, 4.3
	for _, fix := range []bool{false, true} {
		var bytes [2]uint64
		for i, size := range []int{n, 4 * n} {
			dir := t.TempDir()
			testgen.WriteModule(t, dir, map[string]string{"m.go": testgen.ManyFindings(size)})
			run := func() *rewrite.Result {
				res, err := rewrite.Run(context.Background(), &rewrite.Config{Dir: dir, Analyzers: rules.All, Fix: fix}, "./...")
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			run() // the go command's caches, the rules' package-level state
			bytes[i] = allocated(func() {
				res := run()
				if fix && (len(res.Changes) != 1 || res.Changes[0].Fixes != size) {
					t.Fatalf("N=%d: want one file with %d fixes, got %d changes (%v)", size, size, len(res.Changes), res.Problems)
				}
				if !fix && len(res.Findings) != size {
					t.Fatalf("N=%d: want %d findings, got %d (%v)", size, size, len(res.Findings), res.Problems)
				}
			})
		}
		ratio := float64(bytes[1]) / float64(bytes[0])
		t.Logf("fix=%v: %d findings: %d bytes, %d: %d bytes, ×%.2f", fix, n, bytes[0], 4*n, bytes[1], ratio)
		if ratio > limit {
			t.Errorf("fix=%v: 4× the findings in one file allocate %.2f× the bytes (at most %.1f×): some work per finding covers the whole file", fix, ratio, limit)
		}
	}
}

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
