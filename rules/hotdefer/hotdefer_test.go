package hotdefer_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deferfix/deferfix/rules"
	"github.com/deferfix/deferfix/rules/hotdefer"
	"github.com/deferfix/deferfix/rules/internal/ruletest"
)

// Test asks for findings without a profile (Unprofiled, as -rules=hotdefer does).
func Test(t *testing.T) {
	a := hotdefer.New(hotdefer.Options{HotPercent: 1, Unprofiled: true})
	ruletest.Run(t, analysistest.TestData(), a, "a", "b")
	for _, r := range analysistest.Run(t, analysistest.TestData(), a, "a") {
		for _, d := range r.Diagnostics {
			if strings.HasPrefix(d.Message, "defers in big ") && !strings.Contains(rules.Refusal(d), "would move and re-indent 49 lines (more than 40)") {
				t.Errorf("big: got refusal %q, want the split refused for its size", rules.Refusal(d))
			}
		}
	}
}

// TestCold: without a profile, and with one that marks none of its functions hot,
// hotdefer reports nothing: a defer's nanoseconds matter only in a hot function.
func TestCold(t *testing.T) {
	for _, r := range analysistest.Run(t, analysistest.TestData(), hotdefer.Analyzer, "cold") {
		for _, d := range r.Diagnostics {
			t.Errorf("without a profile: unexpected finding %s", d.Message)
		}
	}
	path := writeProfile(t, []string{"cold.small", "elsewhere.Busy"}, []int64{1, 999})
	a := hotdefer.New(hotdefer.Options{Profile: path, HotPercent: 1, Unprofiled: true})
	for _, r := range analysistest.Run(t, analysistest.TestData(), a, "cold") {
		for _, d := range r.Diagnostics {
			t.Errorf("with a profile: unexpected finding %s", d.Message)
		}
	}
}

// writeProfile writes a CPU profile in which each function has its own samples.
func writeProfile(t *testing.T, names []string, samples []int64) string {
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: "cpu", Unit: "nanoseconds"}}}
	for i, name := range names {
		id := uint64(len(p.Function) + 1)
		fn := &profile.Function{ID: id, Name: name}
		loc := &profile.Location{ID: id, Line: []profile.Line{{Function: fn}}}
		p.Function = append(p.Function, fn)
		p.Location = append(p.Location, loc)
		p.Sample = append(p.Sample, &profile.Sample{Location: []*profile.Location{loc}, Value: []int64{samples[i]}})
	}
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
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
	// The merged defers of merged: one deferred literal, open-coded.
	line := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "func (d *db) merged(") }) + 4
	if line == 3 || !strings.Contains(lines[line-1], "defer func() {") {
		t.Fatalf("the merged defer is not where expected (line %d)", line)
	}
	if !strings.Contains(string(out), fmt.Sprintf("a.go:%d:2: open-coded defer", line)) {
		t.Errorf("line %d (the merged defer) is not open-coded:\n%s", line, out)
	}
}

// TestHot runs hotdefer on testdata/src/hot with a CPU profile in which every function of
// the package has the same share of the samples, so each is hot.
func TestHot(t *testing.T) {
	src, err := parser.ParseFile(token.NewFileSet(), "testdata/src/hot/hot.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: "cpu", Unit: "nanoseconds"}}}
	for _, d := range src.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		name := "hot." + fd.Name.Name
		if fd.Recv != nil {
			name = "hot.(*Cache)." + fd.Name.Name
		}
		id := uint64(len(p.Function) + 1)
		fn := &profile.Function{ID: id, Name: name}
		loc := &profile.Location{ID: id, Line: []profile.Line{{Function: fn}}}
		p.Function = append(p.Function, fn)
		p.Location = append(p.Location, loc)
		p.Sample = append(p.Sample, &profile.Sample{Location: []*profile.Location{loc}, Value: []int64{1}})
	}
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	a := hotdefer.New(hotdefer.Options{Profile: path, HotPercent: 1})
	ruletest.Run(t, analysistest.TestData(), a, "hot")

	// What kind of fix each function gets: safe when the proof holds, unsafe when
	// something may panic before the explicit call, none when the calls would differ.
	want := map[string]string{
		"Len": "safe", "Get": "safe", "Inc": "safe", "Double": "safe", "Stats": "safe", "Sign": "safe",
		"At": "unsafe", "Put": "unsafe", "Deep": "unsafe", "Compute": "unsafe",
		"Same":     "refused: a return value would need a temporary of another type than the result",
		"Changes":  "refused: a deferred argument may change before the region ends: n is assigned",
		"Wrap":     "refused: the deferred call may change the named results after return sets them",
		"Recovers": "refused: the deferred call recovers panics",
		"Two":      "refused: explicit calls are offered for a function with one defer only",
		"Shadow":   "refused: c means something else at an exit",
		"Jump":     "refused: a goto jumps past the defer into the region",
	}
	got := make(map[string]string)
	for _, r := range analysistest.Run(t, analysistest.TestData(), a, "hot") {
		for _, d := range r.Diagnostics {
			name, _, _ := strings.Cut(d.Message, " ")
			switch {
			case len(d.SuggestedFixes) == 0:
				got[name] = "refused: " + rules.Refusal(d)
			case rules.IsUnsafe(d.SuggestedFixes[0]):
				got[name] = "unsafe"
			default:
				got[name] = "safe"
			}
		}
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: got %q, want %q", name, got[name], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got findings for %d functions, want %d: %v", len(got), len(want), got)
	}
}
