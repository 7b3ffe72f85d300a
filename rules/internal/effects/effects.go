package effects

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"go/version"
)

// A Func holds what the whole function tells about its variables: which escape the
// syntax. See the package documentation for the argument.
type Func struct {
	Info *types.Info
	Node ast.Node // *ast.FuncDecl or *ast.FuncLit

	skip    map[ast.Node]bool       // literals that do not run in any span (the deferred ones)
	shared  bool                    // loop variables are shared by the iterations (before Go 1.22)
	escaped map[*types.Var]ast.Node // local variables that unseen code may write, and why
	spans   map[[2]token.Pos]*Span
}

// NewFunc analyzes fn. skip are function literals of fn that run after every span asked
// about — the deferred literal, which runs at the exit, and the literals merged with it —
// so their writes and captures are not counted.
func NewFunc(info *types.Info, fn ast.Node, skip ...ast.Node) *Func {
	f := &Func{Info: info, Node: fn, skip: make(map[ast.Node]bool), escaped: make(map[*types.Var]ast.Node), spans: make(map[[2]token.Pos]*Span)}
	for _, n := range skip {
		if n != nil {
			f.skip[n] = true
		}
	}
	f.findEscapes()
	for file, v := range info.FileVersions {
		if file.Pos() <= fn.Pos() && fn.End() <= file.End() {
			f.shared = v != "" && version.Compare(v, "go1.22") < 0
		}
	}
	return f
}

// body returns the function's body.
func (f *Func) body() *ast.BlockStmt {
	switch fn := f.Node.(type) {
	case *ast.FuncDecl:
		return fn.Body
	case *ast.FuncLit:
		return fn.Body
	}
	return nil
}

// Root strips the field selections and array indexing that stay inside the variable e
// starts from: writing to e writes that variable.
func Root(info *types.Info, e ast.Expr) ast.Expr {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.SelectorExpr:
			if sel := info.Selections[x]; sel != nil && sel.Kind() == types.FieldVal && !sel.Indirect() {
				e = x.X
				continue
			}
		case *ast.IndexExpr:
			if _, ok := under(info.TypeOf(x.X)).(*types.Array); ok {
				e = x.X
				continue
			}
		}
		return ast.Unparen(e)
	}
}

func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}

// rootVar returns the variable e is rooted in (see Root), or nil when e is reached
// through a pointer, a slice or a map.
func (f *Func) rootVar(e ast.Expr) *types.Var {
	switch r := Root(f.Info, e).(type) {
	case *ast.Ident:
		v, _ := f.Info.ObjectOf(r).(*types.Var)
		return v
	case *ast.SelectorExpr:
		if f.Info.Selections[r] == nil { // pkg.V
			v, _ := f.Info.Uses[r.Sel].(*types.Var)
			return v
		}
	}
	return nil
}

// isPackageVar reports whether v is declared at package level.
func isPackageVar(v *types.Var) bool {
	return v.Pkg() != nil && v.Parent() == v.Pkg().Scope()
}

// local reports whether v is a variable declared in f itself (not a field, a package
// variable or a variable of an enclosing function).
func (f *Func) local(v *types.Var) bool {
	return !v.IsField() && !isPackageVar(v) && f.Node.Pos() <= v.Pos() && v.Pos() < f.Node.End()
}

// findEscapes records the local variables whose address is taken, explicitly or
// implicitly, and those assigned inside a function literal.
func (f *Func) findEscapes() {
	body := f.body()
	if body == nil {
		return
	}
	mark := func(e ast.Expr, why ast.Node) {
		if v := f.rootVar(e); v != nil && f.local(v) {
			if _, ok := f.escaped[v]; !ok {
				f.escaped[v] = why
			}
		}
	}
	var visit func(n ast.Node, inLit bool) bool
	visit = func(n ast.Node, inLit bool) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			if f.skip[n] {
				return false
			}
			ast.Inspect(n.Body, func(m ast.Node) bool { return m != nil && visit(m, true) })
			return false
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				mark(n.X, n)
			}
		case *ast.SliceExpr:
			if _, ok := under(f.Info.TypeOf(n.X)).(*types.Array); ok {
				mark(n.X, n)
			}
		case *ast.SelectorExpr:
			if sel := f.Info.Selections[n]; sel != nil && sel.Kind() == types.MethodVal {
				if _, ptrRecv := under(sel.Obj().(*types.Func).Signature().Recv().Type()).(*types.Pointer); ptrRecv {
					if _, ptrOperand := under(f.Info.TypeOf(n.X)).(*types.Pointer); !ptrOperand {
						mark(n.X, n) // &x is taken implicitly
					}
				}
			}
		case *ast.AssignStmt:
			if inLit {
				for _, l := range n.Lhs {
					mark(l, n)
				}
			}
		case *ast.IncDecStmt:
			if inLit {
				mark(n.X, n)
			}
		case *ast.RangeStmt:
			if inLit && n.Tok == token.ASSIGN {
				if n.Key != nil {
					mark(n.Key, n)
				}
				if n.Value != nil {
					mark(n.Value, n)
				}
			}
		}
		return true
	}
	ast.Inspect(body, func(n ast.Node) bool { return n != nil && visit(n, false) })
}

