package rewrite

import (
	"context"
	"fmt"
	"testing"

	"github.com/deferfix/deferfix/rules"
)

// TestDeferFilesOnly: the rules find the same on real code whether their inspector holds
// every file or only those that mention defer (what Run gives them: see analyze). A rule
// that starts reporting outside the functions with a defer fails here, and then analyze
// must give it every file.
func TestDeferFilesOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("loads part of the standard library")
	}
	cfg := &Config{Tests: true, Analyzers: rules.All, All: true}
	pkgs, only, problems, err := load(context.Background(), cfg, []string{"net/http", "os", "os/exec", "encoding/json", "go/parser", "sync", "archive/zip", "compress/gzip", "log", "testing"})
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	skipped := 0
	for _, p := range pkgs {
		skipped += len(p.Syntax) - len(only[p])
		t.Cleanup(rules.ReportIntended(p.Types))
	}
	if skipped == 0 {
		t.Fatal("every file mentions defer: the test compares nothing")
	}
	text := func(fs []*Finding) []string {
		var out []string
		for _, f := range fs {
			fix := ""
			if f.Fix != nil {
				fix = fmt.Sprintf("%s %v", f.Fix.Title, f.Fix.Edits)
			}
			out = append(out, fmt.Sprintf("%s %s: %s [%s] %s %s", f.Pos, f.Rule, f.Message, fix, f.NoFix, f.Intended))
		}
		return out
	}
	all, problems := findAll(cfg, pkgs, nil, cfg.readFile)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	some, problems := findAll(cfg, pkgs, only, cfg.readFile)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	want, got := text(all), text(some)
	if len(want) == 0 {
		t.Fatal("no findings: the test compares nothing")
	}
	for i := 0; i < max(len(want), len(got)); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			t.Fatalf("finding %d differs with the files that mention defer only:\nall files: %s\nonly:      %s", i, w, g)
		}
	}
	t.Logf("%d findings, %d files without defer skipped", len(want), skipped)
}
