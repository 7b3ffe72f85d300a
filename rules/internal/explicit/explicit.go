// Package explicit replaces a defer by explicit calls at every exit of the region it
// guards — the rest of a loop iteration, or the rest of a function — and decides whether
// that keeps the program's meaning.
//
// The explicit calls run where the deferred call would have run on every path that does
// not panic: before each return (after its results are evaluated), before each break or
// continue that leaves the region, and at the region's end when control can reach it. On a
// panic inside the region the deferred call runs and an explicit one does not, so the
// rewrite is safe only when nothing in the region can panic. The proof (mayPanic) accepts:
//
//   - assignments, ++ and --, declarations, blocks, labels, if, for, switch and type switch,
//     range over arrays, slices, strings, maps, integers and channels, break, continue,
//     return;
//   - reads of variables and constants; fields of struct values; fields through a pointer
//     that the defer statement itself dereferenced (c in defer c.mu.Unlock(): had c been
//     nil, the defer would have panicked) and that nothing reassigns after it;
//   - arithmetic, except integer division by a non-constant and shifts by a signed
//     non-constant count; comparisons of values that are not interfaces, and with nil; map
//     reads whose keys hold no interface; array elements at constant indices; conversions
//     between basic types or to interfaces; comma-ok type assertions; function and
//     composite literals;
//   - the builtins len, cap, min, max, append, copy, new, complex, real, imag, clear,
//     print and println.
//
// Anything else may panic — a call, a slice or string index, a single-value type
// assertion, a channel operation, a map write (the map may be nil) — and the fix is then
// offered as unsafe.
//
// Refused outright, because the explicit calls would differ even without a panic: a
// second defer in the region, a goto, a deferred function or argument that is not stable
// (the region assigns it, or its address is taken, or it is computed by a call), a
// deferred literal that would be copied to several exits, a result value whose type is
// not the result's own, and a region whose end no path reaches.
package explicit

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

// Region is a defer and the statements it guards.
type Region struct {
	Pkg   *types.Package
	Info  *types.Info
	Fn    ast.Node       // *ast.FuncDecl or *ast.FuncLit holding the defer
	Block *ast.BlockStmt // the loop body or function body; the defer is one of its statements
	Defer *ast.DeferStmt

	// For a caller that keeps a guard defer elsewhere (loopdefer): Mark, if set, takes
	// the defer statement's place; Clear, if set, makes the statement put before each
	// explicit call; Names, if set, are the fresh names the caller already took.
	Mark  dst.Stmt
	Clear func() dst.Stmt
	Names *deferutil.Names
	// Evaluated says the caller evaluates the deferred call's receiver, function value
	// and arguments where the defer stood, into variables of its own, and makes the call
	// at each exit from them (Call): they need not be stable, and only a function named
	// statically (StaticFunc) must mean the same at the exits.
	Evaluated bool
	Call      func() *dst.CallExpr
	// Later are defers after this one in Block that the caller rewrites too, each as a
	// region of its own and before this one: their calls then come first at the exits
	// after them, as deferred calls run in reverse, and returns there already hold their
	// results.
	Later []*ast.DeferStmt

	stmts   []ast.Stmt // the statements after the defer
	exits   []ast.Stmt // branch and return statements leaving the region
	falls   bool       // control can reach the end of the block
	sig     *types.Signature
	nonNil  map[*types.Var]bool // pointers the defer statement dereferenced
	results map[*ast.ReturnStmt][]bool
	merged  map[*ast.FuncLit]bool // deferred literals merged with this defer (merge.go)
}

// A Plan is what Check found: whether the rewrite is possible, and whether it is safe.
type Plan struct {
	Refused  string    // why no explicit calls can replace the defer; "" if they can
	At       token.Pos // what the refusal or the panic is about
	MayPanic string    // what in the region may panic; "" when the proof holds
}