// Escapes reports whether unseen code may write v (see the package documentation).
func (f *Func) Escapes(v *types.Var) bool {
	if isPackageVar(v) || !f.local(v) {
		return true
	}
	_, ok := f.escaped[v]
	return ok
}

// A Span is the code that may run between two points of a function.
type Span struct {
	f      *Func
	direct map[*types.Var][]ast.Node // variables the span assigns, and where
	// origin is the statement After started from, when the span reaches back to the
	// start of a loop around it; nil otherwise.
	origin ast.Node
	from   token.Pos
	// The first node of each kind, or nil.
	unseen   ast.Node // runs code the syntax does not show, or synchronises
	unseenAs string
	indirect ast.Node // writes through a pointer, into a slice or map element
	aliasing ast.Node // writes a variable unseen code or a pointer may also reach
}

// Stmts returns the span of the statements list.
func (f *Func) Stmts(list []ast.Stmt) *Span {
	if len(list) == 0 {
		return f.span(token.NoPos, token.NoPos)
	}
	return f.span(list[0].Pos(), list[len(list)-1].End())
}

// Nodes returns the span of the code between from and to, in source order.
func (f *Func) Between(from, to token.Pos) *Span { return f.span(from, to) }

// After returns the span from the end of s (a statement of f) to the function's return:
// everything after s, and the whole of the outermost loop of f around s, which comes back
// to code before s.
func (f *Func) After(s ast.Node) *Span {
	from := s.End()
	body := f.body()
	if body == nil {
		return f.span(from, from)
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ForStmt, *ast.RangeStmt:
			if n.Pos() <= s.Pos() && s.End() <= n.End() && n.Pos() < from {
				from = n.Pos()
				return false // the outermost loop
			}
		}
		return n == nil || (n.Pos() <= s.Pos() && s.End() <= n.End())
	})
	sp := f.span(from, body.End())
	if from < s.End() {
		cp := *sp // the cached span, with the origin of this question
		cp.origin = s
		return &cp
	}
	return sp
}

