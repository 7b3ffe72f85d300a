// Package ruletest runs a rule's analysistest cases and closes the gaps analysistest
// leaves open: it passes when a rule produces no fix at all, and it never compiles the
// fixed output. Run asserts that every .golden file was produced by at least one fix and
// that every fixed package still builds.
package ruletest

import (
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aymanbagabas/go-udiff"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
)

// Run is analysistest.RunWithSuggestedFixes plus the golden-use and build checks.
func Run(t *testing.T, dir string, a *analysis.Analyzer, pkgs ...string) {
	t.Helper()
	results := analysistest.RunWithSuggestedFixes(t, dir, a, pkgs...)

	fixed := make(map[string]bool) // files that received at least one fix
	edits := make(map[string][]udiff.Edit)
	for _, r := range results {
		for _, d := range r.Diagnostics {
			for _, f := range d.SuggestedFixes {
				for _, e := range f.TextEdits {
					tf := r.Pass.Fset.File(e.Pos)
					fixed[tf.Name()] = true
					ed := udiff.Edit{Start: tf.Offset(e.Pos), End: tf.Offset(e.End), New: string(e.NewText)}
					if !slices.Contains(edits[tf.Name()], ed) {
						edits[tf.Name()] = append(edits[tf.Name()], ed)
					}
				}
			}
		}
	}
	if os.Getenv("UPDATE_GOLDEN") != "" {
		writeGoldens(t, edits)
	}
	for _, pkg := range pkgs {
		src := filepath.Join(dir, "src", pkg)
		goldens, _ := filepath.Glob(filepath.Join(src, "*.golden"))
		for _, g := range goldens {
			src := strings.TrimSuffix(g, ".golden")
			if !fixed[src] {
				t.Errorf("%s: no fix was produced for this golden file", g)
			}
			keepsComments(t, src, g)
		}
		if len(goldens) > 0 { // what is fixed must build; the rest is analysistest's input
			buildFixed(t, src)
		}
	}
}

// keepsComments checks that every comment of the source is in its golden, as often.
func keepsComments(t *testing.T, src, golden string) {
	t.Helper()
	comments := func(name string) map[string]int {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		m := make(map[string]int)
		for _, g := range f.Comments {
			for _, c := range g.List {
				m[c.Text]++
			}
		}
		return m
	}
	after := comments(golden)
	for c, n := range comments(src) {
		if after[c] < n {
			t.Errorf("%s loses the comment %s", golden, c)
		}
	}
}

// writeGoldens writes each fixed file's .golden from the fixes' edits, for
// UPDATE_GOLDEN=1 go test: review the result with git diff before committing it.
func writeGoldens(t *testing.T, edits map[string][]udiff.Edit) {
	for name, es := range edits {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out, err := udiff.Apply(string(src), es)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		formatted, err := format.Source([]byte(out))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.WriteFile(name+".golden", formatted, 0o666); err != nil {
			t.Fatal(err)
		}
	}
}

// buildFixed copies package src, with each .golden in place of its source file, into a
// module of its own and builds it.
func buildFixed(t *testing.T, src string) {
	t.Helper()
	tmp := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, name+".golden"))
		if os.IsNotExist(err) {
			data, err = os.ReadFile(filepath.Join(src, name))
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), []byte("module fixed\n\ngo 1.26\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", os.DevNull, ".")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("fixed package %s does not build: %v\n%s", src, err, out)
	}
}
