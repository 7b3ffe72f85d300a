package effects

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
)

// MayPanic returns the first node of s that cannot be shown panic-free, and why; nil when
// nothing in s can panic. nonNil holds pointer variables known not to be nil throughout s.
//
// Accepted:
//
//   - assignments, ++ and --, declarations, blocks, labels, if, for, switch and type switch,
//     range over arrays, slices, strings, maps, integers and channels (the channel
//     operation itself is not: see below), break, continue, return;
//   - reads of variables and constants; fields of struct values; fields through a pointer
//     in nonNil (one indirection, at the base);
//   - arithmetic, except integer division by a non-constant and shifts by a signed
//     non-constant count; comparisons of values that are not interfaces, and with nil; map
//     reads whose keys hold no interface; array elements at constant indices; conversions
//     between basic types or to interfaces; comma-ok type assertions and map reads;
//     function and composite literals;
//   - the builtins len, cap, min, max, append, copy, new, complex, real, imag, clear,
//     print and println.
//
// Anything else may panic — a call, a slice or string index, a single-value type
// assertion, a channel operation, a select, a go statement, a map write (the map may be
// nil), a conversion of a slice to an array, a range over a function.
func MayPanic(info *types.Info, s ast.Node, nonNil map[*types.Var]bool) (ast.Node, string) {
	r := &prover{Info: info, nonNil: nonNil}
	return r.mayPanic(s)
}

// EvalMayPanic returns why evaluating the deferred call's function and arguments — what
// the defer statement itself does — may panic, and where; nil when it cannot. A method
// value on a nil interface, or through a nil pointer, panics there; a nil function value
// panics only when called, and a pointer method on a pointer does not dereference it.
func EvalMayPanic(info *types.Info, call *ast.CallExpr, nonNil map[*types.Var]bool) (ast.Node, string) {
	r := &prover{Info: info, nonNil: nonNil}
	fun := ast.Unparen(call.Fun)
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		if s := info.Selections[sel]; s != nil && s.Kind() == types.MethodVal {
			if at, why := r.recv(sel, s); at != nil {
				return at, why
			}
			fun = nil
		}
	}
	switch fun.(type) {
	case nil, *ast.FuncLit:
	default:
		if tv := info.Types[fun]; tv.Value == nil && !tv.IsNil() {
			if at, why := r.mayPanic(&ast.ExprStmt{X: fun}); at != nil {
				return at, why
			}
		}
	}
	for _, a := range call.Args {
		if at, why := r.mayPanic(&ast.ExprStmt{X: a}); at != nil {
			return at, why
		}
	}
	return nil, ""
}

type prover struct {
	Info   *types.Info
	nonNil map[*types.Var]bool
}

// recv checks the evaluation of the method value sel: its operand, the path to the
// receiver, and a nil interface.
func (r *prover) recv(sel *ast.SelectorExpr, s *types.Selection) (ast.Node, string) {
	if at, why := r.mayPanic(&ast.ExprStmt{X: sel.X}); at != nil {
		return at, why
	}
	return r.bind(sel, s)
}

// MethodValueMayPanic is EvalMayPanic for the method value sel alone, its operand
// already evaluated (a caller holds it): the step that binds the receiver panics on a nil
// interface, and on a nil pointer whose value it copies or whose fields it goes through.
func MethodValueMayPanic(info *types.Info, sel *ast.SelectorExpr, nonNil map[*types.Var]bool) (ast.Node, string) {
	s := info.Selections[sel]
	if s == nil || s.Kind() != types.MethodVal {
		return nil, ""
	}
	return (&prover{Info: info, nonNil: nonNil}).bind(sel, s)
}

// bind checks the step of a method value that binds its receiver.
func (r *prover) bind(sel *ast.SelectorExpr, s *types.Selection) (ast.Node, string) {
	m := s.Obj().(*types.Func)
	_, ptrRecv := under(m.Signature().Recv().Type()).(*types.Pointer)
	_, ptrOperand := under(r.Info.TypeOf(sel.X)).(*types.Pointer)
	known := r.known(sel.X)
	switch {
	case types.IsInterface(r.Info.TypeOf(sel.X)):
		if !known {
			return sel, fmt.Sprintf("the method value %s panics at the defer statement when %s is nil", render(sel), render(sel.X))
		}
	case len(s.Index()) > 1 && (embeddedPointer(s) || ptrOperand && !known):
		return sel, fmt.Sprintf("the method value %s reads through a pointer that may be nil", render(sel))
	case !ptrRecv && ptrOperand && !known:
		return sel, fmt.Sprintf("the method value %s copies *%s, which panics when it is nil", render(sel), render(sel.X))
	}
	return nil, ""
}

