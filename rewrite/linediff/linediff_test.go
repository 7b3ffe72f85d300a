package linediff

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aymanbagabas/go-udiff"

	"github.com/deferfix/deferfix/rewrite/testgen"
)

// check asserts that Lines turns before into after with a minimal number of changed
// lines, in whole-line, sorted, non-touching edits, and that Unified agrees.
func check(t *testing.T, before, after string) {
	t.Helper()
	edits := Lines(before, after)
	got, err := udiff.Apply(before, edits)
	if err != nil || got != after {
		t.Fatalf("edits do not give after (%v):\nbefore %q\nafter  %q\nedits  %v", err, before, after, edits)
	}
	a, _ := split(before)
	b, _ := split(after)
	common := testgen.LCS(a, b)
	del, ins := Changed(before, after)
	if del != len(a)-common || ins != len(b)-common {
		t.Fatalf("not minimal: -%d +%d, want -%d +%d\nbefore %q\nafter  %q", del, ins, len(a)-common, len(b)-common, before, after)
	}
	for i, e := range edits {
		if e.Start > 0 && before[e.Start-1] != '\n' || e.End > 0 && e.End < len(before) && before[e.End-1] != '\n' {
			t.Fatalf("edit %v is not at line boundaries", e)
		}
		if i > 0 && edits[i-1].End >= e.Start {
			t.Fatalf("edits %v and %v touch", edits[i-1], e)
		}
	}
	udel, uins := 0, 0
	for _, l := range strings.Split(Unified("a", "b", before, after), "\n") {
		switch {
		case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
		case strings.HasPrefix(l, "-"):
			udel++
		case strings.HasPrefix(l, "+"):
			uins++
		}
	}
	if udel != del || uins != ins {
		t.Fatalf("Unified shows -%d +%d, Lines -%d +%d", udel, uins, del, ins)
	}
}

func TestMinimalRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	text := func(n, alphabet int) []string {
		var out []string
		for range n {
			out = append(out, fmt.Sprintf("l%d\n", r.IntN(alphabet)))
		}
		return out
	}
	for range 3000 {
		a := text(r.IntN(40), 1+r.IntN(8))
		var b []string
		switch r.IntN(3) {
		case 0: // unrelated
			b = text(r.IntN(40), 1+r.IntN(8))
		default: // a mutated
			for _, l := range a {
				switch r.IntN(6) {
				case 0:
				case 1:
					b = append(b, l, fmt.Sprintf("n%d\n", r.IntN(3)))
				case 2:
					b = append(b, fmt.Sprintf("n%d\n", r.IntN(3)))
				default:
					b = append(b, l)
				}
			}
		}
		before, after := strings.Join(a, ""), strings.Join(b, "")
		if r.IntN(4) == 0 && before != "" {
			before = strings.TrimSuffix(before, "\n") // a last line without newline
		}
		check(t, before, after)
	}
}

// TestMinimalManyChanges is the case go-udiff gets wrong: many changes spread over a
// long text, more than its search depth of 50.
func TestMinimalManyChanges(t *testing.T) {
	a, b := manyChanges(2000)
	check(t, a, b)
	if del, ins := Changed(a, b); del != 2000 || ins != 4000 {
		t.Errorf("changed -%d +%d, want -2000 +4000", del, ins)
	}
}

// manyChanges returns n functions with a deferred Close, and the same functions with a
// guard and an explicit Close: every one changed.
func manyChanges(n int) (before, after string) {
	var a, b strings.Builder
	for i := range n {
		fmt.Fprintf(&a, "func F%d() {\n\tdefer f.Close()\n}\n", i)
		fmt.Fprintf(&b, "func F%d() {\n\tguard()\n\tf.Close()\n}\n", i)
	}
	return a.String(), b.String()
}

// TestUnifiedPatch checks that the unified diff applies with patch(1) and that its
// hunk headers are diff(1)'s.
func TestUnifiedPatch(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		t.Skip("no patch command")
	}
	old, new := testgen.PatchSample(true)
	oldText, newText := strings.Join(old, "\n")+"\n", strings.Join(new, "\n")
	d := Unified("a/f.txt", "b/f.txt", oldText, newText)
	for _, want := range []string{"@@ -1,3 +1,4 @@", "@@ -9,13 +10,13 @@", "@@ -28,6 +29,7 @@", "@@ -42,7 +44,6 @@", "@@ -57,4 +58,4 @@", "\\ No newline at end of file"} {
		if !strings.Contains(d, want) {
			t.Errorf("missing %q in\n%s", want, d)
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	if err := os.WriteFile(path, []byte(oldText), 0o666); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("patch", "-p1", "--quiet", "-F0")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(d)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("patch does not apply cleanly: %v\n%s\n%s", err, out, d)
	}
	if got, _ := os.ReadFile(path); string(got) != newText {
		t.Fatalf("patched file differs:\n%s", got)
	}
	if Unified("a", "b", "x\n", "x\n") != "" {
		t.Error("Unified of equal texts is not empty")
	}
	if got, want := Unified("a", "b", "", "x\n"), "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n"; got != want {
		t.Errorf("Unified of an insertion in an empty file:\n%s\nwant\n%s", got, want)
	}
}

// BenchmarkManyChanges diffs a file of 2,000 functions, each changed: 6,000 lines before,
// 8,000 after.
func BenchmarkManyChanges(b *testing.B) {
	x, y := manyChanges(2000)
	for b.Loop() {
		Lines(x, y)
	}
}

// BenchmarkUnrelated is the worst case: 2,000 lines replaced by 2,000 others.
func BenchmarkUnrelated(b *testing.B) {
	var x, y strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&x, "a%d\n", i)
		fmt.Fprintf(&y, "b%d\n", i)
	}
	for b.Loop() {
		Lines(x.String(), y.String())
	}
}