func (f *Func) span(from, to token.Pos) *Span {
	key := [2]token.Pos{from, to}
	if s := f.spans[key]; s != nil {
		return s
	}
	s := &Span{f: f, direct: make(map[*types.Var][]ast.Node), from: from}
	f.spans[key] = s
	body := f.body()
	if body == nil || from >= to {
		return s
	}
	info := f.Info
	write := func(e ast.Expr, at ast.Node, define bool) {
		if id, ok := ast.Unparen(e).(*ast.Ident); ok && (id.Name == "_" || define && info.Defs[id] != nil) {
			return // a new variable
		}
		v := f.rootVar(e)
		if v == nil {
			if s.indirect == nil {
				s.indirect = at
			}
			return
		}
		s.direct[v] = append(s.direct[v], at)
		if f.Escapes(v) && s.aliasing == nil {
			s.aliasing = at
		}
	}
	unseen := func(n ast.Node, format string, args ...any) {
		if s.unseen == nil {
			s.unseen, s.unseenAs = n, fmt.Sprintf(format, args...)
		}
	}
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil || f.skip[n] {
			return false
		}
		if n.End() <= from || n.Pos() >= to {
			return false
		}
		if n.Pos() < from || n.End() > to {
			return true // only partly in the span: look inside
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				write(l, n, n.Tok == token.DEFINE)
			}
		case *ast.IncDecStmt:
			write(n.X, n, false)
		case *ast.ForStmt:
			// Before Go 1.22, a variable the loop declares is one for all iterations:
			// the next iteration writes it.
			if as, ok := n.Init.(*ast.AssignStmt); ok && f.shared && as.Tok == token.DEFINE {
				for _, l := range as.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						if v, ok := info.Defs[id].(*types.Var); ok {
							s.direct[v] = append(s.direct[v], n)
						}
					}
				}
			}
		case *ast.RangeStmt:
			if f.shared && n.Tok == token.DEFINE {
				for _, l := range []ast.Expr{n.Key, n.Value} {
					if id, ok := l.(*ast.Ident); ok {
						if v, ok := info.Defs[id].(*types.Var); ok {
							s.direct[v] = append(s.direct[v], n)
						}
					}
				}
			}
			if n.Tok == token.ASSIGN {
				if n.Key != nil {
					write(n.Key, n, false)
				}
				if n.Value != nil {
					write(n.Value, n, false)
				}
			}
			switch t := under(info.TypeOf(n.X)).(type) {
			case *types.Signature:
				unseen(n.X, "the range over %s runs the iterator's code", types.ExprString(n.X))
			case *types.Chan:
				unseen(n.X, "the range over the channel %s synchronises with another goroutine", types.ExprString(n.X))
			case *types.Pointer: // range over a pointer to an array reads through it
				_ = t
			}
		case *ast.SendStmt:
			unseen(n, "the send on %s synchronises with another goroutine", types.ExprString(n.Chan))
		case *ast.SelectStmt:
			unseen(n, "the select synchronises with another goroutine")
		case *ast.GoStmt:
			unseen(n, "the go statement starts another goroutine")
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				unseen(n, "the receive from %s synchronises with another goroutine", types.ExprString(n.X))
			}
		case *ast.CallExpr:
			if tv, ok := info.Types[n.Fun]; ok && tv.IsType() {
				break // a conversion
			}
			if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
				if b, ok := info.Uses[id].(*types.Builtin); ok {
					switch b.Name() {
					case "copy", "clear", "append":
						if s.indirect == nil {
							s.indirect = n
						}
						return true
					case "len", "cap", "min", "max", "new", "make", "complex", "real", "imag":
						return true
					}
				}
			}
			unseen(n, "the call %s runs code the analysis does not see", types.ExprString(n.Fun))
		}
		return true
	})
	return s
}

// Unseen returns the first node of the span that runs code the syntax does not show or
// synchronises with another goroutine, and what it does; nil if none.
func (s *Span) Unseen() (ast.Node, string) { return s.unseen, s.unseenAs }

// Assigns returns where the span assigns v (or a part of it held in v), or nil.
func (s *Span) Assigns(v *types.Var) ast.Node { return s.assigns(v) }

// assigns returns the first write to v in the span that writes the instance of v live at
// the span's start. A variable declared in a loop the span reaches back into is a new
// variable each time its declaration runs: a write before the origin in the loop body
// writes the next instance — unless a loop between the declaration and the origin
// brings control back to it with the same instance.
func (s *Span) assigns(v *types.Var) ast.Node {
	writes := s.direct[v]
	if len(writes) == 0 {
		return nil
	}
	if s.origin == nil || v.Pos() < s.from || v.Pos() >= s.origin.End() {
		return writes[0]
	}
	for _, w := range writes {
		if isLoop(w) {
			return w // a loop variable before Go 1.22: the same for every iteration
		}
	}
	from := s.origin.End()
	if !(isLoop(s.origin) && s.origin.Pos() <= v.Pos()) {
		// The outermost loop between the declaration and the origin comes back with the
		// same instance.
		ast.Inspect(s.f.body(), func(n ast.Node) bool {
			if n == nil || n.End() <= v.Pos() || n.Pos() > s.origin.Pos() {
				return false
			}
			if isLoop(n) && v.Pos() < n.Pos() && s.origin.End() <= n.End() {
				from = n.Pos()
				return false
			}
			return true
		})
	}
	for _, w := range writes {
		if w.Pos() >= from {
			return w
		}
	}
	return nil
}

