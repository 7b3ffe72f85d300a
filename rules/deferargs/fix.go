package deferargs

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

// The rewrite:
//
//	defer f(a, time.Since(t))  ⇒  defer func() { f(a, time.Since(t)) }()
//
// It delays the evaluation of f, a, and any receiver as well as of the mistaken argument.
// unstable refuses the fix unless each of those would evaluate to the same value at the
// later time. What it accepts: constants and literals; package names, functions, and
// package-level variables (assigning a global while a defer is pending is not a pattern
// worth a refusal); local variables and parameters that are neither assigned after the
// defer statement (for a defer inside a loop: anywhere in the innermost loop, since the
// next iteration runs after this one's defer) nor have their address taken; field and
// index expressions, unary and binary operators, conversions, and composite literals over
// those, where no assignment in the function after the defer targets the same field.
// Any other call, a receive, or a type assertion on a changing value is refused.

// unstable returns why deferring a closure would change the value of an expression other
// than the mistaken ones, and where; "" if nothing would.
func unstable(info *types.Info, cur inspector.Cursor, d *ast.DeferStmt, found []early) (string, ast.Node) {
	fn, ok := deferutil.Func(cur)
	if !ok {
		return "defer outside a function", d
	}
	_, body := deferutil.FuncParts(fn.Node())
	after := d.End()
	region := ast.Node(body)
	if loops := deferutil.Loops(cur, fn); len(loops) > 0 {
		region = loops[0].Node()
		after = region.Pos()
	}
	changed := assignedAfter(info, body, region, after)
	skip := make(map[ast.Node]bool)
	for _, e := range found {
		skip[e.expr] = true
	}
	var reason string
	var at ast.Node
	check := func(e ast.Expr) {
		ast.Inspect(e, func(n ast.Node) bool {
			if reason != "" || n == nil || skip[n] {
				return false
			}
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.Ident:
				if obj := info.Uses[n]; obj != nil && changed[obj] {
					reason, at = fmt.Sprintf("deferring a closure would also delay reading %s, which changes after the defer", n.Name), n
				}
			case *ast.SelectorExpr:
				if sel := info.Selections[n]; sel != nil && changed[sel.Obj()] {
					reason, at = fmt.Sprintf("deferring a closure would also delay reading %s, which changes after the defer", n.Sel.Name), n
				}
			case *ast.CallExpr:
				if tv, ok := info.Types[n.Fun]; ok && tv.IsType() {
					return true // conversion
				}
				if b, ok := deferutil.Callee(info, n).(*types.Builtin); ok && (b.Name() == "len" || b.Name() == "cap") {
					return true
				}
				if n == d.Call {
					return true // the deferred call itself: its function value and arguments are checked
				}
				if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok && skip[ast.Unparen(sel.X)] {
					skip[n] = true // a method of a mistaken value, as in time.Since(t).Seconds()
					return false
				}
				reason, at = "deferring a closure would also delay another call among the arguments", n
			case *ast.UnaryExpr:
				if n.Op == token.ARROW {
					reason, at = "deferring a closure would also delay a channel receive", n
				}
			}
			return true
		})
	}
	check(d.Call)
	return reason, at
}

// assignedAfter returns the objects (variables and fields) that may change after pos: those
// assigned in region at or after pos, or whose address is taken anywhere in body.
func assignedAfter(info *types.Info, body *ast.BlockStmt, region ast.Node, pos token.Pos) map[types.Object]bool {
	changed := make(map[types.Object]bool)
	mark := func(e ast.Expr) {
		switch e := ast.Unparen(e).(type) {
		case *ast.Ident:
			if obj := info.ObjectOf(e); obj != nil {
				changed[obj] = true
			}
		case *ast.SelectorExpr:
			if sel := info.Selections[e]; sel != nil {
				changed[sel.Obj()] = true
			}
		}
	}
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		later := n.Pos() >= pos && n.End() <= region.End()
		switch n := n.(type) {
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				mark(n.X)
			}
		case *ast.AssignStmt:
			if later {
				for _, l := range n.Lhs {
					mark(l)
				}
			}
		case *ast.IncDecStmt:
			if later {
				mark(n.X)
			}
		case *ast.RangeStmt:
			if later && n.Tok == token.ASSIGN {
				mark(n.Key)
				mark(n.Value)
			}
		}
		return true
	})
	return changed
}

// wrap rewrites the defer statement d of f into a deferred closure calling the same thing.
func wrap(f *fixes.File, d *ast.DeferStmt) error {
	ds, ok := f.Node(d).(*dst.DeferStmt)
	if !ok {
		return fmt.Errorf("defer statement not found in the decorated file")
	}
	call := ds.Call
	ds.Call = &dst.CallExpr{Fun: &dst.FuncLit{
		Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}},
		Body: &dst.BlockStmt{List: []dst.Stmt{&dst.ExprStmt{X: call}}},
	}}
	return nil
}
