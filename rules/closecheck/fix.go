package closecheck

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/dave/dst"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/effects"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

var sprintf = fmt.Sprintf

// The rewrite:
//
//	func save(...) (int, error) {           func save(...) (_ int, err error) {
//		...                                     ...
//		defer f.Close()                ⇒        defer func() {
//		...                                         if cerr := f.Close(); cerr != nil && err == nil {
//	}                                                   err = cerr
//	                                                }
//	                                            }()
//
// Safety: naming unnamed results changes nothing a caller sees, and no bare return exists
// in a function whose results were unnamed. Every return assigns the results before the
// deferred closure runs, so err holds the error being returned; the closure only replaces
// a nil error, so an earlier failure wins. The closure reads f when it runs rather than at
// the defer statement, so a function that assigns f after the defer is refused, as is one
// where the error result's name is shadowed at the defer (the closure would set the wrong
// variable) and one that returns no error.

type site struct {
	pass   *analysis.Pass
	cur    inspector.Cursor
	fn     inspector.Cursor
	d      *ast.DeferStmt
	v      *types.Var
	method string
	csv    bool // csv.Writer.Flush: the error comes from Error()
}

func (s *site) report(msg string) {
	info := s.pass.TypesInfo
	rng := deferutil.Keyword{Defer: s.d}
	var sig *types.Signature
	switch fn := s.fn.Node().(type) {
	case *ast.FuncDecl:
		sig = info.Defs[fn.Name].(*types.Func).Signature()
	case *ast.FuncLit:
		sig = info.TypeOf(fn).(*types.Signature)
	}
	res := sig.Results()
	if res.Len() == 0 || !types.Identical(res.At(res.Len()-1).Type(), types.Universe.Lookup("error").Type()) {
		tb := s.testingVar()
		if tb == nil {
			fixes.Refuse(s.pass, rng, token.NoPos, msg, "the function returns no error to report the failure in; check it where it can be handled")
			return
		}
		if at, why := s.changesAfter(); at != nil {
			fixes.Refuse(s.pass, rng, at.Pos(), msg, why)
			return
		}
		// In a test, the failure is reported to the test: t.Error(cerr).
		cerr := deferutil.NewNames(info, s.fn.Node(), nil, token.NoPos).Fresh("cerr")
		fix, err := fixes.FixAt(s.pass, deferutil.File(s.cur), s.d, sprintf(titleTest, tb.Name()), func(f *fixes.File) error {
			return s.rewriteTest(f, tb.Name(), cerr)
		})
		if err != nil {
			fixes.Refuse(s.pass, rng, token.NoPos, msg, err.Error())
			return
		}
		s.pass.Report(analysis.Diagnostic{Pos: rng.Pos(), End: rng.End(), Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
		return
	}
	if at, why := s.changesAfter(); at != nil {
		fixes.Refuse(s.pass, rng, at.Pos(), msg, why)
		return
	}
	errVar := res.At(res.Len() - 1)
	errName := errVar.Name()
	rename := errName == "" || errName == "_"
	names := deferutil.NewNames(info, s.fn.Node(), nil, token.NoPos)
	if rename {
		errName = "err"
		if names.Used("err") {
			errName = names.Fresh("retErr")
		}
	} else if scope := s.pass.Pkg.Scope().Innermost(s.d.Pos()); scope != nil {
		if _, obj := scope.LookupParent(errName, s.d.Pos()); obj != errVar {
			fixes.Refuse(s.pass, rng, token.NoPos, msg, sprintf("the error result %s is shadowed at the defer", errName))
			return
		}
	}
	cerr := names.Fresh("cerr")
	fix, err := fixes.FixAt(s.pass, deferutil.File(s.cur), s.d, titleCheck, func(f *fixes.File) error {
		return s.rewrite(f, rename, errName, cerr)
	})
	if err != nil {
		fixes.Refuse(s.pass, rng, token.NoPos, msg, err.Error())
		return
	}
	s.pass.Report(analysis.Diagnostic{Pos: rng.Pos(), End: rng.End(), Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
}

// testingVar returns the *testing.T, *testing.B, *testing.F or testing.TB parameter of the
// nearest enclosing function that has one, if its name still means it at the defer.
func (s *site) testingVar() *types.Var {
	info := s.pass.TypesInfo
	for c := range s.cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		var ft *ast.FuncType
		switch fn := c.Node().(type) {
		case *ast.FuncDecl:
			ft = fn.Type
		case *ast.FuncLit:
			ft = fn.Type
		}
		for _, field := range ft.Params.List {
			for _, id := range field.Names {
				v, ok := info.Defs[id].(*types.Var)
				if !ok || !isTB(v.Type()) || id.Name == "_" {
					continue
				}
				if scope := s.pass.Pkg.Scope().Innermost(s.d.Pos()); scope != nil {
					if _, obj := scope.LookupParent(id.Name, s.d.Pos()); obj == v {
						return v
					}
				}
			}
		}
	}
	return nil
}

// isTB reports whether t is *testing.T, *testing.B, *testing.F or testing.TB.
func isTB(t types.Type) bool {
	want := []string{"TB"}
	if p, ok := t.(*types.Pointer); ok {
		t, want = p.Elem(), []string{"T", "B", "F"}
	}
	named, ok := types.Unalias(t).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "testing" && slices.Contains(want, named.Obj().Name())
}

// rewriteTest turns the defer into a checked call that reports a failure to the test.
func (s *site) rewriteTest(f *fixes.File, tb, cerr string) error {
	if err := deferutil.Predeclared(s.pass, s.fn.Node(), "nil"); err != nil {
		return err
	}
	ds, ok := f.Node(s.d).(*dst.DeferStmt)
	if !ok {
		return fmt.Errorf("defer statement not found in the decorated file")
	}
	s.wrap(ds, func(get dst.Expr) dst.Stmt {
		return &dst.IfStmt{
			Init: &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(cerr)}, Tok: token.DEFINE, Rhs: []dst.Expr{get}},
			Cond: &dst.BinaryExpr{X: dst.NewIdent(cerr), Op: token.NEQ, Y: dst.NewIdent("nil")},
			Body: &dst.BlockStmt{List: []dst.Stmt{&dst.ExprStmt{X: &dst.CallExpr{
				Fun:  &dst.SelectorExpr{X: dst.NewIdent(tb), Sel: dst.NewIdent("Error")},
				Args: []dst.Expr{dst.NewIdent(cerr)},
			}}}},
		}
	})
	return nil
}

// changesAfter returns why the deferred closure, which evaluates the deferred call's
// receiver and arguments at the return instead of at the defer statement, would see other
// values or panic elsewhere, and where; "" when it would not (effects.Span.MayChange over
// the code after the defer, effects.EvalMayPanic).
func (s *site) changesAfter() (ast.Node, string) {
	info := s.pass.TypesInfo
	f := effects.NewFunc(info, s.fn.Node(), nil)
	span := f.After(s.d)
	if sel, ok := ast.Unparen(s.d.Call.Fun).(*ast.SelectorExpr); ok {
		if at, why := span.RecvMayChange(sel); at != nil {
			return at, sprintf("a deferred closure would evaluate %s at the return, and %s", types.ExprString(sel.X), why)
		}
	} else if at, why := span.MayChange(s.d.Call.Fun); at != nil {
		return at, "a deferred closure would evaluate the function at the return, and " + why
	}
	for _, a := range s.d.Call.Args {
		if at, why := span.MayChange(a); at != nil {
			return at, "a deferred closure would evaluate the argument at the return, and " + why
		}
	}
	if at, why := effects.EvalMayPanic(info, s.d.Call, f.NonNilAt(s.d, span)); at != nil {
		return at, why + "; in a deferred closure the panic would happen at the return instead"
	}
	return nil, ""
}

func (s *site) rewrite(f *fixes.File, rename bool, errName, cerr string) error {
	if err := deferutil.Predeclared(s.pass, s.fn.Node(), "nil"); err != nil {
		return err
	}
	ds, ok := f.Node(s.d).(*dst.DeferStmt)
	if !ok {
		return fmt.Errorf("defer statement not found in the decorated file")
	}
	if rename {
		var ft *dst.FuncType
		switch fn := f.Node(s.fn.Node()).(type) {
		case *dst.FuncDecl:
			ft = fn.Type
		case *dst.FuncLit:
			ft = fn.Type
		}
		if ft == nil || ft.Results == nil {
			return fmt.Errorf("function signature not found in the decorated file")
		}
		fields := ft.Results.List
		for i, field := range fields {
			if len(field.Names) == 0 {
				field.Names = []*dst.Ident{dst.NewIdent("_")}
			}
			if i == len(fields)-1 {
				field.Names[len(field.Names)-1] = dst.NewIdent(errName)
			}
		}
	}
	s.wrap(ds, func(get dst.Expr) dst.Stmt {
		return &dst.IfStmt{
			Init: &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(cerr)}, Tok: token.DEFINE, Rhs: []dst.Expr{get}},
			Cond: &dst.BinaryExpr{
				X:  &dst.BinaryExpr{X: dst.NewIdent(cerr), Op: token.NEQ, Y: dst.NewIdent("nil")},
				Op: token.LAND,
				Y:  &dst.BinaryExpr{X: dst.NewIdent(errName), Op: token.EQL, Y: dst.NewIdent("nil")},
			},
			Body: &dst.BlockStmt{List: []dst.Stmt{&dst.AssignStmt{
				Lhs: []dst.Expr{dst.NewIdent(errName)}, Tok: token.ASSIGN, Rhs: []dst.Expr{dst.NewIdent(cerr)},
			}}},
		}
	})
	return nil
}

// wrap turns the deferred call into a deferred literal that runs check on the error: the
// call's own result, or for a csv.Writer the Error that follows its Flush.
func (s *site) wrap(ds *dst.DeferStmt, check func(get dst.Expr) dst.Stmt) {
	call := ds.Call
	var body []dst.Stmt
	if s.csv {
		recv := dst.Clone(call.Fun.(*dst.SelectorExpr).X).(dst.Expr)
		body = []dst.Stmt{&dst.ExprStmt{X: call}, check(&dst.CallExpr{Fun: &dst.SelectorExpr{X: recv, Sel: dst.NewIdent("Error")}})}
	} else {
		body = []dst.Stmt{check(call)}
	}
	ds.Call = &dst.CallExpr{Fun: &dst.FuncLit{
		Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}},
		Body: &dst.BlockStmt{List: body},
	}}
}