func isLoop(n ast.Node) bool {
	switch n.(type) {
	case *ast.ForStmt, *ast.RangeStmt:
		return true
	}
	return false
}

// VarMayChange returns why v's value may differ between the span's start and any point
// in it, and where; "" when it cannot.
func (s *Span) VarMayChange(v *types.Var) (ast.Node, string) {
	if at := s.assigns(v); at != nil {
		return at, fmt.Sprintf("%s is assigned", v.Name())
	}
	return s.ReachedMayChange(v)
}

// ReachedMayChange is VarMayChange without the span's assignments to v's name: whether
// code that reaches v without naming it — unseen code, a write through a pointer — may
// change it. A Go 1.22 per-iteration loop variable asks it of the code after its own
// iteration: assignments by name there denote other iterations' variables, but a
// pointer to this iteration's, taken before, still reaches it (loopcapture: defer
// func() { use(i) }() with ps = append(ps, &i), then *ps[0] = 40 after the loop).
func (s *Span) ReachedMayChange(v *types.Var) (ast.Node, string) {
	if !s.f.Escapes(v) {
		return nil, ""
	}
	what := "its address is taken"
	switch {
	case isPackageVar(v):
		what = "it is a package-level variable"
	case !s.f.local(v):
		what = "it belongs to an enclosing function"
	default:
		if _, ok := s.f.escaped[v].(*ast.UnaryExpr); !ok {
			if _, ok := s.f.escaped[v].(*ast.SelectorExpr); ok {
				what = "its address is taken by a pointer method"
			} else if _, ok := s.f.escaped[v].(*ast.SliceExpr); ok {
				what = "a slice of it exists"
			} else {
				what = "a function literal assigns it"
			}
		}
	}
	if s.unseen != nil {
		return s.unseen, fmt.Sprintf("%s may change: %s, and %s", v.Name(), what, s.unseenAs)
	}
	if s.indirect != nil {
		return s.indirect, fmt.Sprintf("%s may change: %s, and a write through a pointer may reach it", v.Name(), what)
	}
	return nil, ""
}

// derefMayChange returns why memory reached through a pointer, slice or map may change.
func (s *Span) derefMayChange(e ast.Expr) (ast.Node, string) {
	switch {
	case s.unseen != nil:
		return s.unseen, fmt.Sprintf("%s is read through a pointer, and %s", types.ExprString(e), s.unseenAs)
	case s.indirect != nil:
		return s.indirect, fmt.Sprintf("%s is read through a pointer, and a write through a pointer may reach it", types.ExprString(e))
	case s.aliasing != nil:
		return s.aliasing, fmt.Sprintf("%s is read through a pointer, and a variable it may point to is assigned", types.ExprString(e))
	}
	return nil, ""
}

