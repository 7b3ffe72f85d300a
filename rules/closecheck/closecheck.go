package closecheck

import (
	_ "embed"
	"go/ast"
	"go/constant"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/ruledoc"
)

//go:embed doc.go
var doc string

// Analyzer reports dropped errors from deferred Close and Flush of written resources.
var Analyzer = &analysis.Analyzer{
	Name:     "closecheck",
	Doc:      ruledoc.Extract(doc, "closecheck"),
	URL:      "https://pkg.go.dev/github.com/deferfix/deferfix/rules/closecheck",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

const titleCheck = "Check the error of the deferred call and return it"

const titleTest = "Check the error of the deferred call and report it with %s.Error"

const (
	msgFile  = "deferred %s of a file opened for writing drops its error, so a failed write goes unnoticed"
	msgFlush = "deferred %s drops its error, so buffered data can be lost unnoticed"
)

// writers are the types whose Close (or Flush) finishes writing, by package and name.
var writers = []struct{ pkg, typ, method string }{
	{"bufio", "Writer", "Flush"},
	{"compress/gzip", "Writer", "Close"},
	{"compress/zlib", "Writer", "Close"},
	{"compress/flate", "Writer", "Close"},
	{"compress/lzw", "Writer", "Close"},
	{"archive/zip", "Writer", "Close"},
	{"archive/tar", "Writer", "Close"},
	{"encoding/csv", "Writer", "Flush"},
}

func run(pass *analysis.Pass) (any, error) {
	info := pass.TypesInfo
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		d := cur.Node().(*ast.DeferStmt)
		sel, ok := ast.Unparen(d.Call.Fun).(*ast.SelectorExpr)
		if !ok || len(d.Call.Args) > 0 {
			continue
		}
		obj := deferutil.Callee(info, d.Call)
		fn, ok := deferutil.Func(cur)
		if !ok {
			continue
		}
		recv, _ := ast.Unparen(sel.X).(*ast.Ident)
		var v *types.Var
		if recv != nil {
			v, _ = info.Uses[recv].(*types.Var)
		}
		if v == nil {
			continue
		}
		var msg string
		switch {
		case deferutil.IsMethod(obj, "os", "File", "Close"):
			if !openedForWriting(pass, fn.Node(), v) {
				continue
			}
			msg = sprintf(msgFile, "Close")
		default:
			for _, w := range writers {
				if deferutil.IsMethod(obj, w.pkg, w.typ, w.method) {
					msg = sprintf(msgFlush, w.typ+"."+w.method)
					if w.pkg == "encoding/csv" && callsMethod(info, fn.Node(), v, "Error", d) {
						msg = ""
					}
				}
			}
		}
		if msg == "" || checkedElsewhere(info, fn.Node(), v, sel.Sel.Name, d) {
			continue
		}
		s := &site{pass: pass, cur: cur, fn: fn, d: d, v: v, method: sel.Sel.Name, csv: deferutil.IsMethod(obj, "encoding/csv", "Writer", "Flush")}
		s.report(msg)
	}
	return nil, nil
}

// openedForWriting reports whether v is assigned, in fn, the file of a call that opens
// for writing.
func openedForWriting(pass *analysis.Pass, fn ast.Node, v *types.Var) bool {
	info := pass.TypesInfo
	found := false
	ast.Inspect(fn, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 || found {
			return !found
		}
		call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		if !ok || len(as.Lhs) == 0 {
			return true
		}
		id, ok := ast.Unparen(as.Lhs[0]).(*ast.Ident)
		if !ok || info.ObjectOf(id) != v {
			return true
		}
		callee := deferutil.Callee(info, call)
		switch {
		case deferutil.IsFunc(callee, "os", "Create", "CreateTemp"):
			found = true
		case deferutil.IsFunc(callee, "os", "OpenFile") && len(call.Args) == 3:
			found = writeFlag(pass, call.Args[1])
		}
		return !found
	})
	return found
}

// writeFlag reports whether the constant flag opens a file for writing.
func writeFlag(pass *analysis.Pass, e ast.Expr) bool {
	tv, ok := pass.TypesInfo.Types[e]
	if !ok || tv.Value == nil {
		return false
	}
	flag, ok := constant.Int64Val(tv.Value)
	if !ok {
		return false
	}
	var os *types.Package
	for _, p := range pass.Pkg.Imports() {
		if p.Path() == "os" {
			os = p
		}
	}
	if os == nil {
		return false
	}
	// The access mode decides: O_CREATE, O_APPEND or O_TRUNC with O_RDONLY opens a
	// file that cannot be written (os's TestWriteAtInAppendMode does exactly that).
	for _, name := range []string{"O_WRONLY", "O_RDWR"} {
		if c, ok := os.Scope().Lookup(name).(*types.Const); ok {
			if bit, ok := constant.Int64Val(c.Val()); ok && flag&bit != 0 {
				return true
			}
		}
	}
	return false
}

// checkedElsewhere reports whether fn, or a literal in it, also calls v.method() outside d
// and uses the result — or, for Close, calls it at all: the deferred Close is then a
// backstop, and its error is the "already closed" of a second Close (os's FIFO test closes
// the writer in a time.AfterFunc callback; reporting the deferred Close's error broke it).
func checkedElsewhere(info *types.Info, fn ast.Node, v *types.Var, method string, d *ast.DeferStmt) bool {
	found := false
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.DeferStmt:
			return n != d
		case *ast.ExprStmt:
			if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok && isMethodCall(info, call, v, method) {
				found = method == "Close" // a call whose result is dropped
				return false
			}
		case *ast.CallExpr:
			if isMethodCall(info, n, v, method) {
				found = true
			}
		}
		return !found
	})
	return found
}

// callsMethod reports whether fn calls v.method() anywhere but in d.
func callsMethod(info *types.Info, fn ast.Node, v *types.Var, method string, d *ast.DeferStmt) bool {
	found := false
	ast.Inspect(fn, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && isMethodCall(info, call, v, method) {
			found = true
		}
		return !found
	})
	return found
}

func isMethodCall(info *types.Info, call *ast.CallExpr, v *types.Var, method string) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != method {
		return false
	}
	id, ok := ast.Unparen(sel.X).(*ast.Ident)
	return ok && info.Uses[id] == v
}