// Check analyzes the region.
func (r *Region) Check() Plan {
	switch fn := r.Fn.(type) {
	case *ast.FuncDecl:
		r.sig = r.Info.Defs[fn.Name].(*types.Func).Signature()
	case *ast.FuncLit:
		r.sig = r.Info.TypeOf(fn).(*types.Signature)
	}
	i := -1
	for j, s := range r.Block.List {
		if s == r.Defer {
			i = j
		}
	}
	if i < 0 {
		return Plan{Refused: "the defer is not a statement of the block it guards", At: r.Defer.Pos()}
	}
	r.stmts = r.Block.List[i+1:]
	if p := r.collectExits(); p.Refused != "" {
		return p
	}
	exits := make(map[ast.Stmt]bool)
	for _, x := range r.exits {
		exits[x] = true
	}
	r.falls = len(r.stmts) == 0 || !deferutil.Terminating(r.Info, r.stmts[len(r.stmts)-1], exits)
	if !r.falls && len(r.exits) == 0 {
		return Plan{Refused: "no path leaves the region normally", At: r.Defer.Pos()}
	}
	if !r.Evaluated {
		if p := r.checkStable(); p.Refused != "" {
			return p
		}
	}
	if p := r.checkGotos(); p.Refused != "" {
		return p
	}
	if p := r.checkScopes(); p.Refused != "" {
		return p
	}
	if r.recovers() {
		return Plan{Refused: "the deferred call recovers panics", At: r.Defer.Pos()}
	}
	if r.changesResults() {
		return Plan{Refused: "the deferred call may change the named results after return sets them", At: r.Defer.Pos()}
	}
	if _, ok := ast.Unparen(r.Defer.Call.Fun).(*ast.FuncLit); ok && len(r.exits)+btoi(r.falls) > 1 {
		return Plan{Refused: "the deferred literal would be copied to every exit", At: r.Defer.Pos()}
	}
	if p := r.checkResults(); p.Refused != "" {
		return p
	}
	r.nonNil = make(map[*types.Var]bool)
	r.derefs(r.Defer.Call, r.nonNil)
	for v := range r.nonNil {
		if r.assigned(v) {
			delete(r.nonNil, v)
		}
	}
	for _, s := range r.stmts {
		if n, why := r.mayPanic(s); n != nil {
			return Plan{At: n.Pos(), MayPanic: why}
		}
	}
	return Plan{}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// collectExits finds the statements that leave the region, and refuses gotos and defers.
func (r *Region) collectExits() Plan {
	var p Plan
	// targets holds the statements break and continue may name inside the region.
	var walk func(n ast.Node, inner []ast.Node) bool
	walk = func(n ast.Node, inner []ast.Node) bool {
		ast.Inspect(n, func(x ast.Node) bool {
			if p.Refused != "" {
				return false
			}
			switch x := x.(type) {
			case *ast.FuncLit:
				return false
			case *ast.DeferStmt:
				if !slices.Contains(r.Later, x) {
					p = Plan{Refused: "another defer follows in the region", At: x.Pos()}
				}
			case *ast.ReturnStmt:
				r.exits = append(r.exits, x)
			case *ast.BranchStmt:
				switch x.Tok {
				case token.GOTO:
					p = Plan{Refused: "a goto in the region", At: x.Pos()}
				case token.BREAK, token.CONTINUE:
					if !r.internal(x, inner) {
						r.exits = append(r.exits, x)
					}
				}
			case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.LabeledStmt:
				if x != n {
					walk(x, push(inner, x))
					return false
				}
			}
			return true
		})
		return p.Refused == ""
	}
	for _, s := range r.stmts {
		if !walk(s, push(nil, s)) {
			return p
		}
	}
	return p
}

// push returns inner with n added when break or continue can name n.
func push(inner []ast.Node, n ast.Node) []ast.Node {
	switch n.(type) {
	case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.LabeledStmt:
		return append(inner[:len(inner):len(inner)], n)
	}
	return inner
}

// internal reports whether a break or continue targets a statement inside the region.
func (r *Region) internal(b *ast.BranchStmt, inner []ast.Node) bool {
	if b.Label != nil {
		for _, n := range inner {
			if ls, ok := n.(*ast.LabeledStmt); ok && ls.Label.Name == b.Label.Name {
				return true
			}
		}
		return false
	}
	for i := len(inner) - 1; i >= 0; i-- {
		switch inner[i].(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			if b.Tok == token.BREAK {
				return true
			}
		}
	}
	return false
}

// checkGotos refuses a goto that jumps into the region from before the defer: that path
// reaches the exits without the defer having run.
func (r *Region) checkGotos() Plan {
	_, body := deferutil.FuncParts(r.Fn)
	start, end := r.Defer.End(), r.Block.End()
	var p Plan
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.BranchStmt:
			if n.Tok != token.GOTO || n.Label == nil {
				break
			}
			if l := r.Info.Uses[n.Label]; l != nil && start <= l.Pos() && l.Pos() < end && !(start <= n.Pos() && n.Pos() < end) {
				p = Plan{Refused: "a goto jumps past the defer into the region", At: n.Pos()}
			}
		}
		return p.Refused == ""
	})
	return p
}

// checkScopes refuses when a name in the deferred call means something else at an exit:
// the copy placed there would call or release another thing.
func (r *Region) checkScopes() Plan {
	if !r.Evaluated {
		return r.scopesOf(r.Defer.Call)
	}
	if fun := StaticFunc(r.Info, r.Defer.Call); fun != nil {
		return r.scopesOf(fun)
	}
	return Plan{}
}

// scopesOf refuses when a name in call, a part of the deferred call, means something
// else at an exit.
func (r *Region) scopesOf(call ast.Node) Plan {
	var ids []*ast.Ident // the names resolved in scope: not fields, methods or package members
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(n.X, visit) // n.Sel is a field, a method or a package's member
			return false
		case *ast.Ident:
			ids = append(ids, n)
		}
		return true
	}
	ast.Inspect(call, visit)
	pkgScope := r.Pkg.Scope()
	check := func(pos token.Pos) Plan {
		scope := pkgScope.Innermost(pos)
		if scope == nil {
			return Plan{Refused: "no scope at an exit", At: pos}
		}
		for _, id := range ids {
			obj := r.Info.Uses[id]
			if obj == nil || (call.Pos() <= obj.Pos() && obj.Pos() < call.End()) {
				continue // declared inside the deferred literal
			}
			if _, at := scope.LookupParent(id.Name, pos); at != obj {
				return Plan{Refused: sprintf("%s means something else at an exit", id.Name), At: pos}
			}
		}
		return Plan{}
	}
	for _, e := range r.exits {
		if p := check(e.Pos()); p.Refused != "" {
			return p
		}
	}
	if r.falls {
		return check(r.Block.Rbrace)
	}
	return Plan{}
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// Stable reports whether e, an expression of the deferred call, has the same value at
// every exit as at the defer, and every name in it means the same there. Valid after
// Check.
func (r *Region) Stable(e ast.Expr) bool {
	return r.stableValue(e) && r.scopesOf(e).Refused == ""
}

