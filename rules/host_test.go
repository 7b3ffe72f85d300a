package rules_test

import (
	"go/token"
	"go/types"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rules"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

// TestHostUnsafe checks that a rule's unsafe fixes reach a host only with the rule's
// -unsafe flag, or for a package the engine marked with OfferUnsafe, and that without
// them the finding stays and says how to get its fix.
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
	// run returns, per finding, its fixes' titles and any refusal.
	run := func(a *analysis.Analyzer, pkg *types.Package) []string {
		var out []string
		pass := &analysis.Pass{Analyzer: a, Fset: token.NewFileSet(), Pkg: pkg, Report: func(d analysis.Diagnostic) {
			var titles []string
			for _, f := range d.SuggestedFixes {
				titles = append(titles, f.Message)
			}
			if r := rules.Refusal(d); r != "" {
				titles = append(titles, "refused: "+r)
			}
			out = append(out, d.Message+": "+strings.Join(titles, "; "))
		}}
		if _, err := a.Run(pass); err != nil {
			t.Fatal(err)
		}
		return out
	}
	pkg := types.NewPackage("example.com/p", "p")
	all := []string{
		"only unsafe: Do the other thing" + fixes.UnsafeSuffix,
		"both: Do the other thing" + fixes.UnsafeSuffix + "; Do the safe thing",
	}
	withheld := []string{
		"only unsafe: refused: the fix changes behaviour on panic; offered with -fake.unsafe",
		"both: Do the safe thing",
	}
	check := func(what string, got, want []string) {
		t.Helper()
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}

	h := rules.Host(rule)
	if rules.Unwrap(h) != rule {
		t.Error("Unwrap does not return the rule's analyzer")
	}
	check("by default", run(h, pkg), withheld)
	done := rules.OfferUnsafe(pkg)
	check("with OfferUnsafe", run(h, pkg), all)
	check("with OfferUnsafe on another package", run(h, types.NewPackage("example.com/q", "q")), withheld)
	done()
	check("after OfferUnsafe's done", run(h, pkg), withheld)
	if err := h.Flags.Set("unsafe", "true"); err != nil {
		t.Fatal(err)
	}
	check("with -unsafe", run(h, pkg), all)
	check("another Host without -unsafe", run(rules.Host(rule), pkg), withheld)

	for _, a := range rules.All {
		if a.Flags.Lookup("unsafe") == nil || rules.Unwrap(a) == a {
			t.Errorf("rules.All's %s is not made by Host", a.Name)
		}
	}
}
