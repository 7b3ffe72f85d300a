package loopdefer

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"unicode"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/dave/dst/dstutil"
	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/explicit"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

const (
	titleGuard  = "Call %s at the end of each iteration, with one defer before the loop for panics"
	titleGuards = "Make the deferred calls at the end of each iteration, with one defer before the loop for panics"
)

// The guard form: explicit calls at every exit of the iteration, as in calls.go, plus a
// flag set where the defer stood and cleared just before each explicit call, and one
// defer before the function's outermost loop that makes the call if the flag is still
// set. It is the third form tried (loopdefer.go): only where the literal would need
// flags to carry the body's exits out, since a person wraps a body in func(){...}()
// before writing a guard. The flag is named for what it says (locked, closePending),
// the held values for what they hold (curF for f), and a comment above the guard says
// why it is there. It is what the compiler does for an open-coded defer, written out, and costs what
// the loop costs without a defer plus a store per iteration — where the literal form
// costs a call and an open-coded defer per iteration (BenchmarkLoop, BenchmarkLocked).
//
//	mu.Lock()                           var locked bool
//	defer mu.Unlock()          ⇒        defer func() { if locked { mu.Unlock() } }()
//	work()                              for ... { mu.Lock(); locked = true; work(); locked = false; mu.Unlock() }
//
// Safety: every path releases once, as with the literal. Without a panic, the explicit
// call runs where the literal's deferred call would have: at the iteration's end, before
// a continue, break or labelled jump that leaves it, after a return's values are
// evaluated (package explicit proves the calls equal the deferred one: the function and
// arguments do not change, no name in them means something else at an exit). On a panic
// or runtime.Goexit between the defer and an exit, the guard runs while the function
// unwinds, before every deferred call registered before the loop — where the original's
// pending call ran too (the literal would run it a little earlier, as the literal
// unwinds; no code of the function runs in between). Values the call uses that are
// declared in the loop are copied, where the defer stood, into variables declared with
// the guard: the call then sees the values the defer statement evaluated. Where the
// call's function or arguments may change before an exit, the guard variables hold what
// the defer statement evaluates — receiver, function value, arguments — and the calls at
// the exits use them too.
//
// Several defers in the body get a flag each, and their calls come in reverse order at
// the end and in the guard, as deferred calls run — when nothing leaves the iteration
// after the first of them: each exit would repeat every call, and the literal reads
// better then.
//
// Refused, and the literal form used instead: a guard that would not be open-coded
// (the function would hold more than 8 defers, or returns × defers > 15); a defer not
// directly in the body (inside one of its if or switch statements); another defer
// anywhere in the loops around it (two guards would release in the order they were
// inserted, not in the reverse order of the calls); a deferred function literal (it
// would be copied into the guard); a goto anywhere in the function (it could jump over
// the guard's declaration); a name in the call that means something else before the
// loop; a value declared in the loop that the call uses by address (the guard would
// release a copy) or whose type holds a lock (vet's copylocks) or cannot be written in
// this file (unexported elsewhere, from a package the file does not import, declared in
// the loop). Known cost: a value copied into the guard's variable that points to
// something the iteration allocated on the stack moves it to the heap — as the
// original's heap-allocated defer did.
func (s *scope) guardFix() (fix analysis.SuggestedFix, ok bool) {
	if s.hasGoto() {
		return fix, false
	}
	for _, d := range s.defers {
		if _, lit := ast.Unparen(d.Call.Fun).(*ast.FuncLit); lit {
			return fix, false
		}
	}
	anchor, ok := s.anchor()
	if !ok || otherDefers(anchor, s.defers) || !s.guardOpenCoded() {
		return fix, false
	}
	g := &guard{scope: s, anchor: anchor, scope0: deferutil.Innermost(s.pass.Pkg, s.pass.TypesInfo, s.fn.Node(), anchor.Pos()), qual: make(map[*types.Package]string)}
	if g.scope0 == nil {
		return fix, false
	}
	for i, d := range s.defers {
		rel := &release{d: d, multi: len(s.defers) > 1}
		region := func(evaluated bool) *explicit.Region {
			return &explicit.Region{Pkg: s.pass.Pkg, Info: s.pass.TypesInfo, Fn: s.fn.Node(), Block: s.body, Defer: d, Evaluated: evaluated, Later: s.defers[i+1:], Effects: s.effects()}
		}
		// The deferred call as written where its function and arguments are stable,
		// else made from the values the defer statement evaluated.
		// A guard covers a panic in the region, not one that evaluating the deferred call
		// would raise at an exit instead of at the defer statement (Plan.MovesPanic).
		ok := func(p explicit.Plan) bool { return p.Refused == "" && p.MovesPanic == "" }
		asWritten := region(false)
		stable := ok(asWritten.Check())
		if stable && g.planHoist(rel) {
			rel.region = asWritten
		} else if r := region(true); ok(r.Check()) && g.planEvaluated(rel, r) {
			rel.region = r
			if stable {
				// The guard holds what the defer statement evaluates, but the calls at
				// the exits are the deferred call as written: package explicit proved
				// them equal, and they read as the original did.
				rel.region, rel.asWritten = asWritten, true
			}
		} else {
			return fix, false
		}
		if i == 0 && len(s.defers) > 1 && rel.region.Exits() > 0 {
			return fix, false // every exit would repeat every call: the literal reads better
		}
		g.releases = append(g.releases, rel)
	}
	title := titleGuards
	if len(s.defers) == 1 {
		title = sprintf(titleGuard, types.ExprString(s.defers[0].Call.Fun))
	}
	fix, err := fixes.FixAt(s.pass, s.file(), s.defers[0], title, g.rewrite)
	return fix, err == nil
}