// StaticFunc returns the deferred call's function when it is named statically — a
// function, pkg.F, a method expression T.M — and nil when it is a value evaluated at the
// defer: a method's receiver, a function variable or field, a call's result.
func StaticFunc(info *types.Info, call *ast.CallExpr) ast.Expr {
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		if _, ok := info.Uses[f].(*types.Func); ok {
			return f
		}
	case *ast.SelectorExpr:
		if sel := info.Selections[f]; sel == nil {
			if _, ok := info.Uses[f.Sel].(*types.Func); ok {
				return f
			}
		} else if sel.Kind() == types.MethodExpr {
			return f
		}
	case *ast.IndexExpr, *ast.IndexListExpr: // an instantiated generic function
		if x := ast.Unparen(typeparamsFunc(f)); x != nil {
			if id, ok := x.(*ast.Ident); ok {
				if _, ok := info.Uses[id].(*types.Func); ok {
					return f
				}
			}
			if se, ok := x.(*ast.SelectorExpr); ok && info.Selections[se] == nil {
				if _, ok := info.Uses[se.Sel].(*types.Func); ok {
					return f
				}
			}
		}
	}
	return nil
}

func typeparamsFunc(e ast.Expr) ast.Expr {
	switch e := e.(type) {
	case *ast.IndexExpr:
		return e.X
	case *ast.IndexListExpr:
		return e.X
	}
	return nil
}

// checkStable refuses a deferred call whose function or arguments could have another value
// at an exit than at the defer statement.
func (r *Region) checkStable() Plan {
	call := r.Defer.Call
	if !r.stableFunc(call.Fun) {
		return Plan{Refused: "the deferred function may change before the region ends", At: call.Fun.Pos()}
	}
	for _, a := range call.Args {
		if !r.stableValue(a) {
			return Plan{Refused: "a deferred argument may change before the region ends", At: a.Pos()}
		}
	}
	return Plan{}
}

func (r *Region) stableFunc(fun ast.Expr) bool {
	fun = ast.Unparen(fun)
	switch f := fun.(type) {
	case *ast.FuncLit:
		return true
	case *ast.Ident:
		if _, ok := r.Info.Uses[f].(*types.Func); ok {
			return true
		}
		return r.stableValue(f)
	case *ast.SelectorExpr:
		sel := r.Info.Selections[f]
		if sel == nil { // pkg.F or pkg.V
			if _, ok := r.Info.Uses[f.Sel].(*types.Func); ok {
				return true
			}
			return r.stableValue(f)
		}
		if sel.Kind() == types.MethodVal {
			m := sel.Obj().(*types.Func)
			_, ptrRecv := m.Signature().Recv().Type().Underlying().(*types.Pointer)
			_, ptrOperand := r.Info.TypeOf(f.X).Underlying().(*types.Pointer)
			if types.IsInterface(r.Info.TypeOf(f.X)) {
				return r.stableValue(f.X)
			}
			if len(sel.Index()) > 1 && (ptrOperand || embeddedPointer(sel)) {
				return false // the receiver is read through a pointer at the defer
			}
			if ptrRecv && !ptrOperand {
				return r.stableAddr(f.X) // the receiver is &x
			}
			if !ptrRecv && ptrOperand {
				return false // the receiver is a copy of *x made at the defer; x's target may change
			}
			return r.stableValue(f.X)
		}
		return r.stableValue(f)
	}
	return false
}

// stableValue reports whether e evaluates to the same value at every exit as at the defer.
func (r *Region) stableValue(e ast.Expr) bool {
	e = ast.Unparen(e)
	if tv, ok := r.Info.Types[e]; ok && tv.Value != nil {
		return true
	}
	switch e := e.(type) {
	case *ast.Ident:
		switch obj := r.Info.Uses[e].(type) {
		case *types.Nil, *types.Const, *types.Func:
			return true
		case *types.Var:
			return r.stableVar(obj)
		}
	case *ast.SelectorExpr:
		if sel := r.Info.Selections[e]; sel == nil { // pkg.V
			v, ok := r.Info.Uses[e.Sel].(*types.Var)
			return ok && r.stableVar(v)
		} else if sel.Kind() == types.FieldVal && !sel.Indirect() {
			return r.stableValue(e.X)
		}
	case *ast.UnaryExpr:
		if e.Op == token.AND {
			return r.stableAddr(e.X)
		}
	}
	return false
}

// stableAddr reports whether the address of the variable or field path e is the same at
// every exit: a variable, or a field of one, or a field through a stable pointer.
func (r *Region) stableAddr(e ast.Expr) bool {
	e = ast.Unparen(e)
	switch e := e.(type) {
	case *ast.Ident:
		_, ok := r.Info.Uses[e].(*types.Var)
		return ok
	case *ast.SelectorExpr:
		sel := r.Info.Selections[e]
		if sel == nil {
			_, ok := r.Info.Uses[e.Sel].(*types.Var)
			return ok
		}
		if sel.Kind() != types.FieldVal {
			return false
		}
		if sel.Indirect() {
			return len(sel.Index()) == 1 && r.stableValue(e.X)
		}
		return r.stableAddr(e.X)
	}
	return false
}