// MayChange returns why the value of e, evaluated at the span's start, may differ from
// its value evaluated anywhere in the span, and where; "" when it cannot.
func (s *Span) MayChange(e ast.Expr) (ast.Node, string) {
	info := s.f.Info
	e = ast.Unparen(e)
	if tv, ok := info.Types[e]; ok && (tv.Value != nil || tv.IsNil() || tv.IsType()) {
		return nil, ""
	}
	switch e := e.(type) {
	case *ast.BasicLit, *ast.FuncLit:
		return nil, ""
	case *ast.Ident:
		switch obj := info.Uses[e].(type) {
		case *types.Var:
			return s.VarMayChange(obj)
		case nil:
			return e, fmt.Sprintf("%s is not a known object", e.Name)
		}
		return nil, "" // functions, constants, nil, types, builtins, packages
	case *ast.SelectorExpr:
		sel := info.Selections[e]
		if sel == nil { // pkg.Name
			return s.MayChange(e.Sel)
		}
		switch sel.Kind() {
		case types.MethodExpr:
			return nil, ""
		case types.FieldVal:
			if at, why := s.MayChange(e.X); at != nil {
				return at, why
			}
			if sel.Indirect() {
				return s.derefMayChange(e)
			}
			return nil, ""
		case types.MethodVal:
			return s.RecvMayChange(e)
		}
	case *ast.IndexExpr, *ast.IndexListExpr:
		if tv := info.Types[e]; tv.Type != nil {
			if _, ok := tv.Type.(*types.Signature); ok {
				if x, ok := e.(*ast.IndexExpr); ok {
					if _, isMap := under(info.TypeOf(x.X)).(*types.Map); !isMap {
						if _, isSlice := under(info.TypeOf(x.X)).(*types.Slice); !isSlice {
							if _, isArr := under(info.TypeOf(x.X)).(*types.Array); !isArr {
								return s.MayChange(x.X) // an instantiated generic function
							}
						}
					}
				} else {
					return s.MayChange(e.(*ast.IndexListExpr).X)
				}
			}
		}
		x, ok := e.(*ast.IndexExpr)
		if !ok {
			return e, "the expression is not covered"
		}
		if at, why := s.MayChange(x.X); at != nil {
			return at, why
		}
		if at, why := s.MayChange(x.Index); at != nil {
			return at, why
		}
		switch under(info.TypeOf(x.X)).(type) {
		case *types.Array, *types.Basic:
			return nil, ""
		}
		return s.derefMayChange(e)
	case *ast.SliceExpr:
		for _, y := range []ast.Expr{e.Low, e.High, e.Max} {
			if y != nil {
				if at, why := s.MayChange(y); at != nil {
					return at, why
				}
			}
		}
		if _, ok := under(info.TypeOf(e.X)).(*types.Array); ok {
			return s.AddrMayChange(e.X)
		}
		return s.MayChange(e.X)
	case *ast.StarExpr:
		if at, why := s.MayChange(e.X); at != nil {
			return at, why
		}
		return s.derefMayChange(e)
	case *ast.UnaryExpr:
		switch e.Op {
		case token.AND:
			return s.AddrMayChange(e.X)
		case token.ARROW:
			return e, "a receive gives another value each time"
		}
		return s.MayChange(e.X)
	case *ast.BinaryExpr:
		if at, why := s.MayChange(e.X); at != nil {
			return at, why
		}
		return s.MayChange(e.Y)
	case *ast.TypeAssertExpr:
		return s.MayChange(e.X)
	case *ast.CompositeLit:
		_, isStruct := under(info.TypeOf(e)).(*types.Struct)
		for _, x := range e.Elts {
			if kv, ok := x.(*ast.KeyValueExpr); ok {
				if !isStruct {
					if at, why := s.MayChange(kv.Key); at != nil {
						return at, why
					}
				}
				x = kv.Value
			}
			if at, why := s.MayChange(x); at != nil {
				return at, why
			}
		}
		return nil, ""
	case *ast.CallExpr:
		if tv, ok := info.Types[e.Fun]; ok && tv.IsType() && len(e.Args) == 1 {
			if at, why := s.MayChange(e.Args[0]); at != nil {
				return at, why
			}
			// A slice converted to a string or an array copies the elements, which are
			// read through the slice: string(bs) changes with bs[0] = 'J'.
			if _, fromSlice := under(info.TypeOf(e.Args[0])).(*types.Slice); fromSlice {
				switch under(tv.Type).(type) {
				case *types.Basic, *types.Array:
					return s.derefMayChange(e)
				}
			}
			return nil, ""
		}
		if id, ok := ast.Unparen(e.Fun).(*ast.Ident); ok {
			if b, ok := info.Uses[id].(*types.Builtin); ok && (b.Name() == "len" || b.Name() == "cap") {
				if at, why := s.MayChange(e.Args[0]); at != nil {
					return at, why
				}
				// The length of a map or a channel is kept behind the reference the
				// variable holds: a write into the map (through any alias), a send or a
				// receive change it without writing the variable. A channel's length
				// changes with another goroutine's send or receive at any moment.
				switch under(info.TypeOf(e.Args[0])).(type) {
				case *types.Map:
					return s.derefMayChange(e)
				case *types.Chan:
					if b.Name() == "len" {
						return e, fmt.Sprintf("%s changes with every send and receive, in any goroutine", types.ExprString(e))
					}
				}
				return nil, ""
			}
		}
		return e, fmt.Sprintf("%s is computed by a call", types.ExprString(e))
	}
	return e, fmt.Sprintf("the analysis does not cover %s", types.ExprString(e))
}

