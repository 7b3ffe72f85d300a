package exitdefer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/effects"
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
	if d := exitingDefer(pass, fd.Body, kindOf); d != nil {
		return analysis.SuggestedFix{}, fmt.Errorf("the deferred call on line %d may itself end the program or wait for another goroutine; run would run it before main exits, and its status (or a hang) would replace the one main exits with", pass.Fset.Position(d.Pos()).Line)
	}
	if d, v, e := invalidDefer(pass, fd.Body); d != nil {
		if v == nil {
			return analysis.SuggestedFix{}, fmt.Errorf("the deferred call on line %d may be made on nil: the exit skipped it, run would make it, and its panic would replace the status", pass.Fset.Position(d.Pos()).Line)
		}
		return analysis.SuggestedFix{}, fmt.Errorf("the deferred call on line %d uses %s before %s is checked: where main exits on that error, run would make the call on an invalid value, whose panic would replace the status", pass.Fset.Position(d.Pos()).Line, v.Name(), e.Name())
	}
	for _, e := range exits {
		if kindOf(ast.Unparen(e.X).(*ast.CallExpr)) != logFatal {
			continue
		}
		if err := printResolves(pass, ast.Unparen(e.X).(*ast.CallExpr)); err != nil {
			return analysis.SuggestedFix{}, err
		}
	}
	// An exit followed by a statement other than a return: that statement never ran, and
	// after the exit became a return go vet would report it unreachable. A following
	// return is taken over by the exit's return instead (takeOver).
	takeOver := make(map[*ast.ExprStmt]*ast.ReturnStmt)
	for _, e := range exits {
		next := nextStmt(cur, e)
		if next == nil {
			continue
		}
		ret, ok := next.(*ast.ReturnStmt)
		if !ok {
			return analysis.SuggestedFix{}, fmt.Errorf("statements follow %s on line %d; they never run, and after the rewrite go vet would report them as unreachable", calleeName(ast.Unparen(e.X).(*ast.CallExpr)), pass.Fset.Position(e.Pos()).Line)
		}
		takeOver[e] = ret
	}
	// run is declared at package level: its name must be free there in every build
	// configuration (a func run in a _windows.go file), as an import name in every file,
	// and unused in main's body, which moves into it.
	name := "run"
	for i := 2; deferutil.PackageLevel(pass, name) || deferutil.NewNames(pass.TypesInfo, fd, nil, token.NoPos).Used(name); i++ {
		name = "runMain"
		if i > 2 {
			name += strconv.Itoa(i)
		}
	}
	if err := deferutil.Predeclared(pass, fd, "int"); err != nil {
		return analysis.SuggestedFix{}, err
	}
	var file *ast.File
	for c := range cur.Enclosing((*ast.File)(nil)) {
		file = c.Node().(*ast.File)
	}
	// main calls os.Exit under the name the file imports os with; a file without the
	// import gets it, which needs the name os free at package level.
	osName := ""
	for _, imp := range file.Imports {
		if imp.Path.Value == `"os"` {
			if pn := pass.TypesInfo.PkgNameOf(imp); pn != nil && pn.Name() != "." && pn.Name() != "_" {
				osName = pn.Name()
			}
		}
	}
	if osName == "" && deferutil.PackageDecl(pass, "os") {
		return analysis.SuggestedFix{}, fmt.Errorf("main would call os.Exit, but this package declares os for itself")
	}
	return fixes.Fix(pass, file, titleRun, func(f *fixes.File) error {
		if osName == "" && !f.ManagesImports() {
			return fmt.Errorf("main would call os.Exit, and this file imports no os that a rewrite can name")
		}
		return rewriteMain(f, fd, name, osName, exits, returns, takeOver, kindOf)
	})
}