// stableVar reports whether nothing can assign v between the defer and an exit: the
// region does not, no pointer to it exists, and for a package-level variable the region
// calls nothing.
func (r *Region) stableVar(v *types.Var) bool {
	if r.assigned(v) || r.aliased(v) {
		return false
	}
	if v.Parent() == v.Pkg().Scope() {
		for _, s := range r.stmts {
			calls := false
			ast.Inspect(s, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok && !r.Info.Types[c.Fun].IsType() {
					calls = true
				}
				return !calls
			})
			if calls {
				return false
			}
		}
	}
	return true
}

// assigned reports whether the region assigns v, or a part of it — a field of a struct
// value, an element of an array (also inside function literals).
func (r *Region) assigned(v *types.Var) bool {
	found := false
	is := func(e ast.Expr) bool {
		id, ok := Root(r.Info, e).(*ast.Ident)
		return ok && (r.Info.Uses[id] == v || r.Info.Defs[id] == v)
	}
	for _, s := range r.stmts {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for _, l := range n.Lhs {
					found = found || is(l)
				}
			case *ast.IncDecStmt:
				found = found || is(n.X)
			case *ast.RangeStmt:
				found = found || (n.Key != nil && is(n.Key)) || (n.Value != nil && is(n.Value))
			}
			return !found
		})
	}
	return found
}

// Root strips the field selections and array indexing that stay inside the variable e
// starts from: writing to the result changes that variable.
func Root(info *types.Info, e ast.Expr) ast.Expr {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.SelectorExpr:
			if sel := info.Selections[x]; sel != nil && sel.Kind() == types.FieldVal && !sel.Indirect() {
				e = x.X
				continue
			}
		case *ast.IndexExpr:
			if _, ok := info.TypeOf(x.X).Underlying().(*types.Array); ok {
				e = x.X
				continue
			}
		}
		return ast.Unparen(e)
	}
}

// aliased reports whether the function takes v's address (&v, a pointer method called on
// it) or a function literal refers to it: then code elsewhere may change it.
func (r *Region) aliased(v *types.Var) bool {
	if v.Parent() == v.Pkg().Scope() {
		return false // a package variable's address does not matter: calls are checked instead
	}
	_, body := deferutil.FuncParts(r.Fn)
	root := func(e ast.Expr) bool {
		id, ok := Root(r.Info, e).(*ast.Ident)
		return ok && r.Info.Uses[id] == v
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			if n == ast.Unparen(r.Defer.Call.Fun) || r.merged[n] {
				return true // the deferred literal itself runs where the call runs
			}
			ast.Inspect(n.Body, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok && r.Info.Uses[id] == v {
					found = true
				}
				return !found
			})
			return false
		case *ast.UnaryExpr:
			found = n.Op == token.AND && root(n.X)
		case *ast.SelectorExpr:
			if sel := r.Info.Selections[n]; sel != nil && sel.Kind() == types.MethodVal {
				_, ptrRecv := sel.Obj().(*types.Func).Signature().Recv().Type().Underlying().(*types.Pointer)
				_, ptrOperand := r.Info.TypeOf(n.X).Underlying().(*types.Pointer)
				found = ptrRecv && !ptrOperand && root(n.X)
			}
		}
		return !found
	})
	return found
}

// recovers reports whether the deferred call is recover or a literal that calls it.
func (r *Region) recovers() bool {
	call := r.Defer.Call
	if deferutil.IsBuiltin(r.Info, call, "recover") {
		return true
	}
	lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit)
	if !ok {
		return false
	}
	found := false
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && deferutil.IsBuiltin(r.Info, c, "recover") {
			found = true
		}
		return !found
	})
	return found
}

// changesResults reports whether the deferred call may assign a named result: a deferred
// literal refers to one, or a pointer to one exists. A return would then overwrite what
// the explicit call did.
func (r *Region) changesResults() bool {
	res := r.sig.Results()
	lit, _ := ast.Unparen(r.Defer.Call.Fun).(*ast.FuncLit)
	for i := range res.Len() {
		v := res.At(i)
		if v.Name() == "" || v.Name() == "_" {
			continue
		}
		if r.aliased(v) {
			return true
		}
		if lit != nil {
			found := false
			ast.Inspect(lit.Body, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && r.Info.Uses[id] == v {
					found = true
				}
				return !found
			})
			if found {
				return true
			}
		}
	}
	return false
}

// checkResults refuses return values that need a temporary whose type would differ from
// the result's, and records which values need one.
func (r *Region) checkResults() Plan {
	r.results = make(map[*ast.ReturnStmt][]bool)
	res := r.sig.Results()
	for _, e := range r.exits {
		ret, ok := e.(*ast.ReturnStmt)
		if !ok || len(ret.Results) == 0 {
			continue
		}
		if len(ret.Results) != res.Len() { // return f() with several results
			t, ok := r.Info.TypeOf(ret.Results[0]).(*types.Tuple)
			if !ok || t.Len() != res.Len() {
				return Plan{Refused: "a return value the rewrite cannot hold", At: ret.Pos()}
			}
			for i := range res.Len() {
				if !types.Identical(t.At(i).Type(), res.At(i).Type()) {
					return Plan{Refused: "a return value would need a temporary of another type than the result", At: ret.Pos()}
				}
			}
			r.results[ret] = []bool{true}
			continue
		}
		temps := make([]bool, len(ret.Results))
		for i, x := range ret.Results {
			if r.direct(x) {
				continue
			}
			if !types.Identical(declaredType(r.Info, x), res.At(i).Type()) {
				return Plan{Refused: "a return value would need a temporary of another type than the result", At: x.Pos()}
			}
			temps[i] = true
		}
		if slices.Contains(temps, true) {
			r.results[ret] = temps
		}
	}
	return Plan{}
}

