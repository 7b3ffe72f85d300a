package loopdefer

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"unicode"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/dave/dst/dstutil"
	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/explicit"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

const titleGuard = "Call %s at the end of each iteration, with one defer before the loop for panics"

// The guard form: explicit calls at every exit of the iteration, as in calls.go, plus a
// flag set where the defer stood and cleared just before each explicit call, and one
// defer before the function's outermost loop that makes the call if the flag is still
// set. It is what the compiler does for an open-coded defer, written out, and costs what
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
// the guard: the call then sees the values the defer statement evaluated.
//
// Refused, and the literal form used instead: several defers in the body, or one not
// directly in it (package explicit needs one region); another defer anywhere in the
// loops around it (two guards would release in the order they were inserted, not in the
// reverse order of the calls); a deferred function literal (it
// would be copied into the guard); a goto anywhere in the function (it could jump over
// the guard's declaration); a name in the call that means something else before the
// loop; a value declared in the loop that the call uses by address (the guard would
// release a copy) or whose type holds a lock (vet's copylocks) or cannot be written in
// this file (unexported elsewhere, from a package the file does not import, declared in
// the loop). Known cost: a value copied into the guard's variable that points to
// something the iteration allocated on the stack moves it to the heap — as the original's
// heap-allocated defer did.
func (s *scope) guardFix() (fix analysis.SuggestedFix, ok bool) {
	if len(s.defers) != 1 || s.hasGoto() {
		return fix, false
	}
	d := s.defers[0]
	if _, lit := ast.Unparen(d.Call.Fun).(*ast.FuncLit); lit {
		return fix, false
	}
	anchor, ok := s.anchor()
	if !ok || otherDefers(anchor, d) {
		return fix, false
	}
	r := &explicit.Region{Pkg: s.pass.Pkg, Info: s.pass.TypesInfo, Fn: s.fn.Node(), Block: s.body, Defer: d}
	if plan := r.Check(); plan.Refused != "" {
		return fix, false
	}
	g := &guard{scope: s, anchor: anchor, region: r, scope0: s.pass.Pkg.Scope().Innermost(anchor.Pos())}
	if g.scope0 == nil || !g.plan() {
		return fix, false
	}
	fix, err := fixes.FixAt(s.pass, s.file(), d, sprintf(titleGuard, types.ExprString(d.Call.Fun)), g.rewrite)
	return fix, err == nil
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

// otherDefers reports whether the loops around d hold another defer (outside function
// literals). Its guard, or its pending call, would be ordered against this guard by
// where the guards were inserted, not by when the calls were deferred.
func otherDefers(anchor ast.Stmt, d *ast.DeferStmt) bool {
	found := false
	ast.Inspect(anchor, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			found = found || n != d
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
	anchor ast.Stmt
	region *explicit.Region
	scope0 *types.Scope // the scope at the anchor

	hoisted []*types.Var          // values declared in the loop that the call uses, in order
	types   map[*types.Var]string // their types, as written in the file
	qual    map[*types.Package]string
}

// plan decides what the guard's call needs and whether it can be written before the loop.
func (g *guard) plan() bool {
	info := g.pass.TypesInfo
	call := g.defers[0].Call
	inLoop := func(obj types.Object) bool { return g.anchor.Pos() <= obj.Pos() && obj.Pos() < g.anchor.End() }
	seen := make(map[*types.Var]bool)
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
					g.hoisted = append(g.hoisted, v)
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
	g.types = make(map[*types.Var]string)
	g.qual = make(map[*types.Package]string)
	for _, v := range g.hoisted {
		if holdsLock(v.Type()) {
			return false
		}
		t, ok := g.spell(v.Type())
		if !ok {
			return false
		}
		g.types[v] = t
	}
	return true
}

func keyIdent(e ast.Expr) *ast.Ident {
	id, _ := e.(*ast.Ident)
	return id
}

// rootHoisted reports whether e is a variable declared in the loop, or a field or array
// element of one.
func (g *guard) rootHoisted(e ast.Expr, inLoop func(types.Object) bool) bool {
	info := g.pass.TypesInfo
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			obj := info.Uses[x]
			return obj != nil && inLoop(obj)
		case *ast.SelectorExpr:
			if sel := info.Selections[x]; sel != nil && sel.Kind() == types.FieldVal && !sel.Indirect() {
				e = x.X
				continue
			}
			return false
		case *ast.IndexExpr:
			if _, ok := info.TypeOf(x.X).Underlying().(*types.Array); ok {
				e = x.X
				continue
			}
			return false
		default:
			return false
		}
	}
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
		if pkg == nil || pkg == g.pass.Pkg {
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
			ok = t.Kind() != types.Invalid && t.Info()&types.IsUntyped == 0 && t.Kind() != types.UnsafePointer
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
	d := g.defers[0]
	names := deferutil.NewNames(g.pass.TypesInfo, g.fn.Node(), g.scope0, g.anchor.Pos())
	for name := range g.taken {
		names.Reserve(name)
	}
	flag := names.Fresh(flagName(deferutil.Callee(g.pass.TypesInfo, d.Call)))
	g.taken[flag] = true
	held := make(map[*types.Var]string)
	for _, v := range g.hoisted {
		base := "held"
		if len(g.hoisted) > 1 {
			base += upper(v.Name())
		}
		held[v] = names.Fresh(base)
		g.taken[held[v]] = true
	}

	// The guard's call: the deferred call, with the hoisted values' variables.
	dcall, ok := f.Node(d.Call).(*dst.CallExpr)
	if !ok {
		return fmt.Errorf("deferred call not found in the decorated file")
	}
	rename := make(map[dst.Node]string)
	ast.Inspect(d.Call, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := g.pass.TypesInfo.Uses[id].(*types.Var); ok && held[v] != "" {
				rename[f.Node(id)] = held[v]
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
		return fmt.Errorf("cloned call differs from the deferred call")
	}
	for i, id := range orig {
		if name, ok := rename[id]; ok {
			copies[i].Name = name
		}
	}
	gcall.Decs = dst.CallExprDecorations{}

	// The declarations and the guard.
	var decl dst.Stmt
	if len(g.hoisted) == 0 {
		decl = &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.VAR, Specs: []dst.Spec{
			&dst.ValueSpec{Names: []*dst.Ident{dst.NewIdent(flag)}, Type: dst.NewIdent("bool")},
		}}}
	} else {
		specs := []dst.Spec{&dst.ValueSpec{Names: []*dst.Ident{dst.NewIdent(flag)}, Type: dst.NewIdent("bool")}}
		for _, v := range g.hoisted {
			t, err := typeExpr(g.types[v])
			if err != nil {
				return err
			}
			specs = append(specs, &dst.ValueSpec{Names: []*dst.Ident{dst.NewIdent(held[v])}, Type: t})
		}
		decl = &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.VAR, Lparen: true, Rparen: true, Specs: specs}}
	}
	guardStmt := &dst.DeferStmt{Call: &dst.CallExpr{Fun: &dst.FuncLit{
		Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}},
		Body: &dst.BlockStmt{List: []dst.Stmt{&dst.IfStmt{
			Cond: dst.NewIdent(flag),
			Body: &dst.BlockStmt{List: []dst.Stmt{&dst.ExprStmt{X: gcall}}},
		}}},
	}}}
	anchor := f.Node(g.anchor)
	if anchor == nil {
		return fmt.Errorf("loop not found in the decorated file")
	}
	decs := anchor.Decorations()
	decl.Decorations().Before = decs.Before
	guardStmt.Decs.Before = dst.NewLine
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

	// Where the defer stood: the flag, and the hoisted values.
	mark := &dst.AssignStmt{Tok: token.ASSIGN}
	for _, v := range g.hoisted {
		mark.Lhs = append(mark.Lhs, dst.NewIdent(held[v]))
		mark.Rhs = append(mark.Rhs, dst.NewIdent(v.Name()))
	}
	mark.Lhs = append(mark.Lhs, dst.NewIdent(flag))
	mark.Rhs = append(mark.Rhs, dst.NewIdent("true"))
	mark.Decs.Before = dst.NewLine
	r := g.region
	r.Mark = mark
	r.Clear = func() dst.Stmt {
		s := &dst.AssignStmt{Tok: token.ASSIGN, Lhs: []dst.Expr{dst.NewIdent(flag)}, Rhs: []dst.Expr{dst.NewIdent("false")}}
		s.Decs.Before = dst.NewLine
		return s
	}
	r.Names = names
	return r.Rewrite(f)
}

// flagName names the flag by what the release ends: a lock's hold, or a pending call.
func flagName(callee types.Object) string {
	switch {
	case deferutil.IsMethod(callee, "sync", "Mutex", "Unlock"), deferutil.IsMethod(callee, "sync", "RWMutex", "Unlock"):
		return "locked"
	case deferutil.IsMethod(callee, "sync", "RWMutex", "RUnlock"):
		return "rlocked"
	}
	return "pending"
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