// guardOpenCoded reports whether the guard would be open-coded: the function would hold
// at most 8 defer statements, and returns × defers ≤ 15 (DEFER-COST.md). Otherwise it is
// stack-allocated, and hotdefer would then move the function's body into a literal
// (returns × defers > 15) — a larger change than the per-iteration literal.
func (s *scope) guardOpenCoded() bool {
	_, body := deferutil.FuncParts(s.fn.Node())
	returns, defers := 0, 0
	ast.Inspect(body, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			returns++
		case *ast.DeferStmt:
			defers++
		}
		return true
	})
	defers += 1 - len(s.defers)
	return defers <= 8 && returns*defers <= 15
}

// hasGoto reports whether the function, outside its function literals, has a goto.
func (s *scope) hasGoto() bool {
	_, body := deferutil.FuncParts(s.fn.Node())
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.BranchStmt:
			found = found || n.Tok == token.GOTO
		}
		return !found
	})
	return found
}

// otherDefers reports whether the loops around the body hold a defer not among its
// own (outside function literals). Its guard, or its pending call, would be ordered
// against this guard by where the guards were inserted, not by when the calls were
// deferred.
func otherDefers(anchor ast.Stmt, own []*ast.DeferStmt) bool {
	found := false
	ast.Inspect(anchor, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			found = found || !slices.Contains(own, n)
		}
		return !found
	})
	return found
}

// anchor returns the statement the guard goes before: the function's outermost loop
// around the defer, or its label, when it stands in a statement list.
func (s *scope) anchor() (ast.Stmt, bool) {
	outer := s.loop
	if loops := deferutil.Loops(s.loop, s.fn); len(loops) > 0 {
		outer = loops[len(loops)-1]
	}
	if _, ok := outer.Parent().Node().(*ast.LabeledStmt); ok {
		outer = outer.Parent()
	}
	switch outer.Parent().Node().(type) {
	case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
		return outer.Node().(ast.Stmt), true
	}
	return nil, false
}

type guard struct {
	*scope
	anchor   ast.Stmt
	scope0   *types.Scope              // the scope at the anchor
	qual     map[*types.Package]string // how the file names each package, before the loop
	releases []*release                // one per defer, in order
}

