package effects

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
)

// NilCallInert reports whether the deferred call, registered while v holds nil, has no
// effect but a panic. A rule that moves `defer v.M()` after `if err != nil { return }`
// (deferbeforecheck, when the call that set v is NilOnError) leaves out, on the error
// path, the original's call of M on a nil v: the move is exact only when that call did
// nothing, or panicked — then the move turns a crash into the check's return, which is the
// rule's purpose. The call is inert when
//   - the receiver is reached through a field of v, a pointer (v.Body.Close()): the defer
//     statement itself dereferences nil;
//   - v is an interface: the method value of a nil interface panics at the defer statement;
//   - M has a value receiver and v is a pointer: *v panics at the defer statement;
//   - M has a pointer receiver and its body is empty, or starts with
//     `if recv == nil { return ... }` returning no call's result (NilGuarded): for M
//     declared in this package, read from its source; for the standard library, listed in
//     StdNilInert, which a test (rules/deferbeforecheck, TestStdNilInert) proves entry by
//     entry from the GOROOT sources with NilGuarded.
//
// Everything else — M of another package, a body that starts otherwise (`closed++` counts a
// nil receiver's release), v passed as an argument — may have an effect: refused.
func NilCallInert(pass *analysis.Pass, call *ast.CallExpr, v *types.Var) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	s := pass.TypesInfo.Selections[sel]
	if s == nil || s.Kind() != types.MethodVal {
		return false
	}
	_, vPtr := v.Type().Underlying().(*types.Pointer)
	x := ast.Unparen(sel.X)
	if inner, ok := x.(*ast.SelectorExpr); ok {
		// The receiver is a field path: inert when its first step reads through v, a pointer.
		for {
			is := pass.TypesInfo.Selections[inner]
			if is == nil || is.Kind() != types.FieldVal {
				return false
			}
			base := ast.Unparen(inner.X)
			if id, ok := base.(*ast.Ident); ok {
				return pass.TypesInfo.Uses[id] == v && vPtr
			}
			if inner, ok = base.(*ast.SelectorExpr); !ok {
				return false
			}
		}
	}
	if id, ok := x.(*ast.Ident); !ok || pass.TypesInfo.Uses[id] != v {
		return false
	}
	if types.IsInterface(v.Type()) {
		return true
	}
	fn, ok := s.Obj().(*types.Func)
	if !ok || !vPtr {
		return false
	}
	if _, ptrRecv := fn.Signature().Recv().Type().Underlying().(*types.Pointer); !ptrRecv {
		return true // *v at the defer statement
	}
	if len(s.Index()) > 1 {
		return false // promoted through an embedded field: that field read is not modelled
	}
	fn = fn.Origin()
	if fn.Pkg() == pass.Pkg {
		for _, f := range pass.Files {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && pass.TypesInfo.Defs[fd.Name] == fn {
					return NilGuarded(fd)
				}
			}
		}
		return false
	}
	return pass.ImportObjectFact(fn, new(NilInert)) || slices.Contains(StdNilInert, fn.FullName())
}

// NilInert is an object fact on a method with a pointer receiver that does nothing on a
// nil receiver (NilGuarded), for NilCallInert in the importing packages.
type NilInert struct{}

func (*NilInert) AFact()         {}
func (*NilInert) String() string { return "NilInert" }

// ExportNilInert exports NilInert for the package's methods that NilGuarded proves. The
// analyzer that calls it must list NilInert in its FactTypes.
func ExportNilInert(pass *analysis.Pass) {
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || !NilGuarded(fd) {
				continue
			}
			if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
				if _, ptr := fn.Signature().Recv().Type().Underlying().(*types.Pointer); ptr {
					pass.ExportObjectFact(fn, new(NilInert))
				}
			}
		}
	}
}

// NilGuarded reports whether the method decl does nothing on a nil pointer receiver: its
// body is empty or a return statement alone, or its first statement is
// `if recv == nil { return ... }` (either operand order, no else) — the results of either
// return calling nothing.
func NilGuarded(decl *ast.FuncDecl) bool {
	if decl.Body == nil || decl.Recv == nil || len(decl.Recv.List) != 1 || len(decl.Recv.List[0].Names) != 1 {
		return false
	}
	if len(decl.Body.List) == 0 {
		return true
	}
	if ret, ok := decl.Body.List[0].(*ast.ReturnStmt); ok && len(decl.Body.List) == 1 {
		return !callsIn(ret)
	}
	recv := decl.Recv.List[0].Names[0].Name
	is, ok := decl.Body.List[0].(*ast.IfStmt)
	if !ok || is.Init != nil || is.Else != nil || len(is.Body.List) != 1 {
		return false
	}
	cond, ok := ast.Unparen(is.Cond).(*ast.BinaryExpr)
	if !ok || cond.Op != token.EQL {
		return false
	}
	isName := func(e ast.Expr, name string) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && id.Name == name
	}
	if !(isName(cond.X, recv) && isName(cond.Y, "nil") || isName(cond.X, "nil") && isName(cond.Y, recv)) {
		return false
	}
	ret, ok := is.Body.List[0].(*ast.ReturnStmt)
	return ok && !callsIn(ret)
}

// callsIn reports whether n holds a call (or a conversion, which looks like one).
func callsIn(n ast.Node) bool {
	calls := false
	ast.Inspect(n, func(n ast.Node) bool {
		if _, ok := n.(*ast.CallExpr); ok {
			calls = true
		}
		return !calls
	})
	return calls
}

// StdNilInert lists the standard library's pointer methods that NilGuarded proves do
// nothing on a nil receiver (TestStdNilInert checks each against GOROOT).
var StdNilInert = []string{
	"(*os.File).Close",
}
