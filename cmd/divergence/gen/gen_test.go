package gen

import (
	"os/exec"
	"testing"
)

// TestDeterministic: a case is a function of (seed, index) alone.
func TestDeterministic(t *testing.T) {
	for i := range 300 {
		a, b := Generate(7, i), Generate(7, i)
		if a != b {
			t.Fatalf("case %d differs between two generations", i)
		}
		if c := Generate(8, i); c.Source == a.Source {
			t.Errorf("case %d is the same for seeds 7 and 8", i)
		}
	}
}

// TestVet: every generated program builds and is vet-clean as written, in every Go
// version (vet's defers and loopclosure checks are off: what they report is what the
// programs exercise).
func TestVet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated modules")
	}
	for _, first := range []int{0, BlockSize, 2 * BlockSize} {
		var cases []Case
		for i := first; i < first+60; i++ {
			cases = append(cases, Generate(1, i))
		}
		dir := t.TempDir()
		if err := WriteModule(dir, VersionOf(first), cases); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("go", "vet", "-defers=false", "-loopclosure=false", "./...")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go %s: vet: %v\n%s", VersionOf(first), err, out)
		}
	}
}
