package exitdefer

import (
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"strconv"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

var sprintf = fmt.Sprintf

// The rewrite, for func main only:
//
//	func main() {                      func main() {
//		defer f.Close()                     os.Exit(run())
//		...                         ⇒   }
//		os.Exit(2)
//		...                             func run() int {
//		log.Fatal(err)                      defer f.Close()
//	}                                       ...
//	                                        return 2
//	                                        ...
//	                                        log.Print(err)
//	                                        return 1
//	                                        ...
//	                                        return 0
//	                                    }
//
// The exit status is kept: os.Exit(c) returns c, log.Fatal returns 1 as it exits with 1,
// a bare return or the end of main returns 0. What changes is the point: the deferred
// calls run before the process exits. Exits inside function literals in main stay (they
// cannot return from run); a pending exit inside another function of the package (a
// helper that always exits) refuses the fix, since run would still skip its defers there.

// mainFix builds the fix for func main.
func mainFix(pass *analysis.Pass, cur inspector.Cursor, fd *ast.FuncDecl, kindOf func(*ast.CallExpr) exitKind) (analysis.SuggestedFix, error) {
	var exits []*ast.ExprStmt
	var returns []*ast.ReturnStmt
	var helper string
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			returns = append(returns, n)
		case *ast.ExprStmt:
			if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok {
				switch kindOf(call) {
				case osExit, logFatal:
					exits = append(exits, n)
				case noReturns:
					helper = calleeName(call)
				}
			}
		}
		return true
	})
	if helper != "" {
		return analysis.SuggestedFix{}, fmt.Errorf("main exits through %s, which would still skip the deferred calls", helper)
	}
	name := "run"
	for i := 2; pass.Pkg.Scope().Lookup(name) != nil || deferutil.NewNames(pass.TypesInfo, fd, nil, token.NoPos).Used(name); i++ {
		name = "runMain"
		if i > 2 {
			name += strconv.Itoa(i)
		}
	}
	var file *ast.File
	for c := range cur.Enclosing((*ast.File)(nil)) {
		file = c.Node().(*ast.File)
	}
	return fixes.Fix(pass, file, titleRun, func(f *fixes.File) error {
		return rewriteMain(f, fd, name, exits, returns, kindOf)
	})
}

func rewriteMain(f *fixes.File, fd *ast.FuncDecl, name string, exits []*ast.ExprStmt, returns []*ast.ReturnStmt, kindOf func(*ast.CallExpr) exitKind) error {
	dfd, ok := f.Node(fd).(*dst.FuncDecl)
	if !ok {
		return fmt.Errorf("func main not found in the decorated file")
	}
	body := dfd.Body
	repl := make(map[dst.Node][]dst.Stmt)
	for _, e := range exits {
		de := f.Node(e).(*dst.ExprStmt)
		call := de.X.(*dst.CallExpr)
		if kindOf(ast.Unparen(e.X).(*ast.CallExpr)) == osExit {
			ret := &dst.ReturnStmt{Results: call.Args}
			ret.Decs.NodeDecs = de.Decs.NodeDecs
			repl[de] = []dst.Stmt{ret}
			continue
		}
		sel, ok := call.Fun.(*dst.SelectorExpr)
		id, ok2 := call.Fun.(*dst.Ident)
		switch {
		case ok:
			sel.Sel.Name = printName(sel.Sel.Name)
		case ok2:
			id.Name = printName(id.Name)
		default:
			return fmt.Errorf("cannot rewrite the exit call")
		}
		one := &dst.BasicLit{Kind: token.INT, Value: "1"}
		repl[de] = []dst.Stmt{de, &dst.ReturnStmt{Results: []dst.Expr{one}}}
	}
	for _, r := range returns {
		dr := f.Node(r).(*dst.ReturnStmt)
		dr.Results = []dst.Expr{&dst.BasicLit{Kind: token.INT, Value: "0"}}
	}
	var err error
	dstutil.Apply(body, func(c *dstutil.Cursor) bool {
		stmts, ok := repl[c.Node()]
		if !ok {
			return true
		}
		if c.Index() < 0 && len(stmts) > 1 {
			err = fmt.Errorf("an exit call stands where only one statement fits")
			return false
		}
		c.Replace(stmts[0])
		for i := len(stmts) - 1; i >= 1; i-- {
			c.InsertAfter(stmts[i])
		}
		return false
	}, nil)
	if err != nil {
		return err
	}
	// A final return would be unreachable after a statement that ends the function —
	// the exit calls included, which end it now by returning.
	ended := make(map[ast.Stmt]bool)
	for _, e := range exits {
		ended[e] = true
	}
	if n := len(fd.Body.List); n == 0 || !deferutil.Terminating(f.Pass.TypesInfo, fd.Body.List[n-1], ended) {
		body.List = append(body.List, &dst.ReturnStmt{Results: []dst.Expr{&dst.BasicLit{Kind: token.INT, Value: "0"}}})
	}

	var exit dst.Expr = &dst.Ident{Name: "Exit", Path: "os"}
	if !f.ManagesImports() {
		exit = &dst.SelectorExpr{X: dst.NewIdent("os"), Sel: dst.NewIdent("Exit")}
	}
	call := &dst.ExprStmt{X: &dst.CallExpr{Fun: exit, Args: []dst.Expr{&dst.CallExpr{Fun: dst.NewIdent(name)}}}}
	call.Decs.Before, call.Decs.After = dst.NewLine, dst.NewLine
	dfd.Body = &dst.BlockStmt{List: []dst.Stmt{call}}
	runDecl := &dst.FuncDecl{
		Name: dst.NewIdent(name),
		Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}, Results: &dst.FieldList{List: []*dst.Field{{Type: dst.NewIdent("int")}}}},
		Body: body,
	}
	runDecl.Decs.Before = dst.EmptyLine
	runDecl.Decs.Start = dst.Decorations{"// " + name + " is the body of main. It returns the exit status, so that deferred", "// calls run before main exits with it."}
	i := slices.Index(f.Dst.Decls, dst.Decl(dfd))
	if i < 0 {
		return fmt.Errorf("func main not found among the declarations")
	}
	f.Dst.Decls = slices.Insert(f.Dst.Decls, i+1, dst.Decl(runDecl))
	return nil
}

// printName maps a log Fatal function to the Print function that logs the same line.
func printName(fatal string) string {
	return map[string]string{"Fatal": "Print", "Fatalf": "Printf", "Fatalln": "Println"}[fatal]
}