// A release is one deferred call made explicit: its flag, and the variables it needs.
type release struct {
	d       *ast.DeferStmt
	region  *explicit.Region
	multi   bool                 // the body has several defers: names say which is which
	held    []*held              // the variables declared with the guard, in order
	hoisted map[*types.Var]*held // hoisting: the loop's variables the call uses
	call    *evaluation          // evaluating: how the call is made from held values
	// asWritten says the calls at the exits are the deferred call as written (its
	// function and arguments are stable), though the guard makes it from held values.
	asWritten bool
	flag      string
}

// A held variable is declared with the guard and assigned where the defer stood.
type held struct {
	base string      // the name it would like
	typ  string      // its type, as the file writes it before the loop
	expr ast.Expr    // what it holds, evaluated where the defer stood
	op   token.Token // applied to expr: token.AND for a receiver's address, token.MUL for a copy through a pointer
	name string      // the name it got
}

// An evaluation makes the call from held values: a statically named function or a
// method of a held receiver or a held function value, with held or constant arguments.
type evaluation struct {
	static ast.Expr // a function named statically or by a variable that keeps its value, or nil
	recv   *held    // a method's receiver, or nil
	method string
	fn     *held   // a function value, or nil
	args   []*held // nil where the argument is kept as written: a constant, or a variable that keeps its value
}

func (g *guard) inLoop(obj types.Object) bool {
	return g.anchor.Pos() <= obj.Pos() && obj.Pos() < g.anchor.End()
}

// hold adds a held variable of type t to rel, or reports that t cannot be written or
// copied.
func (g *guard) hold(rel *release, base string, t types.Type, e ast.Expr, op token.Token) *held {
	if holdsLock(t) {
		return nil
	}
	spelled, ok := g.spell(t)
	if !ok {
		return nil
	}
	h := &held{base: base, typ: spelled, expr: e, op: op}
	rel.held = append(rel.held, h)
	return h
}

// planHoist decides whether the guard can make the deferred call as written, with the
// variables declared in the loop that it uses copied into held ones.
func (g *guard) planHoist(rel *release) bool {
	info := g.pass.TypesInfo
	call := rel.d.Call
	inLoop := g.inLoop
	seen := make(map[*types.Var]bool)
	var hoisted []*types.Var
	ok := true
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if !ok {
			return false
		}
		switch n := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(n.X, visit) // n.Sel is a field, a method or a package's member
			return false
		case *ast.KeyValueExpr:
			if v, isField := info.Uses[keyIdent(n.Key)].(*types.Var); isField && v.IsField() {
				ast.Inspect(n.Value, visit)
				return false
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && g.rootHoisted(n.X, inLoop) {
				ok = false // the guard would take the address of a copy
			}
		case *ast.Ident:
			obj := info.Uses[n]
			switch {
			case obj == nil:
				ok = false
			case inLoop(obj):
				v, isVar := obj.(*types.Var)
				if !isVar || v.IsField() {
					ok = false
				} else if !seen[v] {
					seen[v] = true
					hoisted = append(hoisted, v)
				}
			default:
				_, at := g.scope0.LookupParent(n.Name, g.anchor.Pos())
				ok = at == obj
			}
		}
		return ok
	}
	ast.Inspect(call, visit)
	if !ok {
		return false
	}
	// A pointer method on an addressable value: the receiver is the variable's address.
	if sel, isSel := ast.Unparen(call.Fun).(*ast.SelectorExpr); isSel {
		if s := info.Selections[sel]; s != nil && s.Kind() == types.MethodVal && !types.IsInterface(info.TypeOf(sel.X)) {
			_, ptrRecv := s.Obj().(*types.Func).Signature().Recv().Type().Underlying().(*types.Pointer)
			_, ptrOperand := info.TypeOf(sel.X).Underlying().(*types.Pointer)
			if ptrRecv && !ptrOperand && g.rootHoisted(sel.X, inLoop) {
				return false
			}
		}
	}
	rel.held, rel.hoisted = nil, make(map[*types.Var]*held)
	for _, v := range hoisted {
		h := g.hold(rel, heldName(v.Name()), v.Type(), ast.NewIdent(v.Name()), token.ILLEGAL)
		if h == nil {
			return false
		}
		rel.hoisted[v] = h
	}
	return true
}

