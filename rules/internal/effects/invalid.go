package effects

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
)

// Values that may be invalid where a deferred call evaluates or makes its call: a function
// variable that may be nil, a value taken before the error it came with is checked. A
// deferred call on one may panic; a fix that moves the call moves that panic.

// FuncMayBeNil reports whether id is a function variable that may be nil where the defer
// evaluates it: declared without a value in the loop body (var f func(); the runtime's own
// test of nil deferred functions does this), or set to nil anywhere in the function. A
// nil deferred function panics when it is called: per iteration, at the iteration's end
// instead of at the return, after less of the loop ran (cmd/divergence seed 7 case 1512:
// f set only on some iterations). A variable set from a call (cancel from
// context.WithCancel) is taken to be callable, as such functions document.
func FuncMayBeNil(info *types.Info, fn ast.Node, id *ast.Ident) bool {
	v, ok := info.Uses[id].(*types.Var)
	if !ok {
		return false
	}
	if _, isFunc := v.Type().Underlying().(*types.Signature); !isFunc {
		return false
	}
	isNil := func(e ast.Expr) bool {
		_, ok := info.Uses[identOf(e)].(*types.Nil)
		return ok
	}
	maybe := false
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if info.Defs[name] == v && (len(n.Values) == 0 || i < len(n.Values) && isNil(n.Values[i])) {
					maybe = true
				}
			}
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				if lid, ok := ast.Unparen(l).(*ast.Ident); ok && info.ObjectOf(lid) == v && len(n.Rhs) == len(n.Lhs) && isNil(n.Rhs[i]) {
					maybe = true
				}
			}
		}
		return !maybe
	})
	return maybe
}

// UsedBeforeCheck returns a variable the deferred call uses (in its function, receiver,
// arguments or a deferred literal's body) that the iteration got together with an error
// from one call, and that error, when no if err != nil between the two tests it: the
// value may be invalid (nil) where the defer stands (cmd/divergence seed 7 case 7619).
func UsedBeforeCheck(info *types.Info, body *ast.BlockStmt, d *ast.DeferStmt) (v, e *types.Var) {
	used := make(map[*types.Var]bool)
	ast.Inspect(d.Call, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if u, ok := info.Uses[id].(*types.Var); ok {
				used[u] = true
			}
		}
		return true
	})
	ast.Inspect(body, func(n ast.Node) bool {
		if v != nil || n == nil || n.Pos() >= d.Pos() {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 || len(as.Lhs) < 2 {
			return true
		}
		if _, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr); !ok {
			return true
		}
		var errVar *types.Var
		var vals []*types.Var
		for _, l := range as.Lhs {
			id, ok := ast.Unparen(l).(*ast.Ident)
			if !ok {
				continue
			}
			lv, ok := info.ObjectOf(id).(*types.Var)
			if !ok {
				continue
			}
			if deferutil.IsError(lv.Type()) {
				if lv.Name() != "_" { // an error dropped on purpose: the value is taken as valid
					errVar = lv
				}
			} else if used[lv] {
				vals = append(vals, lv)
			}
		}
		if errVar == nil || len(vals) == 0 || checkedBetween(info, body, errVar, as.End(), d.Pos()) {
			return true
		}
		v, e = vals[0], errVar
		return false
	})
	return v, e
}

// checkedBetween reports whether an if statement between from and to tests err != nil.
func checkedBetween(info *types.Info, body *ast.BlockStmt, err *types.Var, from, to token.Pos) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found || n == nil || n.End() <= from || n.Pos() >= to {
			return false
		}
		if is, ok := n.(*ast.IfStmt); ok && is.Pos() >= from && deferutil.IsNotNil(info, is.Cond, err) {
			found = true
		}
		return !found
	})
	return found
}

// identOf returns e as an identifier, or nil.
func identOf(e ast.Expr) *ast.Ident {
	id, _ := ast.Unparen(e).(*ast.Ident)
	return id
}
