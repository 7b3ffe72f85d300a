package loopcapture

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"go/version"

	"github.com/dave/dst"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/effects"
	"github.com/deferfix/deferfix/rules/internal/fixes"
	"github.com/deferfix/deferfix/rules/internal/ruledoc"
)

//go:embed doc.go
var doc string

// Analyzer reports deferred closures capturing shared loop variables.
var Analyzer = &analysis.Analyzer{
	Name:     "loopcapture",
	Doc:      ruledoc.Extract(doc, "loopcapture"),
	URL:      "https://pkg.go.dev/github.com/deferfix/deferfix/rules/loopcapture",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

const titlePass = "Pass the loop variable to the deferred closure as an argument"

const message = "deferred closure captures loop variable %s, shared by all iterations before Go 1.22, so every deferred call sees its last value"

func run(pass *analysis.Pass) (any, error) {
	info := pass.TypesInfo
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for fileCur := range ins.Root().Preorder((*ast.File)(nil)) {
		file := fileCur.Node().(*ast.File)
		if v := info.FileVersions[file]; v == "" || version.Compare(v, "go1.22") >= 0 {
			continue
		}
		for cur := range fileCur.Preorder((*ast.DeferStmt)(nil)) {
			d := cur.Node().(*ast.DeferStmt)
			lit, ok := ast.Unparen(d.Call.Fun).(*ast.FuncLit)
			if !ok {
				continue
			}
			fn, ok := deferutil.Func(cur)
			if !ok {
				continue
			}
			loopVars := make(map[*types.Var]bool)
			bodyEnd := make(map[*types.Var]token.Pos) // where the loop of each variable ends
			for _, l := range deferutil.Loops(cur, fn) {
				for _, v := range deferutil.LoopVars(info, l.Node()) {
					loopVars[v] = true
					bodyEnd[v] = l.Node().End()
				}
			}
			var captured []*types.Var
			var firstUse *ast.Ident
			ast.Inspect(lit.Body, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					if v, ok := info.Uses[id].(*types.Var); ok && loopVars[v] && !contains(captured, v) {
						captured = append(captured, v)
						if firstUse == nil {
							firstUse = id
						}
					}
				}
				return true
			})
			if len(captured) == 0 {
				continue
			}
			report(pass, file, fn.Node(), d, lit, captured, firstUse, bodyEnd)
		}
	}
	return nil, nil
}

func contains(vs []*types.Var, v *types.Var) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func report(pass *analysis.Pass, file *ast.File, fn ast.Node, d *ast.DeferStmt, lit *ast.FuncLit, captured []*types.Var, at *ast.Ident, bodyEnd map[*types.Var]token.Pos) {
	info := pass.TypesInfo
	msg := fmt.Sprintf(message, captured[0].Name())
	// A closure that assigns the variable meant the shared one.
	var assigned *ast.Ident
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if id, ok := ast.Unparen(l).(*ast.Ident); ok && contains(captured, asVar(info.Uses[id])) {
					assigned = id
				}
			}
		case *ast.IncDecStmt:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && contains(captured, asVar(info.Uses[id])) {
				assigned = id
			}
		case *ast.UnaryExpr:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND && contains(captured, asVar(info.Uses[id])) {
				assigned = id
			}
		}
		return assigned == nil
	})
	if assigned != nil {
		fixes.Refuse(pass, at, assigned.Pos(), msg, fmt.Sprintf("the closure changes %s, which it means to share with the loop", assigned.Name))
		return
	}
	// Per iteration (Go 1.22), the closure sees what the rest of its iteration does to the
	// variable, and what any code after the defer does to it through a pointer until the
	// closure runs at the return; passed as an argument, it sees the value at the defer.
	// Only where both leave it alone are the two the same (package effects decides).
	span := effects.NewFunc(info, fn, lit)
	for _, v := range captured {
		if changed, why := span.Between(d.End(), bodyEnd[v]).VarMayChange(v); changed != nil {
			fixes.Refuse(pass, at, changed.Pos(), msg, fmt.Sprintf("the iteration changes %s after the defer (%s): per iteration the closure would see the change, an argument would not", v.Name(), why))
			return
		}
		if changed, why := span.After(d).ReachedMayChange(v); changed != nil {
			fixes.Refuse(pass, at, changed.Pos(), msg, fmt.Sprintf("code after the defer may change %s before the closure runs (%s): per iteration the closure would see the change, an argument would not", v.Name(), why))
			return
		}
	}
	qual := qualifier(pass.Pkg, file)
	var typeNames []string
	for _, v := range captured {
		name, ok := spell(v.Type(), qual)
		if !ok {
			fixes.Refuse(pass, at, token.NoPos, msg, fmt.Sprintf("the type of %s cannot be spelled in this file", v.Name()))
			return
		}
		if err := deferutil.TypeSpelledAt(pass, lit.Pos(), name, v.Type()); err != nil {
			fixes.Refuse(pass, at, token.NoPos, msg, err.Error())
			return
		}
		typeNames = append(typeNames, name)
	}
	fix, err := fixes.FixAt(pass, file, d, titlePass, func(f *fixes.File) error {
		dl, ok := f.Node(lit).(*dst.FuncLit)
		dd, ok2 := f.Node(d).(*dst.DeferStmt)
		if !ok || !ok2 {
			return fmt.Errorf("defer statement not found in the decorated file")
		}
		for i, v := range captured {
			// The type is parsed as an expression from its spelling; dst prints it as is.
			dl.Type.Params.List = append(dl.Type.Params.List, &dst.Field{
				Names: []*dst.Ident{dst.NewIdent(v.Name())},
				Type:  dst.NewIdent(typeNames[i]),
			})
			dd.Call.Args = append(dd.Call.Args, dst.NewIdent(v.Name()))
		}
		return nil
	})
	if err != nil {
		fixes.Refuse(pass, at, token.NoPos, msg, err.Error())
		return
	}
	pass.Report(analysis.Diagnostic{Pos: at.Pos(), End: at.End(), Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
}

func asVar(obj types.Object) *types.Var {
	v, _ := obj.(*types.Var)
	return v
}

// qualifier names packages as the file imports them; ok is false for a package the file
// does not import.
func qualifier(pkg *types.Package, file *ast.File) func(*types.Package) (string, bool) {
	names := make(map[string]string)
	for _, imp := range file.Imports {
		path := imp.Path.Value[1 : len(imp.Path.Value)-1]
		name := ""
		if imp.Name != nil {
			name = imp.Name.Name
		}
		names[path] = name
	}
	return func(p *types.Package) (string, bool) {
		if p == pkg {
			return "", true
		}
		name, ok := names[p.Path()]
		if !ok || name == "_" {
			return "", false
		}
		if name == "" {
			name = p.Name()
		}
		if name == "." {
			return "", true
		}
		return name, true
	}
}

// spell writes t as the file would; false if a package in it is not imported there.
func spell(t types.Type, qual func(*types.Package) (string, bool)) (string, bool) {
	ok := true
	s := types.TypeString(t, func(p *types.Package) string {
		name, found := qual(p)
		ok = ok && found
		return name
	})
	return s, ok
}