// planEvaluated decides whether the guard and the exits can make the call from values
// held where the defer stood: the receiver or function value, and each argument that is
// not a constant — what the defer statement itself evaluates.
func (g *guard) planEvaluated(rel *release, r *explicit.Region) bool {
	info := g.pass.TypesInfo
	call := rel.d.Call
	rel.held, rel.hoisted = nil, nil
	ev := &evaluation{}
	// A variable from before the loop that keeps its value is written as it is, in the
	// guard and at the exits.
	kept := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		if !ok {
			return false
		}
		v, ok := info.Uses[id].(*types.Var)
		if !ok || g.inLoop(v) || !r.Stable(id) {
			return false
		}
		_, at := g.scope0.LookupParent(id.Name, g.anchor.Pos())
		return at == v
	}
	n := 0 // how many values are held
	if explicit.StaticFunc(info, call) == nil && !kept(call.Fun) {
		n++
	}
	for _, a := range call.Args {
		if tv := info.Types[a]; tv.Value == nil && !tv.IsNil() && !kept(a) {
			n++
		}
	}
	base := func(e ast.Expr, i int) string {
		switch e := ast.Unparen(e).(type) {
		case *ast.Ident:
			return heldName(e.Name)
		case *ast.SelectorExpr:
			return heldName(e.Sel.Name)
		}
		if n > 1 || rel.multi {
			return heldName(sprintf("arg%d", i))
		}
		return heldName("")
	}
	if st := explicit.StaticFunc(info, call); st != nil {
		ev.static = st
		n--
		ok := true
		ast.Inspect(st, func(x ast.Node) bool {
			if sel, isSel := x.(*ast.SelectorExpr); isSel {
				ast.Inspect(sel.X, func(y ast.Node) bool {
					if id, isID := y.(*ast.Ident); isID {
						_, at := g.scope0.LookupParent(id.Name, g.anchor.Pos())
						ok = ok && at != nil && at == info.Uses[id]
					}
					return ok
				})
				return false
			}
			if id, isID := x.(*ast.Ident); isID {
				_, at := g.scope0.LookupParent(id.Name, g.anchor.Pos())
				ok = ok && at != nil && at == info.Uses[id]
			}
			return ok
		})
		if !ok {
			return false
		}
	} else if se, isSel := ast.Unparen(call.Fun).(*ast.SelectorExpr); isSel && info.Selections[se] != nil && info.Selections[se].Kind() == types.MethodVal {
		sel := info.Selections[se]
		if len(sel.Index()) > 1 {
			return false // promoted through embedded fields, which the call would read again
		}
		xt := info.TypeOf(se.X)
		_, ptrRecv := sel.Obj().(*types.Func).Signature().Recv().Type().Underlying().(*types.Pointer)
		_, ptrOperand := xt.Underlying().(*types.Pointer)
		t, op := xt, token.ILLEGAL
		switch {
		case types.IsInterface(xt):
		case ptrRecv && !ptrOperand: // the receiver is the operand's address
			if g.rootHoisted(se.X, g.inLoop) {
				return false // the variable would move to the heap each iteration
			}
			t, op = types.NewPointer(xt), token.AND
		case !ptrRecv && ptrOperand: // the receiver is a copy of what the operand points to
			t, op = xt.Underlying().(*types.Pointer).Elem(), token.MUL
		}
		if ev.recv = g.hold(rel, base(se.X, 0), t, se.X, op); ev.recv == nil {
			return false
		}
		ev.method = se.Sel.Name
	} else if kept(call.Fun) {
		ev.static = call.Fun
	} else {
		t := info.TypeOf(call.Fun)
		if t == nil {
			return false
		}
		if ev.fn = g.hold(rel, base(call.Fun, 0), t, call.Fun, token.ILLEGAL); ev.fn == nil {
			return false
		}
	}
	for i, a := range call.Args {
		tv := info.Types[a]
		if tv.Value != nil || tv.IsNil() || kept(a) {
			ev.args = append(ev.args, nil)
			continue
		}
		if b, isBasic := tv.Type.(*types.Basic); !isBasic || b.Info()&types.IsUntyped == 0 {
			h := g.hold(rel, base(a, i+1), tv.Type, a, token.ILLEGAL)
			if h == nil {
				return false
			}
			ev.args = append(ev.args, h)
			continue
		}
		return false // an untyped value that is not a constant: its type comes from the call
	}
	rel.call = ev
	return true
}

