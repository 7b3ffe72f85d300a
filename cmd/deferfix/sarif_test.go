package main

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/deferfix/deferfix/rewrite/testgen"
	sarifmodel "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/xeipuuv/gojsonschema"
	"golang.org/x/tools/txtar"
)

// nonASCII is a module whose findings sit on lines with non-ASCII text before them: a
// consumer that reads our offsets as UTF-16 code units (SARIF's columnKind says so) must
// land the fixes exactly where deferfix -w does.
const nonASCII = `-- go.mod --
module example.com/m

go 1.26
-- a.go --
package m

import (
	"log"
	"time"
)

// Größe — «straße» 🙂 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 before the findings.
func Timed(name string) {
	start := time.Now()
	defer log.Println("日本語🙂", name, time.Since(start))
}

func Other() {
	t := time.Now()
	defer log.Println("ünïcödé 🙂", time.Since(t))
}
`

// TestSARIFSchema validates -format=sarif against the SARIF 2.1.0 JSON schema (as shipped
// by the go-sarif module, checked by gojsonschema), then applies the fixes as a SARIF
// consumer would — UTF-16 offsets into the original file — and compares with -w: on a
// file with non-ASCII text, and on modules whose fixes compose over rounds, where the
// fixes of the results must not overlap.
func TestSARIFSchema(t *testing.T) {
	forReviewModules(t, sarifApply)
}

// compareWritten runs deferfix -w in dir and compares every file with applied, what
// applying the offered fixes (how) gave, or with before when none was offered for it.
func compareWritten(t *testing.T, dir string, before, applied map[string]string, how string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run([]string{"-C", dir, "-w", "./..."}, nil, &out, &errb); code != exitClean && code != exitFindings {
		t.Fatalf("deferfix -w exited %d: %s", code, errb.String())
	}
	for file, written := range readTree(t, dir) {
		got, ok := applied[file]
		if !ok {
			got = before[file]
		}
		if got != written {
			t.Errorf("%s: %s give\n%s\nwant (deferfix -w)\n%s", file, how, got, written)
		}
	}
}

// forReviewModules runs check on a copy of each module the review formats are tested on:
// a file with non-ASCII text, and modules whose fixes compose over rounds.
func forReviewModules(t *testing.T, check func(t *testing.T, dir string)) {
	for name, load := range map[string]func(dir string){
		"nonascii": func(dir string) { writeArchive(t, dir, nonASCII) },
		"covered":  func(dir string) { testgen.WriteModule(t, dir, map[string]string{"a.go": testgen.Covered}) },
		"demo":     func(dir string) { copyModule(t, dir, "../../testdata/demo") },
		"overlap":  func(dir string) { copyModule(t, dir, "../../testdata/hosts/overlap") },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			load(dir)
			check(t, dir)
		})
	}
}

