package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/deferfix/deferfix/rewrite/testgen"
)

// TestDiffsMinimal checks that every output format reports a minimal change on a large
// file with many fixes: the lines that -d, the JSON diff, SARIF replacements and rdjson
// suggestions delete and insert are as few as a longest common subsequence of the file
// before and after -w allows (what git diff and diff(1) show). go-udiff's diff gives
// up after 50 differences and replaced thousands of unchanged lines on such files.
func TestDiffsMinimal(t *testing.T) {
	dir := t.TempDir()
	const n = 60 // each fix changes about 15 lines: far more than 50 differences in all
	old := testgen.ManyFindings(n)
	testgen.WriteModule(t, dir, map[string]string{"m.go": old})

	run := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := runWith(append([]string{"-C", dir}, args...), nil, &stdout, &stderr, nil); code != exitFindings && code != exitClean {
			t.Fatalf("deferfix %v: exit %d\n%s", args, code, stderr.String())
		}
		return stdout.String()
	}
	type count struct{ deleted, inserted int }
	diffCount := func(d string) (c count) {
		for _, l := range strings.Split(d, "\n") {
			switch {
			case strings.HasPrefix(l, "--- "), strings.HasPrefix(l, "+++ "):
			case strings.HasPrefix(l, "-"):
				c.deleted++
			case strings.HasPrefix(l, "+"):
				c.inserted++
			}
		}
		return c
	}
	got := make(map[string]count)

	got["-d"] = diffCount(run("-d", "./..."))

	var report jsonReport
	if err := json.Unmarshal([]byte(run("-json", "./...")), &report); err != nil || len(report.Changes) != 1 {
		t.Fatalf("-json: %v, %d changes", err, len(report.Changes))
	}
	got["-json"] = diffCount(report.Changes[0].Diff)

	var sarif sarifLog
	if err := json.Unmarshal([]byte(run("-format=sarif", "./...")), &sarif); err != nil {
		t.Fatal(err)
	}
	var reps []sarifReplacement
	for _, r := range sarif.Runs[0].Results {
		for _, f := range r.Fixes {
			for _, ch := range f.ArtifactChanges {
				reps = append(reps, ch.Replacements...)
			}
		}
	}
	// The fixes are independent: together they must make the file -w writes.
	sort.Slice(reps, func(i, j int) bool { return *reps[i].DeletedRegion.CharOffset < *reps[j].DeletedRegion.CharOffset })
	var applied strings.Builder
	var c count
	at := 0 // the file is ASCII: UTF-16 offsets are byte offsets
	for _, r := range reps {
		start := *r.DeletedRegion.CharOffset
		end := start + *r.DeletedRegion.CharLength
		applied.WriteString(old[at:start])
		applied.WriteString(r.InsertedContent.Text)
		c.deleted += strings.Count(old[start:end], "\n")
		c.inserted += strings.Count(r.InsertedContent.Text, "\n")
		at = end
	}
	applied.WriteString(old[at:])
	got["sarif"] = c

	var rd struct {
		Diagnostics []rdDiagnostic `json:"diagnostics"`
	}
	rdOut := run("-format=rdjson", "./...")
	if err := json.Unmarshal([]byte(rdOut), &rd); err != nil {
		t.Fatal(err)
	}
	c = count{}
	for _, d := range rd.Diagnostics {
		for _, s := range d.Suggestions {
			c.deleted += s.Range.End.Line - s.Range.Start.Line
			c.inserted += strings.Count(s.Text, "\n")
		}
	}
	got["rdjson"] = c

	// With -w the suggestions are still positioned in the file as it was loaded.
	if out := run("-format=rdjson", "-w", "./..."); out != rdOut {
		t.Errorf("-format=rdjson -w positions its suggestions differently from -format=rdjson")
	}
	data, err := os.ReadFile(filepath.Join(dir, "m.go"))
	if err != nil {
		t.Fatal(err)
	}
	new := string(data)
	if applied.String() != new {
		t.Errorf("the SARIF fixes applied together do not give the file -w wrote")
	}
	a, b := strings.SplitAfter(old, "\n"), strings.SplitAfter(new, "\n")
	common := testgen.LCS(a, b)
	want := count{len(a) - common, len(b) - common}
	if want.deleted < n {
		t.Fatalf("-w changed %d lines: the test measures nothing", want.deleted)
	}
	for _, format := range []string{"-d", "-json", "sarif", "rdjson"} {
		if got[format] != want {
			t.Errorf("%s deletes %d lines and inserts %d; a minimal diff deletes %d and inserts %d", format, got[format].deleted, got[format].inserted, want.deleted, want.inserted)
		}
	}
}
