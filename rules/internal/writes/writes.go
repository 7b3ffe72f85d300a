// Package writes tells which deferred calls finish a write and drop the error that says
// whether it succeeded: closecheck reports them, and loopdefer keeps them deferred (in a
// per-iteration literal) so that closecheck can check them.
package writes

import (
	"go/ast"
	"go/constant"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
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

// A Write is a deferred call that finishes writing v and drops the error.
type Write struct {
	V      *types.Var // the written value: f in defer f.Close()
	Method string     // Close or Flush
	Name   string     // the type and method, as messages say it: bufio.Writer.Flush
	File   bool       // an *os.File opened for writing
	CSV    bool       // an encoding/csv Writer's Flush, whose error comes from Error
}

// Dropped reports whether d, in the function fn, finishes a write and drops its error,
// and no other call in fn checks it or closes the value (a deferred Close is then a
// backstop).
func Dropped(pass *analysis.Pass, fn ast.Node, d *ast.DeferStmt) (Write, bool) {
	info := pass.TypesInfo
	sel, ok := ast.Unparen(d.Call.Fun).(*ast.SelectorExpr)
	if !ok || len(d.Call.Args) > 0 {
		return Write{}, false
	}
	recv, _ := ast.Unparen(sel.X).(*ast.Ident)
	if recv == nil {
		return Write{}, false
	}
	v, _ := info.Uses[recv].(*types.Var)
	if v == nil {
		return Write{}, false
	}
	obj := deferutil.Callee(info, d.Call)
	w := Write{V: v, Method: sel.Sel.Name}
	switch {
	case deferutil.IsMethod(obj, "os", "File", "Close"):
		if !openedForWriting(pass, fn, v) {
			return Write{}, false
		}
		w.File, w.Name = true, "File.Close"
	default:
		for _, wr := range writers {
			if deferutil.IsMethod(obj, wr.pkg, wr.typ, wr.method) {
				w.Name = wr.typ + "." + wr.method
				w.CSV = wr.pkg == "encoding/csv"
				if w.CSV && callsMethod(info, fn, v, "Error", d) {
					return Write{}, false
				}
			}
		}
	}
	if w.Name == "" || checkedElsewhere(info, fn, v, w.Method, d) {
		return Write{}, false
	}
	return w, true
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