func keyIdent(e ast.Expr) *ast.Ident {
	id, _ := e.(*ast.Ident)
	return id
}

// rootHoisted reports whether e is a variable declared in the loop, or a field or array
// element of one.
func (g *guard) rootHoisted(e ast.Expr, inLoop func(types.Object) bool) bool {
	id, ok := explicit.Root(g.pass.TypesInfo, e).(*ast.Ident)
	if !ok {
		return false
	}
	obj := g.pass.TypesInfo.Uses[id]
	return obj != nil && inLoop(obj)
}

// holdsLock reports whether copying a value of type t copies a lock: a struct or array
// holding, by value, something with Lock and Unlock methods.
func holdsLock(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Struct:
		ms := types.NewMethodSet(types.NewPointer(t))
		if ms.Lookup(nil, "Lock") != nil && ms.Lookup(nil, "Unlock") != nil {
			return true
		}
		for f := range u.Fields() {
			if holdsLock(f.Type()) {
				return true
			}
		}
	case *types.Array:
		return holdsLock(u.Elem())
	}
	return false
}

// spell writes t as the file can name it before the loop, or reports that it cannot.
func (g *guard) spell(t types.Type) (string, bool) {
	pos := g.anchor.Pos()
	file := g.file()
	ok := true
	visible := func(obj types.Object) {
		if !ok {
			return
		}
		pkg := obj.Pkg()
		if pkg == nil { // error, any, comparable
			ok = deferutil.Universal(g.pass, g.scope0, pos, obj.Name())
			return
		}
		if pkg == g.pass.Pkg {
			_, at := g.scope0.LookupParent(obj.Name(), pos)
			ok = at == obj
			return
		}
		if !obj.Exported() {
			ok = false
			return
		}
		if _, done := g.qual[pkg]; done {
			return
		}
		for _, spec := range file.Imports {
			var pn *types.PkgName
			if spec.Name != nil {
				pn, _ = g.pass.TypesInfo.Defs[spec.Name].(*types.PkgName)
			} else {
				pn, _ = g.pass.TypesInfo.Implicits[spec].(*types.PkgName)
			}
			if pn == nil || pn.Imported() != pkg {
				continue
			}
			switch pn.Name() {
			case "_":
				continue
			case ".":
				_, at := g.scope0.LookupParent(obj.Name(), pos)
				if at == obj {
					g.qual[pkg] = ""
					return
				}
				continue
			}
			if _, at := g.scope0.LookupParent(pn.Name(), pos); at == pn {
				g.qual[pkg] = pn.Name()
				return
			}
		}
		ok = false
	}
	var walk func(t types.Type)
	walk = func(t types.Type) {
		if !ok {
			return
		}
		switch t := t.(type) {
		case *types.Basic:
			ok = t.Kind() != types.Invalid && t.Info()&types.IsUntyped == 0 && t.Kind() != types.UnsafePointer &&
				deferutil.Universal(g.pass, g.scope0, pos, t.Name())
		case *types.Pointer:
			walk(t.Elem())
		case *types.Slice:
			walk(t.Elem())
		case *types.Array:
			walk(t.Elem())
		case *types.Chan:
			walk(t.Elem())
		case *types.Map:
			walk(t.Key())
			walk(t.Elem())
		case *types.Signature:
			for v := range t.Params().Variables() {
				walk(v.Type())
			}
			for v := range t.Results().Variables() {
				walk(v.Type())
			}
		case *types.Named:
			visible(t.Obj())
			for a := range t.TypeArgs().Types() {
				walk(a)
			}
		case *types.Alias:
			visible(t.Obj())
			for a := range t.TypeArgs().Types() {
				walk(a)
			}
		case *types.TypeParam:
			visible(t.Obj())
		case *types.Interface:
			ok = t.Empty()
		default: // a struct type literal may hold fields only its own package can name
			ok = false
		}
	}
	walk(t)
	if !ok {
		return "", false
	}
	return types.TypeString(t, func(p *types.Package) string {
		if p == g.pass.Pkg {
			return ""
		}
		return g.qual[p]
	}), true
}