// declaredType is the type x := e gives x: e's own type, or the default type of an
// untyped comparison (bool) or shift of a constant (int), which go/types records as the
// type the context converts them to.
func declaredType(info *types.Info, e ast.Expr) types.Type {
	switch e := ast.Unparen(e).(type) {
	case *ast.BinaryExpr:
		switch e.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ, token.LAND, token.LOR:
			return types.Typ[types.Bool]
		case token.SHL, token.SHR:
			if info.Types[e.X].Value != nil {
				return types.Typ[types.Int]
			}
		}
	case *ast.UnaryExpr:
		if e.Op == token.NOT {
			return types.Typ[types.Bool]
		}
	}
	return info.TypeOf(e)
}

// direct reports whether a return value may be evaluated after the explicit call: a
// constant, nil, a local variable the call cannot reach, or a composite literal (or its
// address) made of those.
func (r *Region) direct(x ast.Expr) bool {
	x = ast.Unparen(x)
	if tv, ok := r.Info.Types[x]; ok && (tv.Value != nil || tv.IsNil()) {
		return true
	}
	if u, ok := x.(*ast.UnaryExpr); ok && u.Op == token.AND {
		if _, ok := ast.Unparen(u.X).(*ast.CompositeLit); ok {
			x = ast.Unparen(u.X)
		}
	}
	if lit, ok := x.(*ast.CompositeLit); ok {
		_, isStruct := r.Info.TypeOf(lit).Underlying().(*types.Struct)
		for _, e := range lit.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				if !isStruct && !r.direct(kv.Key) {
					return false
				}
				e = kv.Value
			}
			if !r.direct(e) {
				return false
			}
		}
		return true
	}
	id, ok := x.(*ast.Ident)
	if !ok {
		return false
	}
	v, ok := r.Info.Uses[id].(*types.Var)
	if !ok || v.Parent() == v.Pkg().Scope() || r.aliased(v) {
		return false
	}
	if lit, ok := ast.Unparen(r.Defer.Call.Fun).(*ast.FuncLit); ok {
		uses := false
		ast.Inspect(lit.Body, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && r.Info.Uses[id] == v {
				uses = true
			}
			return !uses
		})
		return !uses
	}
	return true
}

// derefs records the pointer variables that evaluating the deferred call's function and
// arguments dereferences: c in c.mu.Unlock(), c.f.Close().
func (r *Region) derefs(call *ast.CallExpr, into map[*types.Var]bool) {
	var visit func(e ast.Expr)
	visit = func(e ast.Expr) {
		switch e := ast.Unparen(e).(type) {
		case *ast.SelectorExpr:
			if sel := r.Info.Selections[e]; sel != nil {
				if sel.Indirect() && len(sel.Index()) >= 1 {
					if id, ok := ast.Unparen(e.X).(*ast.Ident); ok {
						if v, ok := r.Info.Uses[id].(*types.Var); ok {
							if _, ptr := v.Type().Underlying().(*types.Pointer); ptr && (sel.Kind() == types.FieldVal || len(sel.Index()) > 1) {
								into[v] = true
							}
						}
					}
				}
				visit(e.X)
			}
		case *ast.StarExpr:
			if id, ok := ast.Unparen(e.X).(*ast.Ident); ok {
				if v, ok := r.Info.Uses[id].(*types.Var); ok {
					into[v] = true
				}
			}
		}
	}
	if _, ok := ast.Unparen(call.Fun).(*ast.FuncLit); !ok {
		visit(call.Fun)
	}
}

