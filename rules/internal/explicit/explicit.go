// Package explicit replaces a defer by explicit calls at every exit of the region it
// guards — the rest of a loop iteration, or the rest of a function — and decides whether
// that keeps the program's meaning.
//
// The explicit calls run where the deferred call would have run on every path that does
// not panic: before each return (after its results are evaluated), before each break or
// continue that leaves the region, and at the region's end when control can reach it. On a
// panic inside the region the deferred call runs and an explicit one does not, so the
// rewrite is safe only when nothing in the region can panic, and evaluating the deferred
// call's function and arguments cannot either (the defer statement evaluates them where
// it stands; explicit calls, at the exits): effects.MayPanic and effects.EvalMayPanic
// decide, with the pointers known non-nil from the statement before the defer.
//
// Refused outright, because the explicit calls would differ even without a panic: a
// second defer in the region, a goto, a deferred function or argument whose value may
// change before an exit (effects.Span.MayChange over the region: assigned in it, written
// through a pointer or by code it runs, a value receiver that is a copy), a deferred call
// that recovers (effects.Result.Recover), one that may change a named result or a
// returned variable (effects over the deferred call itself), a deferred literal that
// would be copied to several exits, a result value whose type is not the result's own,
// and a region whose end no path reaches. A deferred call that may recover — its callee
// is not known — is reported in Plan.MayRecover: explicit calls differ from it only on a
// panic, which MayPanic already reports.
package explicit

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/effects"
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
	// Effects answers whether the deferred call may recover (the effects Analyzer's
	// result); nil answers from this package's syntax alone.
	Effects *effects.Result
	Call    func() *dst.CallExpr
	// Later are defers after this one in Block that the caller rewrites too, each as a
	// region of its own and before this one: their calls then come first at the exits
	// after them, as deferred calls run in reverse, and returns there already hold their
	// results.
	Later []*ast.DeferStmt

	stmts   []ast.Stmt // the statements after the defer
	exits   []ast.Stmt // branch and return statements leaving the region
	falls   bool       // control can reach the end of the block
	sig     *types.Signature
	fn      *effects.Func // the function, without the deferred literal (it runs at the exits)
	span    *effects.Span // the statements after the defer
	results map[*ast.ReturnStmt][]bool
	merged  map[*ast.FuncLit]bool // deferred literals merged with this defer (merge.go)
}

// A Plan is what Check found: whether the rewrite is possible, and whether it is safe.
type Plan struct {
	Refused  string    // why no explicit calls can replace the defer; "" if they can
	At       token.Pos // what the refusal or the panic is about
	MayPanic string    // what in the region may panic; "" when the proof holds
	// MayRecover says why the deferred call may recover a panic although no function
	// that does is known (an interface, a function value, another module): a caller
	// whose form relies on keeping panics as they were (a guard) is then unsafe.
	MayRecover string
	// MovesPanic says why evaluating the deferred call may panic — at the defer statement
	// today, at an exit with explicit calls — when it may (it is MayPanic then too). A
	// guard defer covers panics in the region, not this one.
	MovesPanic string
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
	var skip []ast.Node
	if lit, ok := ast.Unparen(r.Defer.Call.Fun).(*ast.FuncLit); ok {
		skip = append(skip, lit)
	}
	for lit := range r.merged { // merged literals run where the call runs too (merge.go)
		skip = append(skip, lit)
	}
	r.fn = effects.NewFunc(r.Info, r.Fn, skip...)
	r.span = r.fn.Stmts(r.stmts)
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
	rec := r.recovery()
	if rec == effects.Recovers {
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
	nonNil := r.nonNil()
	plan := Plan{}
	if rec == effects.Unknown {
		plan.MayRecover = "the deferred call may recover panics: " + r.unknownCallee()
	}
	// The defer statement evaluates the function value — a method value panics there on
	// a nil interface or pointer — and the arguments; explicit calls evaluate them at the
	// exits. A caller that evaluates them at the defer (Evaluated) holds the receiver —
	// &x, a copy of *p, an interface value — and the arguments, but binds an interface's
	// method value at the exits.
	n, why := effects.EvalMayPanic(r.Info, r.Defer.Call, nonNil)
	if r.Evaluated {
		n, why = nil, ""
		if sel, ok := ast.Unparen(r.Defer.Call.Fun).(*ast.SelectorExpr); ok && types.IsInterface(r.Info.TypeOf(sel.X)) {
			n, why = effects.MethodValueMayPanic(r.Info, sel, nonNil)
		}
	}
	if n != nil {
		plan.At, plan.MayPanic = n.Pos(), why+"; explicit calls would move the panic to the exit"
		plan.MovesPanic = plan.MayPanic
		return plan
	}
	for _, s := range r.stmts {
		if n, why := effects.MayPanic(r.Info, s, nonNil); n != nil {
			plan.At, plan.MayPanic = n.Pos(), why
			return plan
		}
	}
	return plan
}

// nonNil returns the pointers known not to be nil throughout the region: dereferenced by
// the statement before the defer (c.mu.Lock() before defer c.mu.Unlock()) and not changed
// in the region.
func (r *Region) nonNil() map[*types.Var]bool {
	out := make(map[*types.Var]bool)
	for j, s := range r.Block.List {
		if s != ast.Stmt(r.Defer) {
			continue
		}
		if j > 0 {
			for v := range r.fn.NonNilAfter(r.Block.List[j-1]) {
				out[v] = true
			}
		}
	}
	for v := range out {
		if at, _ := r.span.VarMayChange(v); at != nil {
			delete(out, v)
		}
	}
	return out
}

// unknownCallee says what the deferred call goes through that hides its callee.
func (r *Region) unknownCallee() string {
	fun := ast.Unparen(r.Defer.Call.Fun)
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		if s := r.Info.Selections[sel]; s != nil && types.IsInterface(s.Recv()) {
			return sprintf("%s is a method of an interface", render(sel))
		}
		if fn, ok := r.Info.Uses[sel.Sel].(*types.Func); ok && fn.Pkg() != r.Pkg {
			return sprintf("%s belongs to another package, whose body is not known here", render(sel))
		}
	}
	return sprintf("%s is not a function known here", render(fun))
}