// AddrMayChange returns why the address of the variable, field or element e may differ
// between the span's start and any point in it: the address of a variable never does.
func (s *Span) AddrMayChange(e ast.Expr) (ast.Node, string) {
	info := s.f.Info
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		if _, ok := info.Uses[e].(*types.Var); ok {
			return nil, ""
		}
	case *ast.SelectorExpr:
		sel := info.Selections[e]
		if sel == nil {
			return s.AddrMayChange(e.Sel)
		}
		if sel.Kind() != types.FieldVal {
			break
		}
		if !sel.Indirect() {
			return s.AddrMayChange(e.X)
		}
		// Through a pointer: the pointer's value, and each embedded pointer on the way.
		if len(sel.Index()) > 1 {
			return s.MayChange(e) // conservative: the embedded pointers are read too
		}
		return s.MayChange(e.X)
	case *ast.IndexExpr:
		if at, why := s.MayChange(e.Index); at != nil {
			return at, why
		}
		if _, ok := under(info.TypeOf(e.X)).(*types.Array); ok {
			return s.AddrMayChange(e.X)
		}
		return s.MayChange(e.X)
	case *ast.StarExpr:
		return s.MayChange(e.X)
	case *ast.CompositeLit:
		return s.MayChange(e) // &T{...} allocates where it is evaluated, from these values
	}
	return e, fmt.Sprintf("the address of %s may change", types.ExprString(e))
}

// RecvMayChange returns why the method value sel (x.M) may differ between the span's
// start and any point in it: the receiver it binds is &x for a pointer method on an
// addressable x, a copy of x (or *x) for a value method, and the interface's dynamic
// value for an interface method.
func (s *Span) RecvMayChange(sel *ast.SelectorExpr) (ast.Node, string) {
	info := s.f.Info
	selection := info.Selections[sel]
	if selection == nil || selection.Kind() != types.MethodVal {
		return s.MayChange(sel)
	}
	m := selection.Obj().(*types.Func)
	_, ptrRecv := under(m.Signature().Recv().Type()).(*types.Pointer)
	_, ptrOperand := under(info.TypeOf(sel.X)).(*types.Pointer)
	switch {
	case types.IsInterface(info.TypeOf(sel.X)):
		return s.MayChange(sel.X)
	case len(selection.Index()) > 1 && !embeddedPointer(selection) && ptrRecv:
		// Promoted through embedded struct values to a pointer method: the receiver is
		// an address computed from the operand, no memory is read.
		if ptrOperand {
			return s.MayChange(sel.X)
		}
		return s.AddrMayChange(sel.X)
	case len(selection.Index()) > 1:
		// Through embedded pointers, or to a value method: memory is read at the
		// evaluation (the embedded pointers, the copied receiver).
		if at, why := s.MayChange(sel.X); at != nil {
			return at, why
		}
		if !ptrOperand && !embeddedPointer(selection) {
			return nil, "" // a copy of a field of the operand's own value
		}
		return s.derefMayChange(sel)
	case ptrRecv && !ptrOperand:
		return s.AddrMayChange(sel.X) // the receiver is &x
	case !ptrRecv && ptrOperand:
		if at, why := s.MayChange(sel.X); at != nil {
			return at, why
		}
		return s.derefMayChange(sel) // the receiver is a copy of *x
	}
	return s.MayChange(sel.X)
}

