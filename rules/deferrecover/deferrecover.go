package deferrecover

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/fixes"
	"github.com/deferfix/deferfix/rules/internal/ruledoc"
)

//go:embed doc.go
var doc string

// Analyzer reports recover calls that cannot stop a panic.
var Analyzer = &analysis.Analyzer{
	Name:     "deferrecover",
	Doc:      ruledoc.Extract(doc, "deferrecover"),
	URL:      "https://pkg.go.dev/github.com/deferfix/deferfix/rules/deferrecover",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Fix titles.
const (
	titleWrap   = "Defer a function that calls recover" + fixes.UnsafeSuffix
	titleHelper = "Defer the helper that calls recover" + fixes.UnsafeSuffix
)

const (
	msgDirect = "defer recover() has no effect: recover stops a panic only when called by a deferred function"
	msgHelper = "%s calls recover but is not itself deferred, so the panic goes on"
)

func run(pass *analysis.Pass) (any, error) {
	info := pass.TypesInfo
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	helpers := recoverers(pass)
	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		d := cur.Node().(*ast.DeferStmt)
		file := deferutil.File(cur)
		if deferutil.IsBuiltin(info, d.Call, "recover") {
			report(pass, file, d.Call, msgDirect, titleWrap, func(f *fixes.File) error { return wrap(f, d) })
			continue
		}
		lit, ok := ast.Unparen(d.Call.Fun).(*ast.FuncLit)
		if !ok {
			continue
		}
		ast.Inspect(lit.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.CallExpr:
				fn, ok := deferutil.Callee(info, n).(*types.Func)
				if !ok || !helpers.has(fn) {
					return true
				}
				msg := fmt.Sprintf(msgHelper, fn.Name())
				if only := len(lit.Body.List) == 1 && len(n.Args) == 0 && len(d.Call.Args) == 0 && isStmt(lit.Body.List[0], n); only {
					report(pass, file, n, msg, titleHelper, func(f *fixes.File) error { return deferHelper(f, d, n) })
				} else {
					fixes.Refuse(pass, n, token.NoPos, msg, "the deferred function does more than call the helper; call recover in it directly")
				}
			}
			return true
		})
	}
	return nil, nil
}

func isStmt(s ast.Stmt, call *ast.CallExpr) bool {
	es, ok := s.(*ast.ExprStmt)
	return ok && ast.Unparen(es.X) == call
}

// recoverSet answers which functions of this package have a body that calls recover
// itself. It walks a function's body only when asked about that function: a deferred
// literal calls few of the package's functions.
type recoverSet struct {
	pass   *analysis.Pass
	bodies map[*types.Func]*ast.BlockStmt
	memo   map[*types.Func]bool
}

func recoverers(pass *analysis.Pass) *recoverSet {
	return &recoverSet{pass: pass, memo: make(map[*types.Func]bool)}
}

func (r *recoverSet) has(fn *types.Func) bool {
	if r.bodies == nil {
		r.bodies = make(map[*types.Func]*ast.BlockStmt)
		for _, f := range r.pass.Files {
			for _, decl := range f.Decls {
				if fd, ok := decl.(*ast.FuncDecl); ok && fd.Body != nil {
					if fn, ok := r.pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
						r.bodies[fn] = fd.Body
					}
				}
			}
		}
	}
	body, ok := r.bodies[fn]
	if !ok {
		return false
	}
	if found, ok := r.memo[fn]; ok {
		return found
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if deferutil.IsBuiltin(r.pass.TypesInfo, n, "recover") {
				found = true
			}
		}
		return !found
	})
	r.memo[fn] = found
	return found
}

func report(pass *analysis.Pass, file *ast.File, at ast.Node, msg, title string, rewrite func(*fixes.File) error) {
	fix, err := fixes.FixAt(pass, file, at, title, rewrite)
	if err != nil {
		fixes.Refuse(pass, at, token.NoPos, msg, err.Error())
		return
	}
	pass.Report(analysis.Diagnostic{Pos: at.Pos(), End: at.End(), Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
}

// wrap: defer recover()  ⇒  defer func() { _ = recover() }()
func wrap(f *fixes.File, d *ast.DeferStmt) error {
	ds, ok := f.Node(d).(*dst.DeferStmt)
	if !ok {
		return fmt.Errorf("defer statement not found in the decorated file")
	}
	ds.Call = &dst.CallExpr{Fun: &dst.FuncLit{
		Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}},
		Body: &dst.BlockStmt{List: []dst.Stmt{&dst.AssignStmt{
			Lhs: []dst.Expr{dst.NewIdent("_")},
			Tok: token.ASSIGN,
			Rhs: []dst.Expr{ds.Call},
		}}},
	}}
	return nil
}

// deferHelper: defer func() { helper() }()  ⇒  defer helper()
func deferHelper(f *fixes.File, d *ast.DeferStmt, call *ast.CallExpr) error {
	ds, ok := f.Node(d).(*dst.DeferStmt)
	dc, ok2 := f.Node(call).(*dst.CallExpr)
	if !ok || !ok2 {
		return fmt.Errorf("defer statement not found in the decorated file")
	}
	// Comments around the literal's only statement move to the defer statement.
	if lit, ok := ds.Call.Fun.(*dst.FuncLit); ok && len(lit.Body.List) == 1 {
		decs := lit.Body.List[0].Decorations()
		ds.Decs.Start = append(append(dst.Decorations{}, ds.Decs.Start...), decs.Start...)
		ds.Decs.End = append(append(dst.Decorations{}, decs.End...), ds.Decs.End...)
		ds.Decs.End = append(ds.Decs.End, lit.Body.Decs.Lbrace...)
	}
	ds.Call = dc
	return nil
}
