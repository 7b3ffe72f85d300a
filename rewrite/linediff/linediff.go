// Package linediff computes minimal line diffs: the fewest lines deleted and inserted
// that turn one text into another, as git diff and diff(1) report them.
//
// go-udiff's Lines and Unified (the diff of gopls) stop searching after 50 differences
// and then return a best-effort diff; on a large file with many fixes that replaces far
// more lines than changed (a file with 800 loopdefer fixes: 32,628 changed lines where
// git diff shows 12,000). Every edit and diff deferfix shows a person or a tool — -d,
// the JSON diff, SARIF and rdjson replacements, the rules' suggested fixes, the editor's
// workspace edits — comes from here.
//
// The algorithm is Myers' O(ND) difference algorithm in linear space (the "middle snake"
// bisection of "An O(ND) Difference Algorithm and Its Variations", 1986, section 4b),
// without a bound on D: it costs O((N+M)·D) time, D the number of changed lines, which
// for fixes is small next to the file.
package linediff

import (
	"fmt"
	"strings"

	"github.com/aymanbagabas/go-udiff"
)

// Lines returns the edits that turn before into after, each replacing whole lines, with
// the fewest lines deleted and inserted. Offsets are bytes of before; the edits are
// sorted and do not overlap or touch.
func Lines(before, after string) []udiff.Edit {
	if before == after {
		return nil
	}
	a, aOff := split(before)
	b, _ := split(after)
	var edits []udiff.Edit
	for _, h := range diff(a, b) {
		edits = append(edits, udiff.Edit{
			Start: aOff[h.a0],
			End:   aOff[h.a1],
			New:   strings.Join(b[h.b0:h.b1], ""),
		})
	}
	return edits
}

// Changed returns the number of lines a minimal diff of before and after deletes and
// inserts.
func Changed(before, after string) (deleted, inserted int) {
	a, _ := split(before)
	b, _ := split(after)
	for _, h := range diff(a, b) {
		deleted += h.a1 - h.a0
		inserted += h.b1 - h.b0
	}
	return deleted, inserted
}