// embeddedPointer reports whether a selection goes through an embedded pointer field
// after its base (each such step may be nil, and is read when the selection is).
func embeddedPointer(sel *types.Selection) bool {
	t := sel.Recv()
	if p, ok := under(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	idx := sel.Index()
	for _, i := range idx[:len(idx)-1] {
		st, ok := under(t).(*types.Struct)
		if !ok {
			return true
		}
		t = st.Field(i).Type()
		if _, ok := under(t).(*types.Pointer); ok {
			return true
		}
		if types.IsInterface(t) {
			return true
		}
	}
	return false
}

// CapturesMayChange returns why a value the literal's body reads from outside it — a
// variable of the function or of the package, a field or element reached from one —
// may differ between the span's start and any point in it, and where; "" when none may.
// Only its address is read when the body takes it (&x, a pointer method on x, x[:] of an
// array): that never changes. Writes the body makes are not reads; skip, if not nil,
// exempts variables the caller argues for itself.
func (s *Span) CapturesMayChange(lit *ast.FuncLit, skip func(*types.Var) bool) (ast.Node, string) {
	info := s.f.Info
	var at ast.Node
	var why string
	var stack []ast.Node
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		if at != nil {
			return false
		}
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		stack = append(stack, n)
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		v, ok := info.Uses[id].(*types.Var)
		if !ok || v.IsField() || (lit.Pos() <= v.Pos() && v.Pos() < lit.End()) || (skip != nil && skip(v)) {
			return true
		}
		// Climb to the largest path read from v.
		var e ast.Expr = id
		i := len(stack) - 2
		for ; i >= 0; i-- {
			switch p := stack[i].(type) {
			case *ast.ParenExpr:
				e = p
				continue
			case *ast.SelectorExpr:
				if sel := info.Selections[p]; sel != nil && sel.Kind() == types.FieldVal && p.X == e {
					e = p
					continue
				}
			case *ast.IndexExpr:
				if p.X == e {
					e = p
					continue
				}
			case *ast.StarExpr:
				e = p
				continue
			}
			break
		}
		addr := false
		if i >= 0 {
			switch p := stack[i].(type) {
			case *ast.UnaryExpr:
				addr = p.Op == token.AND
			case *ast.SliceExpr:
				_, isArr := under(info.TypeOf(e)).(*types.Array)
				addr = p.X == e && isArr
			case *ast.SelectorExpr:
				if sel := info.Selections[p]; sel != nil && sel.Kind() == types.MethodVal && p.X == e {
					_, ptrRecv := under(sel.Obj().(*types.Func).Signature().Recv().Type()).(*types.Pointer)
					_, ptrOperand := under(info.TypeOf(e)).(*types.Pointer)
					addr = ptrRecv && !ptrOperand && len(sel.Index()) == 1
				}
			case *ast.AssignStmt:
				for _, l := range p.Lhs {
					if l == e && Root(info, e) == ast.Unparen(id) {
						return true // a write to the variable itself, not a read
					}
				}
			case *ast.IncDecStmt:
				if Root(info, e) == ast.Unparen(id) {
					return true
				}
			}
		}
		if addr {
			at, why = s.AddrMayChange(e)
		} else {
			at, why = s.MayChange(e)
		}
		return true
	})
	return at, why
}

// Reached returns where code that does not name v may still read or write it, or nil:
// v's address is taken (explicitly or implicitly), or a function literal refers to it —
// a literal runs wherever it is passed to, stored or called from. A literal deferred
// where it stands (defer func() { ... }()) runs only at the function's exit and is not
// counted, nor are the literals NewFunc was told to skip. A deferred call that runs
// before the function's return sets its named results (loopdefer's per-iteration forms)
// must not read or write them: Reached finds what reaches them without naming them
// (programs/effects-namedresult-reached: Open(x, &n) ... defer r.Close(), where Close
// adds to *r.out).
func (f *Func) Reached(v *types.Var) ast.Node {
	body := f.body()
	if body == nil {
		return nil
	}
	deferred := make(map[ast.Node]bool)
	ast.Inspect(body, func(n ast.Node) bool {
		if d, ok := n.(*ast.DeferStmt); ok {
			if lit, ok := ast.Unparen(d.Call.Fun).(*ast.FuncLit); ok {
				deferred[lit] = true
			}
		}
		return true
	})
	var found ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		if found != nil || n == nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			if f.skip[n] || deferred[n] {
				return false
			}
			ast.Inspect(n.Body, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok && f.Info.Uses[id] == v {
					found = id
				}
				return found == nil
			})
			return false
		case *ast.UnaryExpr:
			if n.Op == token.AND && f.rootVar(n.X) == v {
				found = n
			}
		case *ast.SliceExpr:
			if _, ok := under(f.Info.TypeOf(n.X)).(*types.Array); ok && f.rootVar(n.X) == v {
				found = n
			}
		case *ast.SelectorExpr:
			if sel := f.Info.Selections[n]; sel != nil && sel.Kind() == types.MethodVal {
				if _, ptrRecv := under(sel.Obj().(*types.Func).Signature().Recv().Type()).(*types.Pointer); ptrRecv {
					if _, ptrOperand := under(f.Info.TypeOf(n.X)).(*types.Pointer); !ptrOperand && f.rootVar(n.X) == v {
						found = n // &v is taken implicitly
					}
				}
			}
		}
		return found == nil
	})
	return found
}
