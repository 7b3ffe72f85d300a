package deferargs

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/effects"
	"github.com/deferfix/deferfix/rules/internal/fixes"
	"github.com/deferfix/deferfix/rules/internal/ruledoc"
)

var sprintf = fmt.Sprintf

//go:embed doc.go
var doc string

// Analyzer reports deferred call arguments evaluated at the defer statement by mistake.
var Analyzer = &analysis.Analyzer{
	Name:     "deferargs",
	Doc:      ruledoc.Extract(doc, "deferargs"),
	URL:      "https://pkg.go.dev/github.com/deferfix/deferfix/rules/deferargs",
	Requires: []*analysis.Analyzer{inspect.Analyzer, effects.Analyzer},
	Run:      run,
}

// Fix titles.
const (
	titleWrap        = "Defer a closure so the arguments are evaluated when the call runs"
	titleWrapRecover = "Defer a closure that calls recover" + fixes.UnsafeSuffix
	titleWrapPanic   = titleWrap + fixes.UnsafeSuffix
)

// early is an argument expression evaluated at the defer statement by mistake.
type early struct {
	expr    ast.Expr
	message string
	unsafe  bool // the fix changes what happens on panic
}

func run(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		d := cur.Node().(*ast.DeferStmt)
		var found []early
		for _, arg := range d.Call.Args {
			found = append(found, earlyArgs(pass.TypesInfo, arg)...)
		}
		found = append(found, reassignedArgs(pass, cur, d)...)
		if len(found) == 0 {
			continue
		}
		report(pass, cur, d, found)
	}
	return nil, nil
}

// earlyArgs returns the mistaken early evaluations in arg; function literals are not
// entered, since their bodies run when they are called.
func earlyArgs(info *types.Info, arg ast.Expr) []early {
	var found []early
	ast.Inspect(arg, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			callee := deferutil.Callee(info, n)
			switch {
			case deferutil.IsFunc(callee, "time", "Since"):
				found = append(found, early{n, "time.Since is evaluated at the defer statement, not when the deferred call runs, so it measures nothing", false})
				return false
			case deferutil.IsMethod(callee, "time", "Time", "Sub") && isTimeNow(info, n.Fun):
				found = append(found, early{n, "time.Now().Sub is evaluated at the defer statement, not when the deferred call runs, so it measures nothing", false})
				return false
			case deferutil.IsBuiltin(info, n, "recover"):
				found = append(found, early{n, "recover is called at the defer statement, where it returns nil, so it stops no panic", true})
				return false
			}
		}
		return true
	})
	return found
}

// reassignedArgs returns the arguments that are an error variable or a named result of
// the function assigned after the defer statement: the deferred call sees the value from
// the defer statement (for an error, nearly always nil), not the one the variable has
// when the call runs. Other variables are left alone: saving a value to restore it later
// (defer SetLabels(ctx); ctx = ...; defer closeDB(db); db = ...) is the common reason to
// pass one that changes — all 9 such findings on the standard library were that idiom.
// Defers in loops are left alone too, and variables whose address is taken.
func reassignedArgs(pass *analysis.Pass, cur inspector.Cursor, d *ast.DeferStmt) []early {
	info := pass.TypesInfo
	fn, ok := deferutil.Func(cur)
	if !ok || len(deferutil.Loops(cur, fn)) > 0 {
		return nil
	}
	_, body := deferutil.FuncParts(fn.Node())
	var found []early
	for _, arg := range d.Call.Args {
		id, ok := ast.Unparen(arg).(*ast.Ident)
		if !ok {
			continue
		}
		v, ok := info.Uses[id].(*types.Var)
		if !ok || v.Pos() < fn.Node().Pos() || v.Pos() >= fn.Node().End() {
			continue // not the function's own variable
		}
		if !deferutil.IsError(v.Type()) && !isResult(info, fn.Node(), v) {
			continue
		}
		if at := assignmentAfter(info, body, v, d.End()); at != nil {
			found = append(found, early{id, sprintf("%s is evaluated at the defer statement, but it is assigned again on line %d, so the deferred call sees its old value", id.Name, pass.Fset.Position(at.Pos()).Line), false})
		}
	}
	return found
}

