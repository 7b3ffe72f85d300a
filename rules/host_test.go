package rules_test

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rules"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

// TestHostUnsafe checks that a rule's unsafe fixes reach a host only with the rule's
// -unsafe flag, and that without it the finding stays and says how to get its fix.
func TestHostUnsafe(t *testing.T) {
	safe := analysis.SuggestedFix{Message: "Do the safe thing"}
	unsafe := analysis.SuggestedFix{Message: "Do the other thing" + fixes.UnsafeSuffix}
	rule := &analysis.Analyzer{
		Name: "fake",
		Doc:  "fake: reports one finding with an unsafe fix and one with both kinds",
		Run: func(pass *analysis.Pass) (any, error) {
			pass.Report(analysis.Diagnostic{Pos: 1, Message: "only unsafe", SuggestedFixes: []analysis.SuggestedFix{unsafe}})
			pass.Report(analysis.Diagnostic{Pos: 2, Message: "both", SuggestedFixes: []analysis.SuggestedFix{unsafe, safe}})
			return nil, nil
		},
	}
	fset := token.NewFileSet()
	fset.AddFile("a.go", -1, 100)
	all := []string{
		"only unsafe: Do the other thing" + fixes.UnsafeSuffix,
		"both: Do the other thing" + fixes.UnsafeSuffix + "; Do the safe thing",
	}
	withheld := []string{
		"only unsafe: refused: the fix changes behaviour on panic; offered with -fake.unsafe",
		"both: Do the safe thing",
	}
	h := rules.Host(rule, nil)
	if rules.Unwrap(h) != rule {
		t.Error("Unwrap does not return the rule's analyzer")
	}
	check(t, "by default", runHost(t, h, fset, nil), withheld)
	if rules.OffersUnsafe(h) {
		t.Error("OffersUnsafe without the flag")
	}
	if err := h.Flags.Set("unsafe", "true"); err != nil {
		t.Fatal(err)
	}
	check(t, "with -unsafe", runHost(t, h, fset, nil), all)
	if !rules.OffersUnsafe(h) {
		t.Error("not OffersUnsafe with the flag")
	}
	check(t, "another Host without -unsafe", runHost(t, rules.Host(rule, nil), fset, nil), withheld)

	if err := analysis.Validate(rules.All); err != nil {
		t.Fatal(err)
	}
	for _, a := range rules.All {
		if a.Flags.Lookup("unsafe") == nil || rules.Unwrap(a) == a {
			t.Errorf("rules.All's %s is not made by Host", a.Name)
		}
	}
}

// TestHostOverlap checks that in one run the host analyzers offer only fixes that do not
// overlap, chosen as the engine chooses a round's: rule by rule, by position, and once a
// fix in a file waits, the later ones in that file wait too.
func TestHostOverlap(t *testing.T) {
	fset := token.NewFileSet()
	a := fset.AddFile("a.go", -1, 100)
	b := fset.AddFile("b.go", -1, 100)
	fix := func(f *token.File, start, end int) []analysis.SuggestedFix {
		return []analysis.SuggestedFix{{Message: fmt.Sprintf("Edit %s %d-%d", f.Name(), start, end), TextEdits: []analysis.TextEdit{{Pos: f.Pos(start), End: f.Pos(end)}}}}
	}
	rule := func(name string, diags ...analysis.Diagnostic) *analysis.Analyzer {
		return &analysis.Analyzer{Name: name, Doc: name + ": fake", Run: func(pass *analysis.Pass) (any, error) {
			for _, d := range slices.Backward(diags) { // out of order: the host sorts
				pass.Report(d)
			}
			return nil, nil
		}}
	}
	hosts := rules.Hosts(
		rule("first",
			analysis.Diagnostic{Pos: a.Pos(10), Message: "a10", SuggestedFixes: fix(a, 10, 20)},
			analysis.Diagnostic{Pos: a.Pos(15), Message: "a15", SuggestedFixes: fix(a, 15, 18)},
			analysis.Diagnostic{Pos: a.Pos(50), Message: "a50", SuggestedFixes: fix(a, 50, 60)},
		),
		rule("second",
			analysis.Diagnostic{Pos: a.Pos(80), Message: "a80", SuggestedFixes: fix(a, 80, 90)},
			analysis.Diagnostic{Pos: b.Pos(10), Message: "b10", SuggestedFixes: fix(b, 10, 20)},
			analysis.Diagnostic{Pos: b.Pos(20), Message: "b20", SuggestedFixes: fix(b, 20, 30)},
			analysis.Diagnostic{Pos: b.Pos(40), Message: "b40", SuggestedFixes: fix(b, 40, 50)},
		),
	)
	results := make(map[*analysis.Analyzer]any)
	check(t, "first rule", runHost(t, hosts[0], fset, results), []string{
		"a10: Edit a.go 10-20",
		"a15: postponed",
		"a50: postponed", // a fix in a.go waits: the later ones wait too
	})
	check(t, "second rule", runHost(t, hosts[1], fset, results), []string{
		"a80: postponed",
		"b10: Edit b.go 10-20",
		"b20: postponed", // edits that touch overlap
		"b40: postponed",
	})
}

func check(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// runHost runs a on a package without files and returns, per finding, its fixes' titles
// and any refusal; results holds and receives the analyzers' results.
func runHost(t *testing.T, a *analysis.Analyzer, fset *token.FileSet, results map[*analysis.Analyzer]any) []string {
	t.Helper()
	var out []string
	pass := &analysis.Pass{Analyzer: a, Fset: fset, Pkg: types.NewPackage("example.com/p", "p"), ResultOf: results, Report: func(d analysis.Diagnostic) {
		var titles []string
		for _, f := range d.SuggestedFixes {
			titles = append(titles, f.Message)
		}
		if r := rules.Refusal(d); r != "" {
			titles = append(titles, "refused: "+r)
		}
		if len(titles) == 0 {
			titles = append(titles, "postponed")
		}
		out = append(out, d.Message+": "+strings.Join(titles, "; "))
	}}
	res, err := a.Run(pass)
	if err != nil {
		t.Fatal(err)
	}
	if results != nil {
		results[a] = res
	}
	return out
}
