package ruletest

import (
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deferfix/deferfix/rules/internal/fixes"
)

// IntendedMark starts a comment that marks a line whose finding looks intended: not
// reported by default (Run sees no diagnostic there, so the line has no want), reported
// with the rule's -all flag with a reason containing the rest of the comment.
const IntendedMark = "// intended: "

// Intended runs a with its -all flag set and checks that the intended findings it reports
// are exactly those the packages mark with IntendedMark, with the reasons quoted there.
// Run, without the flag, checks that they are not reported.
func Intended(t *testing.T, dir string, a *analysis.Analyzer, pkgs ...string) {
	t.Helper()
	if err := a.Flags.Set("all", "true"); err != nil {
		t.Fatalf("%s has no -all flag: %v", a.Name, err)
	}
	defer a.Flags.Set("all", "false")
	// The other findings are checked by Run; here analysistest's complaints about the
	// marked lines, which carry no want, are expected.
	results := analysistest.Run(quiet{}, dir, a, pkgs...)

	type line struct {
		file string
		line int
	}
	marks := make(map[line]string)
	seen := make(map[line]bool)
	for _, r := range results {
		for _, f := range r.Pass.Files {
			for _, g := range f.Comments {
				for _, c := range g.List {
					if why, ok := strings.CutPrefix(c.Text, IntendedMark); ok {
						p := r.Pass.Fset.Position(c.Pos())
						marks[line{p.Filename, p.Line}] = why
					}
				}
			}
		}
		for _, d := range r.Diagnostics {
			why := fixes.IntendedWhy(d)
			if why == "" {
				continue
			}
			p := r.Pass.Fset.Position(d.Pos)
			k := line{p.Filename, p.Line}
			if seen[k] {
				continue // the package's test variant
			}
			seen[k] = true
			want, ok := marks[k]
			switch {
			case !ok:
				t.Errorf("%s: unmarked intended finding: %s (looks intended: %s)", p, d.Message, why)
			case !strings.Contains(why, want):
				t.Errorf("%s: intended because %q, want a reason containing %q", p, why, want)
			case len(d.SuggestedFixes) > 0:
				t.Errorf("%s: an intended finding carries a fix", p)
			}
		}
	}
	for k, why := range marks {
		if !seen[k] {
			t.Errorf("%s:%d: no intended finding reported (want one because %q)", k.file, k.line, why)
		}
	}
}

type quiet struct{}

func (quiet) Errorf(string, ...any) {}
