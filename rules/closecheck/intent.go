package closecheck

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/writes"
)

// Intended findings (fixes.Intended: not reported unless asked, -v shows the reason). A
// dropped Close or Flush error matters where it can let bad data go on as if it were
// good: a file a program or its users read later. Where the code shows nobody relies on
// what was written, the finding is noise, and the fix (a named result, a closure) costs
// more than it saves:
//
//   - Code under a constant false condition (if false, if debug with const debug =
//     false, the else of a constant true one) never runs as written: a toggle for a
//     debugging aid.
//   - A file written only by a debugging facility of the standard library (a profile, an
//     execution trace, TLS session keys: writes.Write.Debug) is an artifact for a person
//     with a tool; a failed Close loses only it, and the person sees it is broken.
//   - A _test.go file: what a test writes it checks itself (it reads it back or compares
//     it) or throws away (scratch files, benchmark sinks, debug dumps), and golden files
//     regenerated under -update are checked by the next run. A lost Close error there
//     cannot ship bad data; at worst a later test fails. Test helpers in other files
//     (a package's testutil) are still reported, with the failure sent to t.Error: other
//     packages' tests rely on what they write without seeing the error.

// intent returns why the finding at the defer d (cur) on w looks intended, and where the
// evidence is; "" when it does not.
func intent(pass *analysis.Pass, cur inspector.Cursor, d *ast.DeferStmt, w writes.Write) (string, token.Pos) {
	if cond, where := deadUnder(pass, cur); cond != nil {
		return "the defer is " + where + " (" + render(cond) + "): the code never runs as written", cond.Pos()
	}
	if w.Debug != "" {
		return "the file is written only by " + w.Debug + ", a debugging artifact: a failed Close loses only what a person would inspect with a tool", w.DebugAt
	}
	if strings.HasSuffix(pass.Fset.File(d.Pos()).Name(), "_test.go") {
		return "in a _test.go file, what a test writes it checks itself or throws away: a lost Close error cannot ship bad data", token.NoPos
	}
	return "", token.NoPos
}

// deadUnder returns the condition of an if statement around cur that keeps it from ever
// running: a constant false one around the body, a constant true one around the else;
// where says which.
func deadUnder(pass *analysis.Pass, cur inspector.Cursor) (cond ast.Expr, where string) {
	pos := cur.Node().Pos()
	for c := range cur.Enclosing((*ast.IfStmt)(nil)) {
		is := c.Node().(*ast.IfStmt)
		tv, ok := pass.TypesInfo.Types[is.Cond]
		if !ok || tv.Value == nil || tv.Value.Kind() != constant.Bool {
			continue
		}
		inBody := is.Body.Pos() <= pos && pos < is.Body.End()
		inElse := is.Else != nil && is.Else.Pos() <= pos && pos < is.Else.End()
		switch {
		case inBody && !constant.BoolVal(tv.Value):
			return is.Cond, "under a condition that is always false"
		case inElse && constant.BoolVal(tv.Value):
			return is.Cond, "in the else of a condition that is always true"
		}
	}
	return nil, ""
}

// render spells e as written, shortened.
func render(e ast.Expr) string {
	s := types.ExprString(e)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return "if " + s
}