// known reports whether x is a variable in nonNil.
func (r *prover) known(x ast.Expr) bool {
	id, ok := ast.Unparen(x).(*ast.Ident)
	if !ok {
		return false
	}
	v, ok := r.Info.Uses[id].(*types.Var)
	return ok && r.nonNil[v]
}

// mayPanic returns the first node of s that the proof cannot show panic-free, and why.
func (r *prover) mayPanic(s ast.Node) (ast.Node, string) {
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
	known := r.known
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

// NonNilAfter returns the pointer and interface variables that statement s dereferences
// unconditionally and that s cannot change afterwards: had one been nil, s would have
// panicked, so right after s none is (c in c.mu.Lock(), p in x := p.n, i in i.Close()).
// Callers drop the ones a span may change before they rely on them.
func (f *Func) NonNilAfter(s ast.Stmt) map[*types.Var]bool {
	info := f.Info
	out := make(map[*types.Var]bool)
	base := func(x ast.Expr) {
		id, ok := ast.Unparen(x).(*ast.Ident)
		if !ok {
			return
		}
		if v, ok := info.Uses[id].(*types.Var); ok {
			out[v] = true
		}
	}
	var visit func(e ast.Expr)
	visit = func(e ast.Expr) {
		switch e := ast.Unparen(e).(type) {
		case *ast.SelectorExpr:
			if sel := info.Selections[e]; sel != nil {
				_, ptrOperand := under(info.TypeOf(e.X)).(*types.Pointer)
				switch {
				case types.IsInterface(info.TypeOf(e.X)) && sel.Kind() == types.MethodVal:
					base(e.X) // a method value on a nil interface panics
				case ptrOperand && sel.Kind() == types.FieldVal:
					base(e.X)
				case ptrOperand && sel.Kind() == types.MethodVal:
					_, ptrRecv := under(sel.Obj().(*types.Func).Signature().Recv().Type()).(*types.Pointer)
					if !ptrRecv || len(sel.Index()) > 1 {
						base(e.X) // *x is copied, or a field of *x is reached
					}
				}
			}
			visit(e.X)
		case *ast.StarExpr:
			base(e.X)
			visit(e.X)
		case *ast.CallExpr:
			visit(e.Fun)
			for _, a := range e.Args {
				visit(a)
			}
		case *ast.IndexExpr:
			visit(e.X)
			visit(e.Index)
		case *ast.BinaryExpr:
			visit(e.X)
			if e.Op != token.LAND && e.Op != token.LOR {
				visit(e.Y)
			}
		case *ast.UnaryExpr:
			if e.Op != token.AND {
				visit(e.X)
			}
		}
	}
	switch s := s.(type) {
	case *ast.ExprStmt:
		visit(s.X)
	case *ast.AssignStmt:
		for _, x := range s.Rhs {
			visit(x)
		}
	case *ast.DeferStmt:
		visit(s.Call.Fun)
		for _, a := range s.Call.Args {
			visit(a)
		}
	}
	span := f.Stmts([]ast.Stmt{s})
	for v := range out {
		if _, ptr := under(v.Type()).(*types.Pointer); !ptr && !types.IsInterface(v.Type()) {
			delete(out, v)
			continue
		}
		if at, _ := span.VarMayChange(v); at != nil {
			delete(out, v)
		}
	}
	return out
}

// NonNilAt returns the pointers known not to be nil at statement s and throughout span:
// those the statement just before s in its list dereferences unconditionally
// (NonNilAfter), less those span may change.
func (f *Func) NonNilAt(s ast.Stmt, span *Span) map[*types.Var]bool {
	var prev ast.Stmt
	ast.Inspect(f.body(), func(n ast.Node) bool {
		list, _ := deferutil.StmtList(n)
		for i, x := range list {
			if x == s && i > 0 {
				prev = list[i-1]
			}
		}
		return prev == nil && n != nil && n.Pos() <= s.Pos() && s.End() <= n.End()
	})
	if prev == nil {
		return nil
	}
	out := f.NonNilAfter(prev)
	for v := range out {
		if at, _ := span.VarMayChange(v); at != nil {
			delete(out, v)
		}
	}
	return out
}