// mayPanic returns the first node of s that the proof cannot show panic-free, and why.
func (r *Region) mayPanic(s ast.Node) (ast.Node, string) {
	var at ast.Node
	var why string
	fail := func(n ast.Node, format string, args ...any) bool {
		if at == nil {
			at, why = n, fmt.Sprintf(format, args...)
		}
		return false
	}
	var expr func(e ast.Expr) bool
	var lhs func(e ast.Expr) bool
	known := func(x ast.Expr) bool {
		id, ok := ast.Unparen(x).(*ast.Ident)
		if !ok {
			return false
		}
		v, ok := r.Info.Uses[id].(*types.Var)
		return ok && r.nonNil[v]
	}
	field := func(e *ast.SelectorExpr, sel *types.Selection) bool {
		if !sel.Indirect() {
			return expr(e.X)
		}
		// One indirection, at the base, through a pointer known not to be nil.
		if _, ptr := r.Info.TypeOf(e.X).Underlying().(*types.Pointer); ptr && known(e.X) && !embeddedPointer(sel) {
			return true
		}
		return fail(e, "%s may be nil", render(e.X))
	}
	expr = func(e ast.Expr) bool {
		if e == nil {
			return true
		}
		if tv, ok := r.Info.Types[e]; ok && tv.Value != nil {
			return true
		}
		switch e := e.(type) {
		case *ast.Ident, *ast.BasicLit, *ast.FuncLit:
			return true
		case *ast.ParenExpr:
			return expr(e.X)
		case *ast.SelectorExpr:
			sel := r.Info.Selections[e]
			if sel == nil {
				return true // pkg.Name
			}
			if sel.Kind() != types.FieldVal {
				return fail(e, "the method value %s may panic", render(e))
			}
			return field(e, sel)
		case *ast.IndexExpr:
			switch t := r.Info.TypeOf(e.X).Underlying().(type) {
			case *types.Map:
				if !comparable(t.Key()) {
					return fail(e, "hashing an interface key may panic")
				}
				return expr(e.X) && expr(e.Index)
			case *types.Array:
				if tv := r.Info.Types[e.Index]; tv.Value != nil {
					return expr(e.X)
				}
			}
			return fail(e, "the index %s may be out of range", render(e))
		case *ast.StarExpr:
			if known(e.X) {
				return true
			}
			return fail(e, "%s may be nil", render(e.X))
		case *ast.UnaryExpr:
			switch e.Op {
			case token.ARROW:
				return fail(e, "the proof does not cover channel operations")
			case token.AND:
				return lhs(e.X)
			}
			return expr(e.X)
		case *ast.BinaryExpr:
			if !expr(e.X) || !expr(e.Y) {
				return false
			}
			xt := r.Info.TypeOf(e.X)
			switch e.Op {
			case token.QUO, token.REM:
				if isInteger(xt) && !nonZeroConst(r.Info, e.Y) {
					return fail(e, "the division may be by zero")
				}
			case token.SHL, token.SHR:
				if !nonNegative(r.Info, e.Y) {
					return fail(e, "a shift by a negative count panics")
				}
			case token.EQL, token.NEQ:
				tx, ty := r.Info.Types[e.X], r.Info.Types[e.Y]
				if !tx.IsNil() && !ty.IsNil() && (!comparable(xt) || !comparable(r.Info.TypeOf(e.Y))) {
					return fail(e, "comparing interfaces may panic")
				}
			}
			return true
		case *ast.CallExpr:
			if tv := r.Info.Types[e.Fun]; tv.IsType() {
				if len(e.Args) == 1 && convertible(tv.Type, r.Info.TypeOf(e.Args[0])) {
					return expr(e.Args[0])
				}
				return fail(e, "the conversion %s may panic", render(e))
			}
			if id, ok := ast.Unparen(e.Fun).(*ast.Ident); ok {
				if b, ok := r.Info.Uses[id].(*types.Builtin); ok {
					switch b.Name() {
					case "len", "cap", "min", "max", "append", "copy", "new", "complex", "real", "imag", "clear", "print", "println":
						for _, a := range e.Args {
							if !expr(a) {
								return false
							}
						}
						return true
					case "panic":
						return fail(e, "the region calls panic")
					}
				}
			}
			return fail(e, "the call %s may panic", render(e.Fun))
		case *ast.CompositeLit:
			if m, ok := r.Info.TypeOf(e).Underlying().(*types.Map); ok && !comparable(m.Key()) {
				return fail(e, "hashing an interface key may panic")
			}
			for _, x := range e.Elts {
				if kv, ok := x.(*ast.KeyValueExpr); ok {
					if _, isStruct := r.Info.TypeOf(e).Underlying().(*types.Struct); !isStruct && !expr(kv.Key) {
						return false
					}
					x = kv.Value
				}
				if !expr(x) {
					return false
				}
			}
			return true
		case *ast.TypeAssertExpr:
			return fail(e, "the type assertion %s may panic", render(e))
		}
		return fail(e, "the proof does not cover %s", render(e))
	}
	lhs = func(e ast.Expr) bool {
		switch e := ast.Unparen(e).(type) {
		case *ast.Ident:
			return true
		case *ast.SelectorExpr:
			sel := r.Info.Selections[e]
			if sel == nil {
				return true // pkg.V
			}
			if !sel.Indirect() {
				return lhs(e.X)
			}
			return field(e, sel)
		case *ast.IndexExpr:
			if _, ok := r.Info.TypeOf(e.X).Underlying().(*types.Map); ok {
				return fail(e, "writing to a map panics when it is nil")
			}
			if tv := r.Info.Types[e.Index]; tv.Value != nil {
				if _, ok := r.Info.TypeOf(e.X).Underlying().(*types.Array); ok {
					return lhs(e.X)
				}
			}
			return fail(e, "the index %s may be out of range", render(e))
		case *ast.StarExpr:
			return expr(e)
		}
		return fail(e, "the proof does not cover assigning to %s", render(e))
	}
	var stmt func(s ast.Stmt) bool
	stmts := func(list []ast.Stmt) bool {
		for _, s := range list {
			if !stmt(s) {
				return false
			}
		}
		return true
	}
	stmt = func(s ast.Stmt) bool {
		switch s := s.(type) {
		case nil:
			return true
		case *ast.EmptyStmt, *ast.BranchStmt:
			return true
		case *ast.ExprStmt:
			return expr(s.X)
		case *ast.IncDecStmt:
			return lhs(s.X) && expr(s.X)
		case *ast.AssignStmt:
			if len(s.Lhs) == 2 && len(s.Rhs) == 1 {
				if ta, ok := ast.Unparen(s.Rhs[0]).(*ast.TypeAssertExpr); ok {
					return expr(ta.X) && lhs(s.Lhs[0]) && lhs(s.Lhs[1])
				}
				if ix, ok := ast.Unparen(s.Rhs[0]).(*ast.IndexExpr); ok {
					return expr(ix) && lhs(s.Lhs[0]) && lhs(s.Lhs[1])
				}
			}
			for _, l := range s.Lhs {
				if !lhs(l) {
					return false
				}
			}
			for _, x := range s.Rhs {
				if !expr(x) {
					return false
				}
			}
			switch s.Tok {
			case token.QUO_ASSIGN, token.REM_ASSIGN:
				if isInteger(r.Info.TypeOf(s.Lhs[0])) && !nonZeroConst(r.Info, s.Rhs[0]) {
					return fail(s, "the division may be by zero")
				}
			case token.SHL_ASSIGN, token.SHR_ASSIGN:
				if !nonNegative(r.Info, s.Rhs[0]) {
					return fail(s, "a shift by a negative count panics")
				}
			}
			return true
		case *ast.DeclStmt:
			gd, _ := s.Decl.(*ast.GenDecl)
			if gd == nil {
				return true
			}
			for _, spec := range gd.Specs {
				if vs, ok := spec.(*ast.ValueSpec); ok && gd.Tok == token.VAR {
					for _, x := range vs.Values {
						if !expr(x) {
							return false
						}
					}
				}
			}
			return true
		case *ast.BlockStmt:
			return stmts(s.List)
		case *ast.LabeledStmt:
			return stmt(s.Stmt)
		case *ast.ReturnStmt:
			for _, x := range s.Results {
				if !expr(x) {
					return false
				}
			}
			return true
		case *ast.IfStmt:
			return stmt(s.Init) && expr(s.Cond) && stmt(s.Body) && stmt(s.Else)
		case *ast.ForStmt:
			return stmt(s.Init) && expr(s.Cond) && stmt(s.Post) && stmt(s.Body)
		case *ast.RangeStmt:
			switch t := r.Info.TypeOf(s.X).Underlying().(type) {
			case *types.Basic, *types.Slice, *types.Array, *types.Map, *types.Chan:
				_ = t
			default:
				return fail(s.X, "ranging over %s may panic", render(s.X))
			}
			if (s.Key != nil && !lhs(s.Key)) || (s.Value != nil && !lhs(s.Value)) {
				return false
			}
			return expr(s.X) && stmt(s.Body)
		case *ast.SwitchStmt:
			if !stmt(s.Init) || !expr(s.Tag) {
				return false
			}
			if s.Tag != nil && !comparable(r.Info.TypeOf(s.Tag)) {
				return fail(s.Tag, "comparing interfaces may panic")
			}
			for _, c := range s.Body.List {
				cc := c.(*ast.CaseClause)
				for _, x := range cc.List {
					if !expr(x) {
						return false
					}
					if s.Tag != nil && !comparable(r.Info.TypeOf(x)) {
						return fail(x, "comparing interfaces may panic")
					}
				}
				if !stmts(cc.Body) {
					return false
				}
			}
			return true
		case *ast.TypeSwitchStmt:
			if !stmt(s.Init) {
				return false
			}
			switch a := s.Assign.(type) {
			case *ast.ExprStmt:
				if !expr(a.X.(*ast.TypeAssertExpr).X) {
					return false
				}
			case *ast.AssignStmt:
				if !expr(a.Rhs[0].(*ast.TypeAssertExpr).X) {
					return false
				}
			}
			for _, c := range s.Body.List {
				if !stmts(c.(*ast.CaseClause).Body) {
					return false
				}
			}
			return true
		}
		return fail(s, "the proof does not cover this statement")
	}
	if st, ok := s.(ast.Stmt); ok {
		stmt(st)
	}
	return at, why
}