// isResult reports whether v is a named result of fn.
func isResult(info *types.Info, fn ast.Node, v *types.Var) bool {
	ft, _ := deferutil.FuncParts(fn)
	if ft == nil || ft.Results == nil {
		return false
	}
	for _, f := range ft.Results.List {
		for _, id := range f.Names {
			if info.Defs[id] == v {
				return true
			}
		}
	}
	return false
}

// assignmentAfter returns the first assignment to v after pos in body, or nil; nil also
// when v's address is taken anywhere.
func assignmentAfter(info *types.Info, body *ast.BlockStmt, v *types.Var, pos token.Pos) ast.Node {
	var at ast.Node
	addressed := false
	is := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && info.ObjectOf(id) == v
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.UnaryExpr:
			addressed = addressed || n.Op == token.AND && is(n.X)
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if n.Pos() > pos && is(l) && at == nil {
					at = n
				}
			}
		case *ast.IncDecStmt:
			if n.Pos() > pos && is(n.X) && at == nil {
				at = n
			}
		}
		return true
	})
	if addressed {
		return nil
	}
	return at
}

// isTimeNow reports whether fun is the selector time.Now().Sub.
func isTimeNow(info *types.Info, fun ast.Expr) bool {
	sel, ok := ast.Unparen(fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	call, ok := ast.Unparen(sel.X).(*ast.CallExpr)
	return ok && deferutil.IsFunc(deferutil.Callee(info, call), "time", "Now")
}

func report(pass *analysis.Pass, cur inspector.Cursor, d *ast.DeferStmt, found []early) {
	unsafe := false
	for _, e := range found {
		unsafe = unsafe || e.unsafe
	}
	first := found[0]
	if reason, at := unstable(pass.TypesInfo, cur, d, found); reason != "" {
		fixes.Refuse(pass, first.expr, at.Pos(), first.message, reason)
		return
	}
	// The closure calls the deferred function: if that calls recover, it no longer
	// stops a panic, as recover works only called by the deferred function itself.
	rec := effects.Unknown
	if res, ok := pass.ResultOf[effects.Analyzer].(*effects.Result); ok {
		rec = res.Recover(d.Call)
	}
	if rec == effects.Recovers {
		fixes.Refuse(pass, first.expr, d.Pos(), first.message, "the deferred function recovers panics; called from a closure, its recover would stop none")
		return
	}
	title := titleWrap
	var related []analysis.RelatedInformation
	if unsafe {
		title = titleWrapRecover
	} else if rec == effects.Unknown {
		title = titleWrapPanic
		related = append(related, analysis.RelatedInformation{Pos: d.Pos(), End: d.Pos(), Message: fixes.UnsafePrefix + sprintf("%s may recover panics (its callee is not known here); called from a closure, its recover would stop none", types.ExprString(d.Call.Fun))})
	} else if why := mayPanic(pass.TypesInfo, cur, d, found); why != "" {
		title = titleWrapPanic
		related = append(related, analysis.RelatedInformation{Pos: d.Pos(), End: d.Pos(), Message: fixes.UnsafePrefix + why + ": the panic would move from the defer statement to the return"})
	}
	fix, err := fixes.FixAt(pass, deferutil.File(cur), d, title, func(f *fixes.File) error { return wrap(f, d) })
	if err != nil {
		fixes.Refuse(pass, first.expr, token.NoPos, first.message, err.Error())
		return
	}
	pass.Report(analysis.Diagnostic{
		Pos:            first.expr.Pos(),
		End:            first.expr.End(),
		Message:        first.message,
		Related:        related,
		SuggestedFixes: []analysis.SuggestedFix{fix},
	})
}