// Unified returns the unified diff, with three lines of context, of before and after
// labelled from and to; "" if they are equal. Hunk headers follow diff -u: a count of
// one is left out, and an empty side starts at the line before it.
func Unified(from, to, before, after string) string {
	const context = 3
	a, _ := split(before)
	b, _ := split(after)
	hunks := diff(a, b)
	if len(hunks) == 0 {
		return ""
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", from, to)
	line := func(prefix byte, s string) {
		out.WriteByte(prefix)
		out.WriteString(s)
		if !strings.HasSuffix(s, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
	for i := 0; i < len(hunks); {
		// Join the hunks whose unchanged lines between them are within twice the context.
		j := i + 1
		for j < len(hunks) && hunks[j].a0-hunks[j-1].a1 <= 2*context {
			j++
		}
		first, last := hunks[i], hunks[j-1]
		a0 := max(first.a0-context, 0)
		b0 := first.b0 - (first.a0 - a0) // the lines before a hunk are unchanged
		a1 := min(last.a1+context, len(a))
		b1 := b0 + (a1 - a0) + (sumIns(hunks[i:j]) - sumDel(hunks[i:j]))
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", span(a0, a1-a0), span(b0, b1-b0))
		at := a0
		for _, h := range hunks[i:j] {
			for ; at < h.a0; at++ {
				line(' ', a[at])
			}
			for _, s := range a[h.a0:h.a1] {
				line('-', s)
			}
			for _, s := range b[h.b0:h.b1] {
				line('+', s)
			}
			at = h.a1
		}
		for ; at < a1; at++ {
			line(' ', a[at])
		}
		i = j
	}
	return out.String()
}

// span formats a hunk's range of n lines from the 0-based line start.
func span(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start) // the line before: 0 before the first
	case 1:
		return fmt.Sprint(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func sumDel(hs []hunk) (n int) {
	for _, h := range hs {
		n += h.a1 - h.a0
	}
	return n
}

func sumIns(hs []hunk) (n int) {
	for _, h := range hs {
		n += h.b1 - h.b0
	}
	return n
}

// split returns the lines of text, each with its newline (the last may lack one), and
// the byte offset of each line's start, plus len(text).
func split(text string) ([]string, []int) {
	var lines []string
	offsets := []int{0}
	for start := 0; start < len(text); {
		end := strings.IndexByte(text[start:], '\n') + 1
		if end == 0 {
			end = len(text) - start
		}
		lines = append(lines, text[start:start+end])
		start += end
		offsets = append(offsets, start)
	}
	return lines, offsets
}

// A hunk replaces the lines a[a0:a1] by b[b0:b1].
type hunk struct{ a0, a1, b0, b1 int }

// diff returns the hunks of a minimal diff of a and b, in order.
func diff(a, b []string) []hunk {
	// Compare lines as small integers.
	ids := make(map[string]int, len(a))
	intern := func(lines []string) []int {
		out := make([]int, len(lines))
		for i, l := range lines {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	d := &differ{a: intern(a), b: intern(b), delA: make([]bool, len(a)), insB: make([]bool, len(b))}
	d.compare(0, len(a), 0, len(b))
	var hunks []hunk
	for i, j := 0, 0; i < len(a) || j < len(b); {
		if i < len(a) && j < len(b) && !d.delA[i] && !d.insB[j] {
			i, j = i+1, j+1
			continue
		}
		h := hunk{a0: i, b0: j}
		for i < len(a) && d.delA[i] {
			i++
		}
		for j < len(b) && d.insB[j] {
			j++
		}
		h.a1, h.b1 = i, j
		hunks = append(hunks, h)
	}
	return hunks
}

// A differ marks the lines of a deleted and of b inserted by a shortest edit script.
type differ struct {
	a, b       []int
	delA, insB []bool
	vf, vb     []int // furthest x on each diagonal, forward and backward (bisect)
}

// compare marks the changes between a[a0:a1] and b[b0:b1].
func (d *differ) compare(a0, a1, b0, b1 int) {
	for a0 < a1 && b0 < b1 && d.a[a0] == d.b[b0] {
		a0, b0 = a0+1, b0+1
	}
	for a0 < a1 && b0 < b1 && d.a[a1-1] == d.b[b1-1] {
		a1, b1 = a1-1, b1-1
	}
	switch {
	case a0 == a1:
		for j := b0; j < b1; j++ {
			d.insB[j] = true
		}
	case b0 == b1:
		for i := a0; i < a1; i++ {
			d.delA[i] = true
		}
	default:
		x, y, ok := d.bisect(a0, a1, b0, b1)
		if !ok { // nothing in common
			for i := a0; i < a1; i++ {
				d.delA[i] = true
			}
			for j := b0; j < b1; j++ {
				d.insB[j] = true
			}
			return
		}
		d.compare(a0, x, b0, y)
		d.compare(x, a1, y, b1)
	}
}

// bisect finds the middle snake of a shortest edit script of a[a0:a1] and b[b0:b1],
// running the forward and backward searches until their paths overlap, and returns a
// point (x, y) on that script strictly inside the rectangle, so both halves are smaller.
// ok is false when the two have no line in common.
func (d *differ) bisect(a0, a1, b0, b1 int) (x, y int, ok bool) {
	n, m := a1-a0, b1-b0
	maxD := (n + m + 1) / 2
	off, size := maxD, 2*maxD+2
	if cap(d.vf) < size {
		d.vf, d.vb = make([]int, size), make([]int, size)
	}
	vf, vb := d.vf[:size], d.vb[:size]
	for i := range vf {
		vf[i], vb[i] = -1, -1
	}
	vf[off+1], vb[off+1] = 0, 0
	delta := n - m
	front := delta%2 != 0 // which search detects the overlap
	// Diagonals whose path has left the rectangle are no longer searched.
	var fStart, fEnd, bStart, bEnd int
	for D := range maxD {
		for k := -D + fStart; k <= D-fEnd; k += 2 {
			i := off + k
			var x int
			if k == -D || (k != D && vf[i-1] < vf[i+1]) {
				x = vf[i+1]
			} else {
				x = vf[i-1] + 1
			}
			y := x - k
			for x < n && y < m && d.a[a0+x] == d.b[b0+y] {
				x, y = x+1, y+1
			}
			vf[i] = x
			switch {
			case x > n:
				fEnd += 2
			case y > m:
				fStart += 2
			case front:
				if j := off + delta - k; j >= 0 && j < size && vb[j] != -1 && x >= n-vb[j] {
					return a0 + x, b0 + y, true
				}
			}
		}
		for k := -D + bStart; k <= D-bEnd; k += 2 {
			i := off + k
			var x int
			if k == -D || (k != D && vb[i-1] < vb[i+1]) {
				x = vb[i+1]
			} else {
				x = vb[i-1] + 1
			}
			y := x - k
			for x < n && y < m && d.a[a1-1-x] == d.b[b1-1-y] {
				x, y = x+1, y+1
			}
			vb[i] = x
			switch {
			case x > n:
				bEnd += 2
			case y > m:
				bStart += 2
			case !front:
				if j := off + delta - k; j >= 0 && j < size && vf[j] != -1 {
					fx := vf[j]
					fy := off + fx - j
					if fx >= n-x {
						return a0 + fx, b0 + fy, true
					}
				}
			}
		}
	}
	return 0, 0, false
}
