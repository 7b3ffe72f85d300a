package rules

import (
	"flag"
	"go/types"
	"slices"
	"sync"

	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rules/internal/fixes"
)

// Safe by default in every host. A fix whose title ends in fixes.UnsafeSuffix may change
// what a program does when it panics; the command line applies it only with -unsafe. Hosts
// other than the command line (go vet -fix, go fix, golangci-lint --fix, gopls) apply
// every fix they are offered, so the analyzers in All offer an unsafe fix only when the
// host sets the analyzer's own flag (go vet -loopdefer.unsafe, or Flags.Set("unsafe",
// "true") in a plugin). Without it the diagnostic stays, its unsafe fixes are dropped and
// a related "not fixed: ..." note says how to get them. The command line's engine learns
// of every unsafe fix (OfferUnsafe) and decides itself, with -unsafe.
//
// The withholding is done here, around each rule's analyzer, so no rule has to know about
// hosts: a rule marks a fix unsafe by its title and nothing else.

// hosted maps a host-facing analyzer made by Host to the rule's own analyzer.
var hosted sync.Map // *analysis.Analyzer → *analysis.Analyzer

// offerUnsafe holds the packages whose passes get every unsafe fix regardless of the
// flag, with a count per package: runs in one process may overlap.
var (
	offerMu     sync.Mutex
	offerUnsafe = make(map[*types.Package]int)
)

// OfferUnsafe makes the analyzers in All offer unsafe fixes on pkg, whatever their flag,
// until done is called. The command line's engine uses it: it applies unsafe fixes only
// with -unsafe, but says that one exists without.
func OfferUnsafe(pkg *types.Package) (done func()) {
	offerMu.Lock()
	offerUnsafe[pkg]++
	offerMu.Unlock()
	return sync.OnceFunc(func() {
		offerMu.Lock()
		if offerUnsafe[pkg]--; offerUnsafe[pkg] == 0 {
			delete(offerUnsafe, pkg)
		}
		offerMu.Unlock()
	})
}

func offered(pkg *types.Package) bool {
	offerMu.Lock()
	defer offerMu.Unlock()
	return offerUnsafe[pkg] > 0
}

// Host returns a rule's analyzer as hosts see it: the same name, doc, flags, facts and
// prerequisites, plus a -unsafe flag without which unsafe fixes are withheld.
func Host(a *analysis.Analyzer) *analysis.Analyzer {
	unsafe := new(bool)
	h := &analysis.Analyzer{
		Name:             a.Name,
		Doc:              a.Doc,
		URL:              a.URL,
		Requires:         a.Requires,
		ResultType:       a.ResultType,
		FactTypes:        a.FactTypes,
		RunDespiteErrors: a.RunDespiteErrors,
	}
	// The rule's own flags, sharing their values: -hotdefer.profile sets the rule's option.
	a.Flags.VisitAll(func(f *flag.Flag) { h.Flags.Var(f.Value, f.Name, f.Usage) })
	h.Flags.BoolVar(unsafe, "unsafe", false, "also offer fixes that change behaviour on panic ("+a.Name+")")
	h.Run = func(pass *analysis.Pass) (any, error) {
		if *unsafe || offered(pass.Pkg) {
			return a.Run(pass)
		}
		inner := *pass
		inner.Report = func(d analysis.Diagnostic) { pass.Report(withholdUnsafe(a.Name, d)) }
		return a.Run(&inner)
	}
	hosted.Store(h, a)
	return h
}

// Unwrap returns the rule's own analyzer behind one made by Host, or a itself.
func Unwrap(a *analysis.Analyzer) *analysis.Analyzer {
	if r, ok := hosted.Load(a); ok {
		return r.(*analysis.Analyzer)
	}
	return a
}

// withholdUnsafe drops d's unsafe fixes and, when none is left, says why it has none.
func withholdUnsafe(rule string, d analysis.Diagnostic) analysis.Diagnostic {
	if !slices.ContainsFunc(d.SuggestedFixes, fixes.IsUnsafe) {
		return d
	}
	d.SuggestedFixes = slices.DeleteFunc(slices.Clone(d.SuggestedFixes), fixes.IsUnsafe)
	if len(d.SuggestedFixes) == 0 {
		d.SuggestedFixes = nil
		why := "the fix changes behaviour on panic"
		if u := fixes.UnsafeWhy(d); u != "" {
			why += " (" + u + ")"
		}
		d.Related = append(slices.Clone(d.Related), analysis.RelatedInformation{
			Pos: d.Pos, End: d.Pos,
			Message: fixes.RefusedPrefix + why + "; offered with -" + rule + ".unsafe",
		})
	}
	return d
}