// rewrite writes the guard before the loop and the explicit calls in the body.
func (g *guard) rewrite(f *fixes.File) error {
	if f.ManagesImports() {
		return fmt.Errorf("the guard's types are written as the file names them; this file's imports are managed")
	}
	if err := deferutil.Predeclared(g.pass, g.fn.Node(), "bool", "true", "false"); err != nil {
		return err
	}
	names := deferutil.NewNames(g.pass.TypesInfo, g.fn.Node(), g.scope0, g.anchor.Pos())
	for name := range g.taken {
		names.Reserve(name)
	}
	take := func(base string) string {
		name := names.Fresh(base)
		g.taken[name] = true
		return name
	}
	calls := make([]func() *dst.CallExpr, len(g.releases))
	for i, rel := range g.releases {
		var which string // which value the flag is about, when the body has several defers
		if rel.multi && len(rel.held) > 0 {
			which = strings.TrimPrefix(rel.held[0].base, heldPrefix)
		}
		rel.flag = take(flagName(g.pass.TypesInfo, rel.d.Call, which))
		for _, h := range rel.held {
			h.name = take(h.base)
		}
		dcall, ok := f.Node(rel.d.Call).(*dst.CallExpr)
		if !ok {
			return fmt.Errorf("deferred call not found in the decorated file")
		}
		if rel.call != nil {
			calls[i] = func() *dst.CallExpr { return rel.evaluatedCall(f, dcall) }
		} else {
			gcall, err := g.hoistedCall(f, rel, dcall)
			if err != nil {
				return err
			}
			calls[i] = func() *dst.CallExpr { return dst.Clone(gcall).(*dst.CallExpr) }
		}
	}

	// The declarations and the guard, which makes the pending calls in reverse order.
	var specs []dst.Spec
	for _, rel := range g.releases {
		specs = append(specs, &dst.ValueSpec{Names: []*dst.Ident{dst.NewIdent(rel.flag)}, Type: dst.NewIdent("bool")})
	}
	var checks []dst.Stmt
	for i, rel := range g.releases {
		for _, h := range rel.held {
			t, err := typeExpr(h.typ)
			if err != nil {
				return err
			}
			specs = append(specs, &dst.ValueSpec{Names: []*dst.Ident{dst.NewIdent(h.name)}, Type: t})
		}
		check := &dst.IfStmt{
			Cond: dst.NewIdent(rel.flag),
			Body: &dst.BlockStmt{List: []dst.Stmt{&dst.ExprStmt{X: calls[i]()}}},
		}
		check.Decs.Before = dst.NewLine
		checks = append([]dst.Stmt{check}, checks...)
	}
	decl := &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.VAR, Lparen: len(specs) > 1, Rparen: len(specs) > 1, Specs: specs}}
	guardStmt := &dst.DeferStmt{Call: &dst.CallExpr{Fun: &dst.FuncLit{
		Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}},
		Body: &dst.BlockStmt{List: checks},
	}}}
	anchor := f.Node(g.anchor)
	if anchor == nil {
		return fmt.Errorf("loop not found in the decorated file")
	}
	decs := anchor.Decorations()
	decl.Decs.Before = decs.Before
	guardStmt.Decs.Before = dst.NewLine
	guardStmt.Decs.Start = dst.Decorations{guardComment(g.releases)}
	if len(decs.Start) > 0 {
		decs.Before = dst.EmptyLine // the loop's comment stays with the loop
	}
	inserted := false
	dstutil.Apply(f.Dst, func(c *dstutil.Cursor) bool {
		if inserted {
			return false
		}
		if c.Node() == anchor {
			if c.Index() < 0 {
				return false
			}
			c.InsertBefore(decl)
			c.InsertBefore(guardStmt)
			inserted = true
			return false
		}
		return true
	}, nil)
	if !inserted {
		return fmt.Errorf("the loop is not in a statement list")
	}

	// The last defer's calls first: at an exit after several defers, the calls are then
	// in reverse order, as the deferred calls would run.
	for i := len(g.releases) - 1; i >= 0; i-- {
		rel := g.releases[i]
		mark, err := rel.mark(f)
		if err != nil {
			return err
		}
		r := rel.region
		r.Mark = mark
		r.Clear = func() dst.Stmt {
			s := &dst.AssignStmt{Tok: token.ASSIGN, Lhs: []dst.Expr{dst.NewIdent(rel.flag)}, Rhs: []dst.Expr{dst.NewIdent("false")}}
			s.Decs.Before = dst.NewLine
			return s
		}
		if rel.call != nil && !rel.asWritten {
			r.Call = calls[i]
		}
		r.Names = names
		if err := r.Rewrite(f); err != nil {
			return err
		}
	}
	return nil
}

