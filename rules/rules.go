// Package rules lists deferfix's rules. Each rule is a package of its own exporting an
// analysis.Analyzer, so the command line, go vet, go fix, gopls-style drivers,
// golangci-lint and nogo all run the same code.
package rules

import (
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rules/closecheck"
	"github.com/deferfix/deferfix/rules/deferargs"
	"github.com/deferfix/deferfix/rules/deferbeforecheck"
	"github.com/deferfix/deferfix/rules/deferrecover"
	"github.com/deferfix/deferfix/rules/exitdefer"
	"github.com/deferfix/deferfix/rules/hotdefer"
	"github.com/deferfix/deferfix/rules/internal/fixes"
	"github.com/deferfix/deferfix/rules/loopcapture"
	"github.com/deferfix/deferfix/rules/loopdefer"
)

// All is every rule. When fixes of two rules overlap, the earlier rule's is applied first
// and the other is made again on the result: a defer moves after its error check, then a
// loop body gets its scope, then the Close error is checked inside it (in the literal's
// own results), and the body of main moves into run last. Each is the rule's analyzer as
// hosts see it (Host): unsafe fixes only with its -unsafe flag, and in one run only fixes
// that do not overlap.
//
// deferfix's engine gives the rules an inspector over only the files that mention defer
// (rewrite's analyze), so a rule reports only defer statements and what is in the
// functions that have one; pass.Files still holds every file.
var All = Hosts(
	deferbeforecheck.Analyzer,
	deferargs.Analyzer,
	deferrecover.Analyzer,
	loopcapture.Analyzer,
	loopdefer.Analyzer,
	closecheck.Analyzer,
	hotdefer.Analyzer,
	exitdefer.Analyzer,
)

// IsUnsafe reports whether a rule marked fix as one that may change behaviour on a panic.
func IsUnsafe(fix analysis.SuggestedFix) bool { return fixes.IsUnsafe(fix) }

// ReportOnly tells the rules that pkg's fixes are needed by title only (a report, not a
// rewrite), until done is called: they skip decorating and printing them.
func ReportOnly(pkg *types.Package) (done func()) { return fixes.ReportOnly(pkg) }

// LocalFacts tells the rules that pass's facts are seen by no other package (deferfix's
// driver keeps them within the package), until done is called: they skip the facts they
// do not use themselves.
func LocalFacts(pass *analysis.Pass) (done func()) { return fixes.LocalFacts(pass) }

// UnsafeWhy returns what makes d's fixes unsafe, or "".
func UnsafeWhy(d analysis.Diagnostic) string { return fixes.UnsafeWhy(d) }

// Refusal returns why a rule offered no fix for d, or "".
func Refusal(d analysis.Diagnostic) string { return fixes.Refusal(d) }

// ReportIntended makes the rules report pkg's findings that look intended, marked (see
// IntendedWhy), until done is called; other drivers get them only with a rule's -all flag.
func ReportIntended(pkg *types.Package) (done func()) { return fixes.ReportIntended(pkg) }

// IntendedWhy returns why a rule believes d's finding intended, or "".
func IntendedWhy(d analysis.Diagnostic) string { return fixes.IntendedWhy(d) }
