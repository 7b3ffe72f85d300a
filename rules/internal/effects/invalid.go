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
// context.WithCancel) is taken to be callable, as such functions document; so is one
// declared without a value but set from a call on every path to the defer (setBefore:
// var cancel context.CancelFunc; ctx, cancel = context.WithDeadline(...); defer cancel(),
// as net's dialSerial does), since the zero value never reaches the defer there.
func FuncMayBeNil(info *types.Info, fn ast.Node, id *ast.Ident) bool {
	v, ok := info.Uses[id].(*types.Var)
	if !ok {
		return false
	}
	if _, isFunc := v.Type().Underlying().(*types.Signature); !isFunc {
		return false
	}
	return mayBeNil(info, fn, id, v)
}

// PointerMayBeNil is FuncMayBeNil for a pointer variable, the receiver of a deferred
// method call: var c *Conn; defer c.Close(), with c set later or only on some paths. The
// method may dereference it when the call runs; what it does with nil is not known, so
// the call may panic.
func PointerMayBeNil(info *types.Info, fn ast.Node, id *ast.Ident) bool {
	v, ok := info.Uses[id].(*types.Var)
	if !ok {
		return false
	}
	if _, isPtr := v.Type().Underlying().(*types.Pointer); !isPtr {
		return false
	}
	return mayBeNil(info, fn, id, v)
}

func mayBeNil(info *types.Info, fn ast.Node, id *ast.Ident, v *types.Var) bool {
	isNil := func(e ast.Expr) bool {
		_, ok := info.Uses[identOf(e)].(*types.Nil)
		return ok
	}
	maybe := false
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if info.Defs[name] == v && (len(n.Values) == 0 && !setBefore(info, fn, v, id.Pos()) || i < len(n.Values) && isNil(n.Values[i])) {
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

// setBefore reports whether every path to pos (in fn) runs an assignment of v from a call
// or a function first: a statement S of some statement list that also holds, after S, the
// statement containing pos, with no label from S on (a goto could skip S), and pos in no
// function literal that S is outside of (a literal may be called before S runs). Nil
// assignments are FuncMayBeNil's other case, so S need not be the last assignment.
func setBefore(info *types.Info, fn ast.Node, v *types.Var, pos token.Pos) bool {
	assigns := func(st ast.Stmt) bool {
		as, ok := st.(*ast.AssignStmt)
		if !ok {
			return false
		}
		for i, l := range as.Lhs {
			if lid, ok := ast.Unparen(l).(*ast.Ident); !ok || info.ObjectOf(lid) != v {
				continue
			}
			var rhs ast.Expr
			switch {
			case len(as.Rhs) == len(as.Lhs):
				rhs = ast.Unparen(as.Rhs[i])
			case len(as.Rhs) == 1:
				rhs = ast.Unparen(as.Rhs[0]) // a call with several results
			default:
				return false
			}
			switch r := rhs.(type) {
			case *ast.CallExpr:
				if tv, ok := info.Types[r.Fun]; ok && tv.IsType() {
					return false // a conversion, of a value that may be nil
				}
				return true
			case *ast.FuncLit:
				return true
			case *ast.Ident:
				_, isFunc := info.Uses[r].(*types.Func)
				return isFunc
			case *ast.SelectorExpr:
				_, isFunc := info.Uses[r.Sel].(*types.Func)
				return isFunc && info.Selections[r] == nil // a function of a package
			}
		}
		return false
	}
	found := false
	ast.Inspect(fn, func(n ast.Node) bool {
		if found || n == nil || pos < n.Pos() || n.End() <= pos {
			return false // pos is not inside n
		}
		if lit, ok := n.(*ast.FuncLit); ok && lit != fn {
			return false // a literal's body runs when it is called, not where it stands
		}
		list, _ := deferutil.StmtList(n)
		set := false
		for _, st := range list {
			if _, ok := st.(*ast.LabeledStmt); ok {
				set = false // a goto may reach it without running S
			}
			if st.Pos() <= pos && pos < st.End() {
				found = set
				break
			}
			if assigns(st) {
				set = true
			}
		}
		return !found
	})
	return found
}

// UsedBeforeCheck returns a variable the deferred call uses (in its function, receiver,
// arguments, a deferred literal's body, or the body of a literal the loop body stored in
// the deferred variable) that the iteration got together with an error
// from one call, and that error, when no if err != nil between the two tests it: the
// value may be invalid (nil) where the defer stands (cmd/divergence seed 7 case 7619).
// A defer inside if err == nil { ... } comes after the check (underNilCheck).
func UsedBeforeCheck(info *types.Info, body *ast.BlockStmt, d *ast.DeferStmt) (v, e *types.Var) {
	used := make(map[*types.Var]bool)
	collect := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if u, ok := info.Uses[id].(*types.Var); ok {
					used[u] = true
				}
			}
			return true
		})
	}
	collect(d.Call)
	// A deferred variable holding a literal of the body (finish := func() { tag(r) };
	// defer finish()) uses what the literal reads (cmd/divergence seed 1 case 1711).
	if fv, ok := info.Uses[identOf(d.Call.Fun)].(*types.Var); ok {
		ast.Inspect(body, func(n ast.Node) bool {
			var lhs []*ast.Ident
			var rhs []ast.Expr
			switch n := n.(type) {
			case *ast.AssignStmt:
				for _, l := range n.Lhs {
					lhs = append(lhs, identOf(l))
				}
				rhs = n.Rhs
			case *ast.ValueSpec:
				lhs, rhs = n.Names, n.Values
			}
			for i, id := range lhs {
				if id != nil && info.ObjectOf(id) == fv && len(rhs) == len(lhs) {
					if lit, ok := ast.Unparen(rhs[i]).(*ast.FuncLit); ok {
						collect(lit.Body)
					}
				}
			}
			return true
		})
	}
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
		if errVar == nil || len(vals) == 0 || checkedBetween(info, body, errVar, as.End(), d.Pos()) || underNilCheck(info, body, errVar, as, d) {
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

// underNilCheck reports whether d lies in the body of an if statement, after as or with
// as its init, whose condition requires err == nil (alone or as a conjunct of &&):
// if f, err := open(name); err == nil { defer f.Close() } (pprof's fetch.go).
func underNilCheck(info *types.Info, body *ast.BlockStmt, err *types.Var, as *ast.AssignStmt, d *ast.DeferStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found || n == nil || d.Pos() < n.Pos() || n.End() <= d.Pos() {
			return false // d is not inside n
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		if is, ok := n.(*ast.IfStmt); ok && (is.Init == as || is.Pos() >= as.End()) &&
			is.Body.Pos() <= d.Pos() && d.End() <= is.Body.End() && requiresNil(info, is.Cond, err) &&
			!errSetBetween(info, body, err, as.End(), is.Cond.Pos()) {
			found = true
		}
		return !found
	})
	return found
}