func sarifApply(t *testing.T, dir string) {
	before := readTree(t, dir)
	var out, errb bytes.Buffer
	if code := run([]string{"-C", dir, "-format=sarif", "./..."}, nil, &out, &errb); code != exitFindings {
		t.Fatalf("deferfix -format=sarif exited %d: %s", code, errb.String())
	}
	validateSARIF(t, out.Bytes())

	var log struct {
		Runs []struct {
			ColumnKind string `json:"columnKind"`
			Results    []struct {
				Fixes []struct {
					ArtifactChanges []struct {
						ArtifactLocation struct{ URI string }
						Replacements     []struct {
							DeletedRegion   struct{ CharOffset, CharLength int }
							InsertedContent struct{ Text string }
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Runs[0].ColumnKind != "utf16CodeUnits" {
		t.Fatalf("columnKind = %q", log.Runs[0].ColumnKind)
	}
	type repl struct {
		off, n int
		text   string
	}
	byFile := make(map[string][]repl)
	for _, r := range log.Runs[0].Results {
		for _, fix := range r.Fixes {
			for _, c := range fix.ArtifactChanges {
				for _, rp := range c.Replacements {
					byFile[c.ArtifactLocation.URI] = append(byFile[c.ArtifactLocation.URI], repl{rp.DeletedRegion.CharOffset, rp.DeletedRegion.CharLength, rp.InsertedContent.Text})
				}
			}
		}
	}
	if len(byFile) == 0 {
		t.Fatal("no fixes in the SARIF output")
	}
	applied := make(map[string]string)
	for file, rs := range byFile {
		src, _ := os.ReadFile(filepath.Join(dir, file))
		units := utf16.Encode([]rune(string(src)))
		sort.Slice(rs, func(i, j int) bool { return rs[i].off > rs[j].off }) // back to front
		for i, r := range rs {
			if i > 0 && (r.off+r.n > rs[i-1].off || r.off == rs[i-1].off) {
				t.Errorf("%s: fixes overlap at UTF-16 offsets %d and %d", file, r.off, rs[i-1].off)
			}
			units = append(units[:r.off:r.off], append(utf16.Encode([]rune(r.text)), units[r.off+r.n:]...)...)
		}
		applied[file] = string(utf16.Decode(units))
	}
	compareWritten(t, dir, before, applied, "SARIF fixes applied as UTF-16")
}

// TestSARIFNotifications checks that a package that does not load makes the run
// unsuccessful, with the error as a notification, rather than an empty, clean-looking log.
func TestSARIFNotifications(t *testing.T) {
	dir := t.TempDir()
	writeArchive(t, dir, "-- go.mod --\nmodule example.com/m\n\ngo 1.26\n-- a.go --\npackage m\n\nfunc F() { undefined() }\n")
	var out, errb bytes.Buffer
	run([]string{"-C", dir, "-format=sarif", "./..."}, nil, &out, &errb)
	validateSARIF(t, out.Bytes())
	var log struct {
		Runs []struct {
			Invocations []struct {
				ExecutionSuccessful        bool `json:"executionSuccessful"`
				ToolExecutionNotifications []struct {
					Level   string
					Message struct{ Text string }
				} `json:"toolExecutionNotifications"`
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	inv := log.Runs[0].Invocations
	if len(inv) != 1 || inv[0].ExecutionSuccessful || len(inv[0].ToolExecutionNotifications) == 0 ||
		!strings.Contains(inv[0].ToolExecutionNotifications[0].Message.Text, "undefined") {
		t.Errorf("invocations = %+v, want one unsuccessful with the load error", inv)
	}
}

func validateSARIF(t *testing.T, doc []byte) {
	t.Helper()
	if _, err := sarifmodel.FromBytes(doc); err != nil {
		t.Fatalf("go-sarif cannot read the log: %v", err)
	}
	res, err := gojsonschema.Validate(gojsonschema.NewStringLoader(sarifSchema(t)), gojsonschema.NewBytesLoader(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors() {
		t.Errorf("SARIF schema: %s", e)
	}
}

// sarifSchema returns the SARIF 2.1.0 schema from the go-sarif module's source (a string
// constant in schema.go), located with go list so the pinned version in go.sum is used.
func sarifSchema(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", "{{.Dir}}", "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif")
	dir, err := cmd.Output()
	if err != nil {
		t.Fatalf("locating go-sarif: %v", err)
	}
	file := filepath.Join(strings.TrimSpace(string(dir)), "schema.go")
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, spec := range gd.Specs {
			vs, ok := spec.(*ast.ValueSpec)
			if ok && len(vs.Names) == 1 && vs.Names[0].Name == "schema" {
				if lit, ok := vs.Values[0].(*ast.BasicLit); ok {
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					return s
				}
			}
		}
	}
	t.Fatalf("no schema constant in %s", file)
	return ""
}

// writeArchive writes the files of a txtar archive into dir.
func writeArchive(t *testing.T, dir, archive string) {
	t.Helper()
	for _, f := range txtar.Parse([]byte(archive)).Files {
		path := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, f.Data, 0o666); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRDJSONApply applies -format=rdjson's suggestions as reviewdog does (line and column
// ranges, columns counting bytes) and compares the result with what deferfix -w writes:
// on a file with non-ASCII text, and on modules whose fixes compose over rounds (one fix
// covering other findings, fixes found or made only in a later round). The suggestions of
// a run must not overlap (a bot offers each as its own), and each applied alone to the
// files on disk must leave Go that parses and is gofmt-clean.
func TestRDJSONApply(t *testing.T) {
	forReviewModules(t, rdjsonApply)
}

func copyModule(t *testing.T, dir, mod string) {
	t.Helper()
	if err := os.CopyFS(dir, os.DirFS(mod)); err != nil {
		t.Fatal(err)
	}
}

func rdjsonApply(t *testing.T, dir string) {
	before := readTree(t, dir)
	var out, errb bytes.Buffer
	if code := run([]string{"-C", dir, "-format=rdjson", "./..."}, nil, &out, &errb); code != exitFindings {
		t.Fatalf("deferfix -format=rdjson exited %d: %s", code, errb.String())
	}
	var doc struct {
		Diagnostics []struct {
			Message     string
			Location    struct{ Path string }
			Suggestions []struct {
				Range struct{ Start, End struct{ Line, Column int } }
				Text  string
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	type edit struct {
		start, end int
		text       string
		diag       int
	}
	srcs := make(map[string]string)
	edits := make(map[string][]edit)
	for i, d := range doc.Diagnostics {
		src, ok := srcs[d.Location.Path]
		if !ok {
			b, err := os.ReadFile(filepath.Join(dir, d.Location.Path))
			if err != nil {
				t.Fatal(err)
			}
			src = string(b)
			srcs[d.Location.Path] = src
		}
		lineStart := []int{0}
		for i, b := range []byte(src) {
			if b == '\n' {
				lineStart = append(lineStart, i+1)
			}
		}
		offset := func(line, col int) int { return lineStart[line-1] + col - 1 }
		for _, s := range d.Suggestions {
			edits[d.Location.Path] = append(edits[d.Location.Path], edit{offset(s.Range.Start.Line, s.Range.Start.Column), offset(s.Range.End.Line, s.Range.End.Column), s.Text, i})
		}
	}
	if len(edits) == 0 {
		t.Fatal("no suggestions")
	}
	apply := func(src string, es []edit) string {
		es = slices.Clone(es)
		sort.Slice(es, func(i, j int) bool { return es[i].start > es[j].start })
		for _, e := range es {
			src = src[:e.start] + e.text + src[e.end:]
		}
		return src
	}
	applied := make(map[string]string)
	for file, es := range edits {
		sort.SliceStable(es, func(i, j int) bool { return es[i].start < es[j].start })
		for i := 1; i < len(es); i++ {
			if a, b := es[i-1], es[i]; a.end > b.start || a.start == b.start {
				t.Errorf("%s: suggestions of %q and %q overlap: [%d,%d) and [%d,%d)", file, doc.Diagnostics[a.diag].Message, doc.Diagnostics[b.diag].Message, a.start, a.end, b.start, b.end)
			}
		}
		// Each diagnostic's suggestions alone, as a reviewer accepts one.
		byDiag := make(map[int][]edit)
		for _, e := range es {
			byDiag[e.diag] = append(byDiag[e.diag], e)
		}
		for i, des := range byDiag {
			one := apply(srcs[file], des)
			if formatted, err := format.Source([]byte(one)); err != nil || string(formatted) != one {
				t.Errorf("%s: the suggestion of %q alone leaves code that is not gofmt-clean Go (%v):\n%s", file, doc.Diagnostics[i].Message, err, one)
			}
		}
		applied[file] = apply(srcs[file], es)
	}
	compareWritten(t, dir, before, applied, "rdjson suggestions applied")
}

// TestSARIFVerdicts (testgen.Covered): a result says what the fixes do about it, as -json does: another
// finding's fix removes the second defer's finding (properties.fixedBy, and that finding
// as a related location); the goroutine's is not fixed, and says why.
func TestSARIFVerdicts(t *testing.T) {
	dir := t.TempDir()
	testgen.WriteModule(t, dir, map[string]string{"a.go": testgen.Covered})
	var out, errb bytes.Buffer
	if code := run([]string{"-C", dir, "-format=sarif", "./..."}, nil, &out, &errb); code != exitFindings {
		t.Fatalf("deferfix -format=sarif exited %d: %s", code, errb.String())
	}
	validateSARIF(t, out.Bytes())
	type region struct{ StartLine int }
	type location struct {
		PhysicalLocation struct{ Region region }
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Locations        []location
				RelatedLocations []struct {
					location
					Message struct{ Text string }
				}
				Properties struct{ FixedBy, NotFixed string }
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	got := make(map[int]string)
	for _, r := range log.Runs[0].Results {
		s := "fixedBy=" + r.Properties.FixedBy + " notFixed=" + r.Properties.NotFixed
		for _, rl := range r.RelatedLocations {
			s += " related=" + strconv.Itoa(rl.PhysicalLocation.Region.StartLine) + ":" + rl.Message.Text
		}
		got[r.Locations[0].PhysicalLocation.Region.StartLine] = s
	}
	want := map[int]string{
		8:  "fixedBy= notFixed=",
		10: "fixedBy=the fix for loopdefer at a.go:8:3 (Wrap loop body in a closure so each iteration releases what it acquires) notFixed= related=8:fixed by this finding's fix",
		19: "fixedBy= notFixed=a released value is used by a goroutine, which may outlive the iteration",
	}
	for line, w := range want {
		if got[line] != w {
			t.Errorf("result at line %d:\n got %s\nwant %s", line, got[line], w)
		}
	}
}
