package rewrite

import (
	"context"
	"fmt"
	"testing"

	"github.com/deferfix/deferfix/rules"
)

// TestShortcuts: the rules find the same on real code, fixes included, whether their
// inspector holds every file and they compute every fact, as under go vet, or they get
// what Run gives them: only the files that mention defer (see analyze), and facts that
// stay in the package (rules.LocalFacts), whose work they skip. A rule that starts
// reporting outside the functions with a defer, or a shortcut that changes a finding,
// fails here.
func TestShortcuts(t *testing.T) {
	t.Run("std", func(t *testing.T) {
		if testing.Short() {
			t.Skip("loads part of the standard library")
		}
		testShortcuts(t, "", "net/http", "os", "os/exec", "encoding/json", "go/parser", "sync", "archive/zip", "compress/gzip", "log", "testing", "cmd/go", "cmd/gofmt", "cmd/pprof", "runtime/pprof", "bufio")
	})
	// A finding of each rule whose work is skipped, decided by a file without defer.
	t.Run("testdata", func(t *testing.T) {
		testShortcuts(t, "testdata/shortcuts", "./...")
	})
}

func testShortcuts(t *testing.T, dir string, patterns ...string) {
	cfg := &Config{Dir: dir, Tests: true, Analyzers: rules.All, All: true}
	pkgs, only, problems, err := load(context.Background(), cfg, patterns)
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
	localFacts = false
	all, problems := findAll(cfg, newFactStore(), pkgs, nil, cfg.readFile)
	localFacts = true
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	some, problems := findAll(cfg, newFactStore(), pkgs, only, cfg.readFile)
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
			t.Fatalf("finding %d differs with Run's shortcuts:\nwithout: %s\nwith:    %s", i, w, g)
		}
	}
	byRule := make(map[string]int)
	for _, f := range all {
		byRule[f.Rule]++
	}
	t.Logf("%d findings %v, %d files without defer skipped", len(want), byRule, skipped)
}
