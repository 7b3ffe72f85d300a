package deferargs

import (
	"fmt"
	"go/ast"
	"go/types"

	"github.com/dave/dst"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/effects"
	"github.com/deferfix/deferfix/rules/internal/explicit"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

// The rewrite:
//
//	defer f(a, time.Since(t))  ⇒  defer func() { f(a, time.Since(t)) }()
//
// It delays the evaluation of f, a, any receiver, and the operands of the mistaken
// argument (t) from the defer statement to the function's return. unstable refuses the
// fix unless each of them has the same value then: effects.Span.MayChange over the code
// that may run in between (everything after the defer and, in a loop, the whole loop).
// Only the mistaken call itself (time.Since, recover) and the reassigned error or result
// are meant to be evaluated late. A panic evaluating them (a nil interface's method
// value, an index out of range) would move from the defer statement to the return:
// mayPanic makes the fix unsafe then (effects.EvalMayPanic).

// unstable returns why deferring a closure would change the value of an expression other
// than the mistaken ones, and where; "" if nothing would.
func unstable(info *types.Info, cur inspector.Cursor, d *ast.DeferStmt, found []early) (string, ast.Node) {
	fn, ok := deferutil.Func(cur)
	if !ok {
		return "defer outside a function", d
	}
	span := effects.NewFunc(info, fn.Node(), nil).After(d)
	skip := make(map[ast.Node]bool)
	for _, e := range found {
		skip[e.expr] = true
	}
	var reason string
	var at ast.Node
	var check func(e ast.Expr)
	check = func(e ast.Expr) {
		if reason != "" || e == nil {
			return
		}
		if skip[e] {
			// The mistaken call is meant to run late; its operands are not.
			if call, ok := e.(*ast.CallExpr); ok {
				for _, a := range call.Args {
					check(a) // t in time.Since(t) or time.Now().Sub(t); time.Now runs late too
				}
			}
			return
		}
		if !containsAny(e, skip) {
			if n, why := span.MayChange(e); n != nil {
				reason, at = "deferring a closure would also delay reading a value that may change after the defer: "+why, n
			}
			return
		}
		switch x := ast.Unparen(e).(type) {
		case *ast.CallExpr:
			if tv, ok := info.Types[x.Fun]; ok && tv.IsType() {
				check(x.Args[0]) // a conversion
				return
			}
			if sel, ok := ast.Unparen(x.Fun).(*ast.SelectorExpr); ok && skip[ast.Unparen(sel.X)] {
				check(sel.X) // a method of a mistaken value, as in time.Since(t).Seconds()
				for _, a := range x.Args {
					check(a)
				}
				return
			}
			reason, at = "deferring a closure would also delay another call among the arguments", x
		case *ast.BinaryExpr:
			check(x.X)
			check(x.Y)
		case *ast.UnaryExpr:
			check(x.X)
		case *ast.CompositeLit:
			for _, el := range x.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					check(kv.Key)
					el = kv.Value
				}
				check(el)
			}
		case *ast.KeyValueExpr:
			check(x.Key)
			check(x.Value)
		default:
			reason, at = sprintf("deferring a closure would also delay evaluating %s", types.ExprString(e)), e
		}
	}
	fun := ast.Unparen(d.Call.Fun)
	if sel, ok := fun.(*ast.SelectorExpr); ok && info.Selections[sel] != nil && info.Selections[sel].Kind() == types.MethodVal {
		if n, why := span.RecvMayChange(sel); n != nil {
			return "deferring a closure would also delay evaluating the method's receiver: " + why, n
		}
	} else if explicit.StaticFunc(info, d.Call) == nil {
		check(fun)
	}
	for _, a := range d.Call.Args {
		check(a)
	}
	return reason, at
}

// mayPanic returns why evaluating the deferred call's function and arguments — at the
// defer statement today, at the return after the fix — may panic; "" if it cannot. The
// mistaken calls (time.Since, time.Now().Sub, recover) do not panic.
func mayPanic(info *types.Info, cur inspector.Cursor, d *ast.DeferStmt, found []early) string {
	fn, ok := deferutil.Func(cur)
	if !ok {
		return "defer outside a function"
	}
	f := effects.NewFunc(info, fn.Node(), nil)
	nonNil := f.NonNilAt(d, f.After(d))
	skip := make(map[ast.Node]bool)
	for _, e := range found {
		skip[e.expr] = true
	}
	if n, why := effects.EvalMayPanic(info, &ast.CallExpr{Fun: d.Call.Fun}, nonNil); n != nil {
		return why
	}
	var why string
	var visit func(e ast.Expr)
	visit = func(e ast.Expr) {
		if why != "" || e == nil {
			return
		}
		if call, ok := ast.Unparen(e).(*ast.CallExpr); ok && (skip[call] || isMistakenMethod(info, call, skip)) {
			for _, a := range call.Args {
				visit(a)
			}
			if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && !isTimeNow(info, call.Fun) && !skip[call] {
				visit(sel.X)
			}
			return
		}
		if skip[e] {
			return
		}
		if !containsAny(e, skip) {
			if n, w := effects.MayPanic(info, &ast.ExprStmt{X: e}, nonNil); n != nil {
				why = w
			}
			return
		}
		ast.Inspect(e, func(n ast.Node) bool {
			if x, ok := n.(ast.Expr); ok && n != e {
				visit(x)
				return false
			}
			return true
		})
	}
	for _, a := range d.Call.Args {
		visit(a)
	}
	return why
}

// isMistakenMethod reports whether call is a method of a mistaken value, as in
// time.Since(t).Seconds().
func isMistakenMethod(info *types.Info, call *ast.CallExpr, skip map[ast.Node]bool) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	return ok && skip[ast.Unparen(sel.X)]
}

// containsAny reports whether e holds one of nodes.
func containsAny(e ast.Node, nodes map[ast.Node]bool) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		found = found || nodes[n]
		return !found
	})
	return found
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
