package hotdefer_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deferfix/deferfix/rules/hotdefer"
	"github.com/deferfix/deferfix/rules/internal/ruletest"
)

func Test(t *testing.T) {
	ruletest.Run(t, analysistest.TestData(), hotdefer.Analyzer, "a")
}

// TestSplitOpenCodes builds the fixed golden with -gcflags=-d=defer: every defer of the
// split functions must now be open-coded.
func TestSplitOpenCodes(t *testing.T) {
	golden, err := os.ReadFile("testdata/src/a/a.go.golden")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.go"), golden, 0o666)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module a\n\ngo 1.26\n"), 0o666)
	cmd := exec.Command("go", "build", "-gcflags=-d=defer", ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(string(golden), "\n")
	for _, want := range []string{"defer d.mu.Unlock()", "defer d.wmu.Unlock()", "defer mu.Unlock() // want `defers in classify", "defer f() // want `defers in nested"} {
		line := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, want) }) + 1
		if line == 0 {
			t.Fatalf("%q not in the golden", want)
		}
		if !strings.Contains(string(out), fmt.Sprintf("a.go:%d:2: open-coded defer", line)) {
			t.Errorf("line %d (%s) is not open-coded after the split:\n%s", line, want, out)
		}
	}
}
