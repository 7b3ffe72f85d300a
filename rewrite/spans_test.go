package rewrite

import (
	"math/rand/v2"
	"testing"
)

// TestSpans checks the merged spans against a scan of every span added, as the round's
// overlap test did: edits touching at a boundary overlap.
func TestSpans(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var s spans
		var all []span
		for range 30 {
			start := r.IntN(100)
			end := start + r.IntN(6)
			want := false
			for _, a := range all {
				if start <= a.end && a.start <= end {
					want = true
				}
			}
			if got := s.overlaps(start, end); got != want {
				t.Fatalf("after %v: overlaps(%d, %d) = %v, want %v (spans %v)", all, start, end, got, want, s)
			}
			if r.IntN(2) == 0 { // a round adds only what overlaps nothing, but a fix's own edits may touch
				s.add(start, end)
				all = append(all, span{start, end})
			}
		}
	}
}