// mark is the statement that takes the defer's place: the held values, and the flag.
func (rel *release) mark(f *fixes.File) (dst.Stmt, error) {
	mark := &dst.AssignStmt{Tok: token.ASSIGN}
	for _, h := range rel.held {
		var rhs dst.Expr
		if id, ok := h.expr.(*ast.Ident); ok && f.Node(id) == nil { // a hoisted variable
			rhs = dst.NewIdent(id.Name)
		} else {
			n, ok := f.Node(h.expr).(dst.Expr)
			if !ok {
				return nil, fmt.Errorf("deferred operand not found in the decorated file")
			}
			rhs = clean(dst.Clone(n).(dst.Expr))
		}
		switch h.op {
		case token.AND:
			rhs = &dst.UnaryExpr{Op: token.AND, X: rhs}
		case token.MUL:
			rhs = &dst.StarExpr{X: rhs}
		}
		mark.Lhs = append(mark.Lhs, dst.NewIdent(h.name))
		mark.Rhs = append(mark.Rhs, rhs)
	}
	mark.Lhs = append(mark.Lhs, dst.NewIdent(rel.flag))
	mark.Rhs = append(mark.Rhs, dst.NewIdent("true"))
	mark.Decs.Before = dst.NewLine
	return mark, nil
}

// hoistedCall is the deferred call with the hoisted variables' held copies in their place.
func (g *guard) hoistedCall(f *fixes.File, rel *release, dcall *dst.CallExpr) (*dst.CallExpr, error) {
	rename := make(map[dst.Node]string)
	ast.Inspect(rel.d.Call, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := g.pass.TypesInfo.Uses[id].(*types.Var); ok && rel.hoisted[v] != nil {
				rename[f.Node(id)] = rel.hoisted[v].name
			}
		}
		return true
	})
	gcall := dst.Clone(dcall).(*dst.CallExpr)
	var orig, copies []*dst.Ident
	collect := func(into *[]*dst.Ident) func(dst.Node) bool {
		return func(n dst.Node) bool {
			if id, ok := n.(*dst.Ident); ok {
				*into = append(*into, id)
			}
			return true
		}
	}
	dst.Inspect(dcall, collect(&orig))
	dst.Inspect(gcall, collect(&copies))
	if len(orig) != len(copies) {
		return nil, fmt.Errorf("cloned call differs from the deferred call")
	}
	for i, id := range orig {
		if name, ok := rename[id]; ok {
			copies[i].Name = name
		}
	}
	return clean(gcall), nil
}