func rewriteMain(f *fixes.File, fd *ast.FuncDecl, name, osName string, exits []*ast.ExprStmt, returns []*ast.ReturnStmt, takeOver map[*ast.ExprStmt]*ast.ReturnStmt, kindOf func(*ast.CallExpr) exitKind) error {
	dfd, ok := f.Node(fd).(*dst.FuncDecl)
	if !ok {
		return fmt.Errorf("func main not found in the decorated file")
	}
	body := dfd.Body
	repl := make(map[dst.Node][]dst.Stmt)
	for _, e := range exits {
		de := f.Node(e).(*dst.ExprStmt)
		call := de.X.(*dst.CallExpr)
		// The return that follows the exit, if any, becomes the exit's return, with its
		// comments; no statement is left after a return.
		var next *dst.ReturnStmt
		if r := takeOver[e]; r != nil {
			next = f.Node(r).(*dst.ReturnStmt)
			repl[next] = nil
		}
		if kindOf(ast.Unparen(e.X).(*ast.CallExpr)) == osExit {
			ret := &dst.ReturnStmt{Results: call.Args}
			ret.Decs.NodeDecs = de.Decs.NodeDecs
			if next != nil {
				ret.Decs.End = append(ret.Decs.End, next.Decs.Start...)
				ret.Decs.End = append(ret.Decs.End, next.Decs.End...)
			}
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
		ret := &dst.ReturnStmt{Results: []dst.Expr{one}}
		if next != nil {
			ret.Decs.NodeDecs = next.Decs.NodeDecs
		}
		repl[de] = []dst.Stmt{de, ret}
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
		if stmts == nil { // a return taken over by the exit before it
			c.Delete()
			return false
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
		exit = &dst.SelectorExpr{X: dst.NewIdent(osName), Sel: dst.NewIdent("Exit")}
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

// nextStmt returns the statement that follows s in its statement list, or nil.
func nextStmt(fn inspector.Cursor, s ast.Stmt) ast.Stmt {
	c, ok := fn.FindNode(s)
	if !ok {
		return nil
	}
	list, _ := deferutil.StmtList(c.Parent().Node())
	if i := slices.Index(list, s); i >= 0 && i+1 < len(list) {
		return list[i+1]
	}
	return nil
}

// printResolves checks that the Print function the rewrite names in place of a log Fatal
// call is the log package's own: the name is resolved where the call stands, by object
// identity, so a wrapper type that embeds *log.Logger and declares its own Print (or a
// local name Print shadowing a dot-imported log) refuses the fix.
func printResolves(pass *analysis.Pass, call *ast.CallExpr) error {
	fatal, ok := deferutil.Callee(pass.TypesInfo, call).(*types.Func)
	if !ok {
		return fmt.Errorf("cannot resolve the exit call")
	}
	name := printName(fatal.Name())
	var want, got types.Object
	if recv := fatal.Signature().Recv(); recv != nil {
		want, _, _ = types.LookupFieldOrMethod(recv.Type(), true, fatal.Pkg(), name)
	} else {
		want = fatal.Pkg().Scope().Lookup(name)
	}
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		if sel := pass.TypesInfo.Selections[fun]; sel != nil {
			got, _, _ = types.LookupFieldOrMethod(sel.Recv(), true, pass.Pkg, name)
		} else if id, ok := ast.Unparen(fun.X).(*ast.Ident); ok {
			if pn, ok := pass.TypesInfo.Uses[id].(*types.PkgName); ok {
				got = pn.Imported().Scope().Lookup(name)
			}
		}
	case *ast.Ident:
		if s := pass.Pkg.Scope().Innermost(fun.Pos()); s != nil {
			_, got = s.LookupParent(name, fun.Pos())
		}
	}
	if want == nil || got != want {
		return fmt.Errorf("%s would become %s, which does not name the log package's %s here", calleeName(call), name, name)
	}
	return nil
}

// invalidDefer returns a defer of main whose call uses a value taken with an error that
// is not yet checked at the defer (effects.UsedBeforeCheck: f, err := open(); defer
// f.Close(); if err != nil { log.Fatal(err) }), with that value and error, or whose
// function or pointer receiver may be nil there (v and e nil). The exit skipped the
// call; run would make it on what may be nil, and a panic there would replace the status
// main exits with (programs/exitdefer_beforecheck).
func invalidDefer(pass *analysis.Pass, body *ast.BlockStmt) (d *ast.DeferStmt, v, e *types.Var) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its defers run when it returns, not at main's exit
		case *ast.DeferStmt:
			if v, e = effects.UsedBeforeCheck(pass.TypesInfo, body, n); v != nil {
				d = n
			} else if nilAt(pass.TypesInfo, body, n.Call) {
				d = n
			}
		}
		return d == nil
	})
	return d, v, e
}

// nilAt reports whether the deferred call's function or pointer receiver is a variable
// that may be nil where the defer stands (effects.FuncMayBeNil, PointerMayBeNil): a call
// os.Exit skipped that run would make, and that may panic.
func nilAt(info *types.Info, body *ast.BlockStmt, call *ast.CallExpr) bool {
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		return effects.FuncMayBeNil(info, body, fun)
	case *ast.SelectorExpr:
		id, ok := ast.Unparen(fun.X).(*ast.Ident)
		return ok && info.Selections[fun] != nil && effects.PointerMayBeNil(info, body, id)
	}
	return false
}

// exitingDefer returns a defer of main whose call may end the program itself or wait for
// another goroutine (effects.MayBlock: a deferred wg.Wait on a worker that never ends
// would hang, programs/exitdefer_blocks), or throw a fatal error (effects.MayThrow: a
// deferred Unlock of a mutex not held, programs/exitdefer-unlock), or nil.
// After the rewrite the deferred calls run before main's os.Exit, so such a call would
// replace the status main exits with; before, the exit skipped it. A call may exit when
// it is an exit, a function literal or function of this package whose body (or a
// function of this package it calls, transitively) holds one, or a call whose code the
// analysis cannot read (effects.Result.Unseen: a function value, an interface method, a
// function of another package outside the standard library — another package of the
// same module included, programs/exitdefer_unseen). Functions of the standard library
// exit only where kindOf says so.
func exitingDefer(pass *analysis.Pass, body *ast.BlockStmt, kindOf func(*ast.CallExpr) exitKind) *ast.DeferStmt {
	res := pass.ResultOf[effects.Analyzer].(*effects.Result)
	decls := make(map[*types.Func]*ast.FuncDecl)
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					decls[fn] = fd
				}
			}
		}
	}
	seen := make(map[ast.Node]bool)
	var mayExit func(n ast.Node) bool
	mayExit = func(n ast.Node) bool {
		if n == nil || seen[n] {
			return false
		}
		seen[n] = true
		if effects.MayBlock(pass.TypesInfo, n) != nil || effects.MayThrow(pass.TypesInfo, n) != nil {
			return true
		}
		found := false
		ast.Inspect(n, func(m ast.Node) bool {
			call, ok := m.(*ast.CallExpr)
			if !ok || found {
				return !found
			}
			if kindOf(call) != notExit || res.Unseen(call) {
				found = true
			} else if fn, ok := deferutil.Callee(pass.TypesInfo, call).(*types.Func); ok {
				if fd := decls[fn.Origin()]; fd != nil && mayExit(fd.Body) {
					found = true
				}
			}
			return !found
		})
		return found
	}
	var out *ast.DeferStmt
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its defers run when it returns, not at main's exit
		case *ast.DeferStmt:
			if mayExit(n.Call) {
				out = n
			}
		}
		return out == nil
	})
	return out
}
