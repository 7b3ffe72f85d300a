package closecheck

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
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
//   - A file written on a best-effort basis: the function returns no error, and when
//     the file cannot be opened it gives up without a word (if f, err := os.OpenFile(...);
//     err == nil { defer f.Close(); ... } with no else, or if err != nil { return }).
//     Its author already accepts losing everything it writes to a failed open, with no
//     one told (cobra's completion debug log); a failed Close loses less. One that reports
//     or panics when the open fails cares about the file and is still reported.
//   - A file created in a test's artifact directory (os.CreateTemp(t.ArtifactDir(), ...),
//     os.Create(filepath.Join(t.ArtifactDir(), name))): the testing package keeps it for
//     a person to inspect (with -artifacts; otherwise it is removed with the test), as a
//     trace dumped when a test fails is. Nothing reads it back; a failed Close loses
//     only it, like a debugging facility's file.
//   - A _test.go file: what a test writes it checks itself (it reads it back or compares
//     it) or throws away (scratch files, benchmark sinks, debug dumps), and golden files
//     regenerated under -update are checked by the next run. A lost Close error there
//     cannot ship bad data; at worst a later test fails. Test helpers in other files
//     (a package's testutil) are still reported, with the failure sent to t.Error: other
//     packages' tests rely on what they write without seeing the error.