// evaluatedCall is the deferred call made from the held values.
func (rel *release) evaluatedCall(f *fixes.File, dcall *dst.CallExpr) *dst.CallExpr {
	ev := rel.call
	c := &dst.CallExpr{Ellipsis: dcall.Ellipsis}
	switch {
	case ev.static != nil:
		c.Fun = clean(dst.Clone(f.Node(ev.static)).(dst.Expr))
	case ev.recv != nil:
		c.Fun = &dst.SelectorExpr{X: dst.NewIdent(ev.recv.name), Sel: dst.NewIdent(ev.method)}
	default:
		c.Fun = dst.NewIdent(ev.fn.name)
	}
	for i, h := range ev.args {
		if h != nil {
			c.Args = append(c.Args, dst.NewIdent(h.name))
		} else {
			c.Args = append(c.Args, clean(dst.Clone(dcall.Args[i]).(dst.Expr)))
		}
	}
	return c
}

// clean drops the decorations of a cloned expression: its comments stay where they were.
func clean[N dst.Node](n N) N {
	dst.Inspect(n, func(m dst.Node) bool {
		if m != nil {
			decs := m.Decorations()
			decs.Before, decs.After = dst.None, dst.None
			decs.Start, decs.End = nil, nil
		}
		return true
	})
	return n
}

// flagName names the flag by what it says: a lock is held (locked, rlocked), or a call is
// still to make (closePending for r.Close, cancelPending for cancel). which, if not "",
// says which value, for a body with several defers (closeRPending).
func flagName(info *types.Info, call *ast.CallExpr, which string) string {
	callee := deferutil.Callee(info, call)
	switch {
	case deferutil.IsMethod(callee, "sync", "Mutex", "Unlock"), deferutil.IsMethod(callee, "sync", "RWMutex", "Unlock"):
		return "locked" + which
	case deferutil.IsMethod(callee, "sync", "RWMutex", "RUnlock"):
		return "rlocked" + which
	}
	name := "call"
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		name = f.Name
	case *ast.SelectorExpr:
		name = f.Sel.Name
	}
	return lower(name) + which + "Pending"
}

// heldPrefix starts the name of a variable that holds, for the guard, a value of the
// current iteration: curF for f.
const heldPrefix = "cur"

func heldName(name string) string {
	if name == "" {
		return heldPrefix
	}
	return heldPrefix + upper(name)
}

// guardComment is the line above the guard: why it is there.
func guardComment(rels []*release) string {
	var calls []string
	for i := len(rels) - 1; i >= 0; i-- {
		c := types.ExprString(rels[i].d.Call)
		if len(c) > 40 {
			c = types.ExprString(rels[i].d.Call.Fun) + "(...)"
		}
		calls = append(calls, c)
	}
	return sprintf("// Calls %s if a panic leaves the loop before the iteration does.", strings.Join(calls, " and "))
}

func lower(name string) string {
	if name == "" {
		return name
	}
	r := []rune(name)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

func upper(name string) string {
	if name == "" {
		return name
	}
	r := []rune(name)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// typeExpr parses a type as written by spell into a dst expression.
func typeExpr(t string) (dst.Expr, error) {
	fset := token.NewFileSet()
	e, err := parser.ParseExprFrom(fset, "", t, 0)
	if err != nil {
		return nil, fmt.Errorf("type %q: %w", t, err)
	}
	n, err := decorator.NewDecorator(fset).DecorateNode(e)
	if err != nil {
		return nil, fmt.Errorf("type %q: %w", t, err)
	}
	return n.(dst.Expr), nil
}