func render(e ast.Expr) string { return types.ExprString(e) }

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
	check := func(pos token.Pos) Plan {
		scope := deferutil.Innermost(r.Pkg, r.Info, r.Fn, pos)
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
	at, _ := r.span.MayChange(e)
	return at == nil && r.scopesOf(e).Refused == ""
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
// at an exit than at the defer statement (effects.Span.MayChange).
func (r *Region) checkStable() Plan {
	call := r.Defer.Call
	if at, why := r.funcMayChange(call.Fun); at != nil {
		return Plan{Refused: "the deferred function may change before the region ends: " + why, At: at.Pos()}
	}
	for _, a := range call.Args {
		if at, why := r.span.MayChange(a); at != nil {
			return Plan{Refused: "a deferred argument may change before the region ends: " + why, At: at.Pos()}
		}
	}
	return Plan{}
}

// funcMayChange is MayChange for the deferred function: a literal or a function named
// statically never changes; a method value binds its receiver (effects.Span.RecvMayChange).
func (r *Region) funcMayChange(fun ast.Expr) (ast.Node, string) {
	fun = ast.Unparen(fun)
	switch f := fun.(type) {
	case *ast.FuncLit:
		return nil, ""
	case *ast.SelectorExpr:
		if sel := r.Info.Selections[f]; sel != nil && sel.Kind() == types.MethodVal {
			return r.span.RecvMayChange(f)
		}
	}
	if StaticFunc(r.Info, r.Defer.Call) != nil {
		return nil, ""
	}
	return r.span.MayChange(fun)
}

// Root is effects.Root.
func Root(info *types.Info, e ast.Expr) ast.Expr { return effects.Root(info, e) }

// recovery is what effects says about the deferred call recovering.
func (r *Region) recovery() effects.Recovery {
	if r.Effects == nil {
		return effects.New(r.Pkg, r.Info, nil, nil).Recover(r.Defer.Call)
	}
	return r.Effects.Recover(r.Defer.Call)
}

// callMayChange returns why the deferred call may change v when it runs at an exit: it
// assigns v, or runs code that may reach v (effects.Span.VarMayChange over the call).
func (r *Region) callMayChange(v *types.Var) bool {
	at, _ := effects.NewFunc(r.Info, r.Fn, nil).Between(r.Defer.Call.Pos(), r.Defer.Call.End()).VarMayChange(v)
	return at != nil
}

// changesResults reports whether the deferred call may assign or read a named result: a
// deferred literal refers to one, a pointer to one exists, or another literal refers to
// one (effects.Func.Reached). A return would then overwrite what the explicit call did,
// or the call would read the result before the return sets it.
func (r *Region) changesResults() bool {
	res := r.sig.Results()
	lit, _ := ast.Unparen(r.Defer.Call.Fun).(*ast.FuncLit)
	fx := effects.NewFunc(r.Info, r.Fn, nil)
	for i := range res.Len() {
		v := res.At(i)
		if v.Name() == "" || v.Name() == "_" {
			continue
		}
		if r.callMayChange(v) || fx.Reached(v) != nil {
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
	return ok && !r.callMayChange(v)
}

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
		// The return's comments go with the values they describe, which are now computed
		// on the assignment's line: one above it stays above, one after it stays on its
		// line (return c.n + 1 // computed). The return itself is what remains.
		assign.Decs.Before = dret.Decs.Before
		assign.Decs.Start = dret.Decs.Start
		assign.Decs.End = dret.Decs.End
		dret.Decs.Before, dret.Decs.Start, dret.Decs.End = dst.NewLine, nil, nil
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
