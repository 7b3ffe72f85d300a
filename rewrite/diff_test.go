package rewrite

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deferfix/deferfix/rewrite/testgen"
)

// TestDiffApplies checks that the diff of a change with joined and separate hunks applies
// with patch(1) and gives the new text: the hunk headers must be right.
func TestDiffApplies(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		t.Skip("no patch command")
	}
	old, new := testgen.PatchSample(false)
	dir := t.TempDir()
	oldText, newText := strings.Join(old, "\n")+"\n", strings.Join(new, "\n")+"\n"
	path := filepath.Join(dir, "f.txt")
	os.WriteFile(path, []byte(oldText), 0o666)
	c := &FileChange{Path: path, Old: []byte(oldText), New: []byte(newText)}
	d := c.Diff(dir)
	if !strings.Contains(d, "--- a/f.txt") {
		t.Fatalf("labels not relative:\n%s", d)
	}
	cmd := exec.Command("patch", "-p1", "--dry-run", "--quiet", "-F0")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(d)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("patch does not apply cleanly: %v\n%s\n%s", err, out, d)
	}
	for _, want := range []string{"@@ -9,13 +9,13 @@", "@@ -28,6 +28,7 @@", "@@ -42,7 +43,6 @@"} {
		if !strings.Contains(d, want) {
			t.Errorf("missing hunk header %q in\n%s", want, d)
		}
	}
}
