package fixes

import (
	"flag"
	"go/token"
	"go/types"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
)

// Intended findings. A rule that sees evidence a pattern is deliberate — a test that holds
// N connections open and then asserts on them, a loop that runs once — reports it with
// Intended instead of Report or Refuse. Such a finding is not reported by default: it
// would only teach people to ignore the tool, and "fixing" it breaks what the code meant
// (per-iteration closes never reach the server-side limit a test loops up to).
//
//   - Under deferfix, the engine marks every package it loads (ReportIntended) and gets
//     every intended finding, with its reason as related information (IntendedPrefix).
//     It drops them unless run with -all; -v lists them, with the reason, as not reported.
//   - Under other hosts (go vet -vettool, go fix -fixtool, analysistest, gopls,
//     golangci-lint), the rule reports an intended finding only when its analyzer flag
//     -all (AllFlag; go vet spells it -RULE.all) is set, and then as an ordinary finding
//     with the reason attached.
//
// An intended finding never carries a fix: it is either not reported or reported so that
// a person can judge it.

// IntendedPrefix starts the related-information message that says why a finding looks
// intended.
const IntendedPrefix = "looks intended: "

// allFlag is the name of the analyzer flag that reports intended findings.
const allFlag = "all"

// AllFlag declares a's -all flag. Call it once for each analyzer that reports with
// Intended, including analyzers a rule makes per run (hotdefer.New).
func AllFlag(a *analysis.Analyzer) {
	a.Flags.Bool(allFlag, false, "also report findings that look intended (a loop that holds its resources on purpose, ...), each with the reason")
}

// reportIntended holds the packages whose intended findings a driver wants, marked: the
// deferfix engine decides itself whether to show them. Keyed by package, so concurrent
// runs in one process do not interfere.
var reportIntended sync.Map // *types.Package → bool

// ReportIntended makes the rules report pkg's intended findings, marked with
// IntendedPrefix, until the returned func is called.
func ReportIntended(pkg *types.Package) (done func()) {
	reportIntended.Store(pkg, true)
	return func() { reportIntended.Delete(pkg) }
}

// Intended reports a finding the rule believes intended, for the reason given, without a
// fix — or, unless the analyzer's -all flag is set or the driver asked (ReportIntended),
// drops it. at, when valid, points at the evidence.
func Intended(pass *analysis.Pass, rng analysis.Range, at token.Pos, msg, reason string) {
	if _, ok := reportIntended.Load(pass.Pkg); !ok && !allSet(pass.Analyzer) {
		return
	}
	if !at.IsValid() {
		at = rng.Pos()
	}
	pass.Report(analysis.Diagnostic{
		Pos:     rng.Pos(),
		End:     rng.End(),
		Message: msg,
		Related: []analysis.RelatedInformation{{Pos: at, End: at, Message: IntendedPrefix + reason}},
	})
}

// allSet reports whether a's -all flag is set.
func allSet(a *analysis.Analyzer) bool {
	f := a.Flags.Lookup(allFlag)
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	on, _ := g.Get().(bool)
	return on
}

// IntendedWhy returns why a diagnostic looks intended, or "" when it does not.
func IntendedWhy(d analysis.Diagnostic) string {
	for _, r := range d.Related {
		if s, ok := strings.CutPrefix(r.Message, IntendedPrefix); ok {
			return s
		}
	}
	return ""
}