// embeddedPointer reports whether a field selection goes through an embedded pointer
// field after its base (each such step may be nil).
func embeddedPointer(sel *types.Selection) bool {
	t := sel.Recv()
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	idx := sel.Index()
	for _, i := range idx[:len(idx)-1] {
		st, ok := t.Underlying().(*types.Struct)
		if !ok {
			return true
		}
		t = st.Field(i).Type()
		if _, ok := t.Underlying().(*types.Pointer); ok {
			return true
		}
	}
	return false
}

// comparable reports whether comparing (or hashing, as a map key) values of t cannot
// panic: t is comparable and holds no interface (whose dynamic value may not be).
func comparable(t types.Type) bool {
	switch t := t.Underlying().(type) {
	case *types.Basic, *types.Pointer, *types.Chan:
		return true
	case *types.Struct:
		for i := range t.NumFields() {
			if !comparable(t.Field(i).Type()) {
				return false
			}
		}
		return true
	case *types.Array:
		return comparable(t.Elem())
	}
	return false
}

func isInteger(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

func nonZeroConst(info *types.Info, e ast.Expr) bool {
	tv := info.Types[e]
	return tv.Value != nil && constant.Sign(tv.Value) != 0
}

func nonNegative(info *types.Info, e ast.Expr) bool {
	tv := info.Types[e]
	if tv.Value != nil {
		return constant.Sign(tv.Value) >= 0
	}
	b, ok := tv.Type.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsUnsigned != 0
}

// convertible reports whether converting a from to to cannot panic: both basic, or to an
// interface, or between identical underlying types.
func convertible(to, from types.Type) bool {
	if from == nil {
		return false
	}
	if types.IsInterface(to) || types.Identical(to.Underlying(), from.Underlying()) {
		return true
	}
	_, b1 := to.Underlying().(*types.Basic)
	_, b2 := from.Underlying().(*types.Basic)
	return b1 && b2
}

func render(e ast.Expr) string { return types.ExprString(e) }

// Rewrite replaces the defer by the explicit calls in the decorated file f. Results that
// must be evaluated before the call are held in fresh variables.
func (r *Region) Rewrite(f *fixes.File) error {
	d, ok := f.Node(r.Defer).(*dst.DeferStmt)
	if !ok {
		return fmt.Errorf("defer not found in the decorated file")
	}
	block, ok := f.Node(r.Block).(*dst.BlockStmt)
	if !ok {
		return fmt.Errorf("block not found in the decorated file")
	}
	scope := r.Info.Scopes[r.Block]
	if ft, body := deferutil.FuncParts(r.Fn); body == r.Block {
		scope = r.Info.Scopes[ft] // a function's body shares its signature's scope
	}
	names := r.Names
	if names == nil {
		names = deferutil.NewNames(r.Info, r.Fn, scope, r.Block.End()-1)
	}
	// The defer's comments go with the call at the region's end, or with the first exit's
	// when control never reaches the end.
	first := !r.falls
	call := func() *dst.ExprStmt {
		var c *dst.CallExpr
		if r.Call != nil {
			c = r.Call()
		} else {
			c = dst.Clone(d.Call).(*dst.CallExpr)
		}
		c.Decs = dst.CallExprDecorations{}
		s := &dst.ExprStmt{X: c}
		if first {
			first = false
			s.Decs.Before = d.Decs.Before
			s.Decs.Start = d.Decs.Start
			s.Decs.End = d.Decs.End
			s.Decs.After = dst.NewLine
		}
		return s
	}
	exits := make(map[dst.Node]ast.Stmt)
	for _, e := range r.exits {
		exits[f.Node(e)] = e
	}
	var err error
	dstutil.Apply(block, func(c *dstutil.Cursor) bool {
		if _, ok := c.Node().(*dst.FuncLit); ok {
			return false
		}
		e, ok := exits[c.Node()]
		if !ok {
			return true
		}
		if c.Index() < 0 {
			err = fmt.Errorf("an exit is not in a statement list")
			return false
		}
		ret, _ := e.(*ast.ReturnStmt)
		if ret == nil || r.results[ret] == nil || r.afterLater(ret) {
			r.clear(c.InsertBefore)
			c.InsertBefore(call())
			return false
		}
		dret := c.Node().(*dst.ReturnStmt)
		temps := r.results[ret]
		assign := &dst.AssignStmt{Tok: token.DEFINE}
		if len(ret.Results) == 1 && len(temps) == 1 && r.sig.Results().Len() > 1 { // return f()
			for i := range r.sig.Results().Len() {
				assign.Lhs = append(assign.Lhs, dst.NewIdent(names.Fresh(fmt.Sprintf("r%d", i))))
			}
			assign.Rhs = []dst.Expr{dret.Results[0]}
			var results []dst.Expr
			for _, l := range assign.Lhs {
				results = append(results, dst.NewIdent(l.(*dst.Ident).Name))
			}
			dret.Results = results
		} else {
			for i, t := range temps {
				if !t {
					continue
				}
				name := names.Fresh(tempName(r.Info, names, ret.Results[i], len(temps)))
				assign.Lhs = append(assign.Lhs, dst.NewIdent(name))
				assign.Rhs = append(assign.Rhs, dret.Results[i])
				dret.Results[i] = dst.NewIdent(name)
			}
		}
		assign.Decs.Before = dret.Decs.Before
		assign.Decs.Start = dret.Decs.Start
		dret.Decs.Before, dret.Decs.Start = dst.NewLine, nil
		c.InsertBefore(assign)
		r.clear(c.InsertBefore)
		c.InsertBefore(call())
		return false
	}, nil)
	if err != nil {
		return err
	}
	var list []dst.Stmt
	for _, s := range block.List {
		switch {
		case s != d:
			list = append(list, s)
		case r.Mark != nil:
			list = append(list, r.Mark)
		}
	}
	if r.falls {
		first = true
		r.clear(func(s dst.Node) { list = append(list, s.(dst.Stmt)) })
		list = append(list, call())
	}
	block.List = list
	return nil
}

// Exits is how many statements leave the region other than by reaching its end. Valid
// after Check.
func (r *Region) Exits() int { return len(r.exits) }

// afterLater reports whether n comes after one of the Later defers: that region's
// rewrite has made n's explicit calls and held its results already.
func (r *Region) afterLater(n ast.Node) bool {
	for _, d := range r.Later {
		if d.End() <= n.Pos() {
			return true
		}
	}
	return false
}

// clear puts the caller's Clear statement where insert puts it.
func (r *Region) clear(insert func(dst.Node)) {
	if r.Clear != nil {
		insert(r.Clear())
	}
}

// tempName names the variable holding a result: n for a length, the field's name for a
// field, the method's for a method call (r.Line() → line), err for an error, r — or
// result, when the function uses r — otherwise.
func tempName(info *types.Info, names *deferutil.Names, e ast.Expr, n int) string {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		if id, ok := e.Fun.(*ast.Ident); ok && (id.Name == "len" || id.Name == "cap") && n == 1 {
			return "n"
		}
		if sel, ok := ast.Unparen(e.Fun).(*ast.SelectorExpr); ok && info.Selections[sel] != nil {
			if name := strings.ToLower(sel.Sel.Name[:1]) + sel.Sel.Name[1:]; len(name) > 2 && types.Universe.Lookup(name) == nil {
				return name
			}
		}
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	if t := info.TypeOf(e); t != nil && deferutil.IsError(t) {
		return "err"
	}
	if names.Used("r") {
		return "result"
	}
	return "r"
}