// intent returns why the finding at the defer d (cur) on w looks intended, and where the
// evidence is; "" when it does not.
func intent(pass *analysis.Pass, cur inspector.Cursor, fn ast.Node, d *ast.DeferStmt, w writes.Write) (string, token.Pos) {
	if cond, where := deadUnder(pass, cur); cond != nil {
		return "the defer is " + where + " (" + render(cond) + "): the code never runs as written", cond.Pos()
	}
	if w.Debug != "" {
		return "the file is written only by " + w.Debug + ", a debugging artifact: a failed Close loses only what a person would inspect with a tool", w.DebugAt
	}
	if w.File {
		if at := artifact(pass, fn, w.V); at != nil {
			return "the file is created in the test's artifact directory (t.ArtifactDir), kept for a person to inspect: a failed Close loses only that artifact", at.Pos()
		}
		if check := bestEffort(pass, fn, w.V); check != nil {
			return "the function returns no error and gives up without a word when the file cannot be opened: writing it is best effort, and a failed Close loses less than a failed open", check.Pos()
		}
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

// bestEffort returns the check of the open's error that gives up silently on the file f,
// in a function fn that returns no error: f, err := open(...) followed by (or, as its
// init, in) an if err == nil { ... } with no else, or if err != nil { return } (continue,
// break: nothing said); nil otherwise.
func bestEffort(pass *analysis.Pass, fn ast.Node, f *types.Var) *ast.IfStmt {
	info := pass.TypesInfo
	var sig *types.Signature
	var body *ast.BlockStmt
	switch fn := fn.(type) {
	case *ast.FuncDecl:
		sig, _ = info.Defs[fn.Name].Type().(*types.Signature)
		body = fn.Body
	case *ast.FuncLit:
		sig, _ = info.TypeOf(fn).(*types.Signature)
		body = fn.Body
	}
	if sig == nil || body == nil {
		return nil
	}
	for i := range sig.Results().Len() {
		if deferutil.IsError(sig.Results().At(i).Type()) {
			return nil
		}
	}
	var found *ast.IfStmt
	ast.Inspect(body, func(n ast.Node) bool {
		if found != nil {
			return false
		}
		if lit, ok := n.(*ast.FuncLit); ok && lit != fn {
			return false
		}
		var list []ast.Stmt
		switch n := n.(type) {
		case *ast.BlockStmt:
			list = n.List
		case *ast.CaseClause:
			list = n.Body
		case *ast.CommClause:
			list = n.Body
		case *ast.IfStmt:
			if as, ok := n.Init.(*ast.AssignStmt); ok {
				if e := openErr(info, as, f); e != nil && silentOnFailure(info, n, e) {
					found = n
				}
			}
			return found == nil
		}
		for i, st := range list {
			as, ok := st.(*ast.AssignStmt)
			if !ok || i+1 >= len(list) {
				continue
			}
			if ifs, ok := list[i+1].(*ast.IfStmt); ok && ifs.Init == nil {
				if e := openErr(info, as, f); e != nil && silentOnFailure(info, ifs, e) {
					found = ifs
				}
			}
		}
		return found == nil
	})
	return found
}

// openErr returns the error variable as assigns together with f (f, err := os.Create(name)),
// or nil.
func openErr(info *types.Info, as *ast.AssignStmt, f *types.Var) *types.Var {
	if len(as.Rhs) != 1 || len(as.Lhs) != 2 {
		return nil
	}
	if _, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr); !ok {
		return nil
	}
	id0, ok0 := ast.Unparen(as.Lhs[0]).(*ast.Ident)
	id1, ok1 := ast.Unparen(as.Lhs[1]).(*ast.Ident)
	if !ok0 || !ok1 || info.ObjectOf(id0) != f {
		return nil
	}
	e, _ := info.ObjectOf(id1).(*types.Var)
	if e == nil || !deferutil.IsError(e.Type()) {
		return nil
	}
	return e
}

// silentOnFailure reports whether ifs tests e against nil and does nothing on failure
// but leave: if e == nil { ... } with no else (or an empty one), or if e != nil { return }
// (a bare return, continue or break, or nothing).
func silentOnFailure(info *types.Info, ifs *ast.IfStmt, e *types.Var) bool {
	cond, ok := ast.Unparen(ifs.Cond).(*ast.BinaryExpr)
	if !ok {
		return false
	}
	isErr := func(x ast.Expr) bool {
		id, ok := ast.Unparen(x).(*ast.Ident)
		return ok && info.Uses[id] == e
	}
	isNil := func(x ast.Expr) bool {
		id, ok := ast.Unparen(x).(*ast.Ident)
		_, isNil := info.Uses[id].(*types.Nil)
		return ok && isNil
	}
	if !(isErr(cond.X) && isNil(cond.Y) || isNil(cond.X) && isErr(cond.Y)) {
		return false
	}
	silent := func(list []ast.Stmt) bool {
		for _, st := range list {
			switch st := st.(type) {
			case *ast.ReturnStmt:
				if len(st.Results) > 0 {
					return false
				}
			case *ast.BranchStmt:
				if st.Tok != token.CONTINUE && st.Tok != token.BREAK {
					return false
				}
			case *ast.EmptyStmt:
			default:
				return false
			}
		}
		return true
	}
	switch cond.Op {
	case token.EQL:
		if ifs.Else == nil {
			return true
		}
		b, ok := ifs.Else.(*ast.BlockStmt)
		return ok && silent(b.List)
	case token.NEQ:
		return silent(ifs.Body.List)
	}
	return false
}

// artifact returns the call to testing's ArtifactDir in the directory argument of the call
// that opens f (f, err := os.CreateTemp(t.ArtifactDir(), pattern)), or nil.
func artifact(pass *analysis.Pass, fn ast.Node, f *types.Var) *ast.CallExpr {
	info := pass.TypesInfo
	var found *ast.CallExpr
	ast.Inspect(fn, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if found != nil || !ok || len(as.Rhs) != 1 || len(as.Lhs) == 0 {
			return found == nil
		}
		id, ok := ast.Unparen(as.Lhs[0]).(*ast.Ident)
		open, isCall := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		if !ok || !isCall || info.ObjectOf(id) != f || len(open.Args) == 0 ||
			!deferutil.IsFunc(deferutil.Callee(info, open), "os", "Create", "CreateTemp", "OpenFile") {
			return true
		}
		dir := ast.Unparen(open.Args[0])
		if join, ok := dir.(*ast.CallExpr); ok && len(join.Args) > 0 &&
			(deferutil.IsFunc(deferutil.Callee(info, join), "path/filepath", "Join") || deferutil.IsFunc(deferutil.Callee(info, join), "path", "Join")) {
			dir = ast.Unparen(join.Args[0])
		}
		if call, ok := dir.(*ast.CallExpr); ok {
			obj := deferutil.Callee(info, call)
			if deferutil.IsMethod(obj, "testing", "common", "ArtifactDir") || deferutil.IsMethod(obj, "testing", "TB", "ArtifactDir") {
				found = call
			}
		}
		return found == nil
	})
	return found
}