// errSetBetween reports whether err may be set in [from, to): assigned there, or
// addressed anywhere in body (then any call may set it).
func errSetBetween(info *types.Info, body *ast.BlockStmt, err *types.Var, from, to token.Pos) bool {
	set := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.UnaryExpr:
			if id := identOf(n.X); n.Op == token.AND && id != nil && info.Uses[id] == err {
				set = true
			}
		case *ast.AssignStmt:
			if n.Pos() >= from && n.Pos() < to {
				for _, l := range n.Lhs {
					if id := identOf(l); id != nil && info.ObjectOf(id) == err {
						set = true
					}
				}
			}
		}
		return !set
	})
	return set
}

// requiresNil reports whether cond can be true only when err == nil.
func requiresNil(info *types.Info, cond ast.Expr, err *types.Var) bool {
	b, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok {
		return false
	}
	switch b.Op {
	case token.LAND:
		return requiresNil(info, b.X, err) || requiresNil(info, b.Y, err)
	case token.EQL:
		x, y := ast.Unparen(b.X), ast.Unparen(b.Y)
		if id := identOf(y); id != nil && info.Uses[id] == err {
			x, y = y, x
		}
		id, nilID := identOf(x), identOf(y)
		if id == nil || nilID == nil {
			return false
		}
		_, isNil := info.Uses[nilID].(*types.Nil)
		return isNil && info.Uses[id] == err
	}
	return false
}

// identOf returns e as an identifier, or nil.
func identOf(e ast.Expr) *ast.Ident {
	id, _ := ast.Unparen(e).(*ast.Ident)
	return id
}
