// Package writes tells which deferred calls finish a write and drop the error that says
// whether it succeeded: closecheck reports them, and loopdefer keeps them deferred (in a
// per-iteration literal) so that closecheck can check them.
package writes

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"

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

// finishers are the writers whose Close writes a trailer even when nothing was written
// through them, so its error matters regardless; the others (a file, bufio.Writer,
// csv.Writer) have nothing to lose unless the function wrote through them.
var finishers = map[string]bool{"compress/gzip": true, "compress/zlib": true, "compress/flate": true, "compress/lzw": true, "archive/zip": true, "archive/tar": true}

// A Write is a deferred call that finishes writing v and drops the error.
type Write struct {
	V      *types.Var // the written value: f in defer f.Close()
	Method string     // Close or Flush
	Name   string     // the type and method, as messages say it: bufio.Writer.Flush
	File   bool       // an *os.File opened for writing
	CSV    bool       // an encoding/csv Writer's Flush, whose error comes from Error

	// Debug names the debugging facility of the standard library that is the only
	// writer through V (runtime/pprof.WriteHeapProfile, crypto/tls.Config.KeyLogWriter),
	// at DebugAt; "" when the function writes through V otherwise (see debugSink).
	Debug   string
	DebugAt token.Pos
}

// Dropped reports whether d, in the function fn, finishes a write and drops its error,
// and no other call in fn checks it or closes the value (a deferred Close is then a
// backstop). A file, bufio.Writer or csv.Writer counts only where fn (or a function of the
// package it passes the value to) writes through it, a file not after a checked Sync
// that follows the last write, not a file fn removes when it returns, and no writer whose
// output is /dev/null or io.Discard. A file written only by a debugging facility (a
// profile, a trace, a TLS key log) is reported with its Debug set: closecheck decides what
// that means.
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
	mustWrite := true
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
				mustWrite = !finishers[wr.pkg]
				if w.CSV && callsMethod(info, fn, v, "Error", d) {
					return Write{}, false
				}
			}
		}
	}
	if w.Name == "" || checkedElsewhere(info, fn, v, w.Method, d) || discards(pass, fn, v) {
		return Write{}, false
	}
	if w.File && removedAtReturn(info, fn, v) {
		return Write{}, false
	}
	if mustWrite {
		u := usesOf(pass, fn, v, d)
		if len(u.writes) == 0 {
			return Write{}, false
		}
		// After a checked Sync that follows every write, the data is on the disk and
		// Close has nothing left to lose.
		if w.File && u.checkedSync.IsValid() && u.writes[len(u.writes)-1] < u.checkedSync {
			return Write{}, false
		}
		if !u.plain {
			w.Debug, w.DebugAt = u.debug, u.debugAt
		}
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

// writeMethods are the methods of *os.File, *bufio.Writer and *csv.Writer that write
// through the value. Every other method (Stat, Fd, Name, Read, Seek, Chmod...) does not.
var writeMethods = []string{"Write", "WriteString", "WriteAt", "WriteByte", "WriteRune", "WriteAll", "ReadFrom", "Truncate"}

// uses is what a function does with a value.
type uses struct {
	writes      []token.Pos // where it writes through the value (or may: it escapes), in order
	checkedSync token.Pos   // the last v.Sync() whose result is used, or NoPos

	debug   string    // the first debugging facility that writes through the value (debugSink)
	debugAt token.Pos // where
	plain   bool      // some write is not by a debugging facility
}

// usesOf finds, in fn, the writes through v: calls of its write methods, and any use the
// analysis cannot follow (an assignment, a return, a method value, an argument to a
// function value or of an interface type with a write method, a composite literal...),
// which counts as a write. A use that certainly does not write is: a call of another
// method, an argument whose parameter is an interface without a write method (io.Reader,
// any), an argument to a function of the package that does not write through its
// parameter (recursively), a comparison, and v's own assignment. skip (the deferred call)
// is not a use.
func usesOf(pass *analysis.Pass, fn ast.Node, v *types.Var, skip *ast.DeferStmt) uses {
	return usesIn(pass, fn, v, skip, make(map[*types.Var]bool))
}

func usesIn(pass *analysis.Pass, fn ast.Node, v *types.Var, skip *ast.DeferStmt, seen map[*types.Var]bool) uses {
	seen[v] = true
	info := pass.TypesInfo
	_, body := deferutil.FuncParts(fn)
	var u uses
	ast.PreorderStack(fn, nil, func(n ast.Node, stack []ast.Node) bool {
		if n == skip {
			return false
		}
		id, ok := n.(*ast.Ident)
		if !ok || info.Uses[id] != v || len(stack) == 0 {
			return true
		}
		if writesVia(pass, id, stack, seen) {
			u.writes = append(u.writes, id.Pos())
			if name, at := debugSink(info, id, stack); name == "" {
				u.plain = true
			} else if u.debug == "" {
				u.debug, u.debugAt = name, at
			}
		}
		// A Sync whose error is used (if err := f.Sync(); err != nil, return f.Sync()) in
		// a statement of the function body itself, so that every path past it synced (a
		// Sync on one branch leaves the other's Close error the only one).
		if sel, ok := stack[len(stack)-1].(*ast.SelectorExpr); ok && sel.Sel.Name == "Sync" && len(stack) >= 4 && stack[1] == body {
			if call, ok := stack[len(stack)-2].(*ast.CallExpr); ok && call.Fun == sel {
				top := stack[2]
				switch stack[len(stack)-3].(type) {
				case *ast.ExprStmt, *ast.DeferStmt, *ast.GoStmt:
				default:
					if is, ok := top.(*ast.IfStmt); !ok || call.End() <= is.Body.Pos() {
						u.checkedSync = call.Pos()
					}
				}
			}
		}
		return true
	})
	slices.Sort(u.writes)
	return u
}

// writesVia reports whether the use id (whose ancestors are stack) may write through it.
func writesVia(pass *analysis.Pass, id *ast.Ident, stack []ast.Node, seen map[*types.Var]bool) bool {
	info := pass.TypesInfo
	for len(stack) > 1 {
		if _, ok := stack[len(stack)-1].(*ast.ParenExpr); !ok {
			break
		}
		stack = stack[:len(stack)-1]
	}
	switch p := stack[len(stack)-1].(type) {
	case *ast.SelectorExpr:
		if len(stack) < 2 {
			return true
		}
		call, ok := stack[len(stack)-2].(*ast.CallExpr)
		if !ok || call.Fun != p {
			return true // a method value or a field: not followed
		}
		return slices.Contains(writeMethods, p.Sel.Name)
	case *ast.AssignStmt:
		for _, l := range p.Lhs {
			if l == id {
				return false // v's own assignment
			}
		}
		return true
	case *ast.BinaryExpr:
		return p.Op != token.EQL && p.Op != token.NEQ
	case *ast.CallExpr:
		i := slices.IndexFunc(p.Args, func(a ast.Expr) bool { return ast.Unparen(a) == id })
		if i < 0 {
			return true
		}
		sig, ok := info.TypeOf(p.Fun).(*types.Signature)
		if !ok {
			return true // a conversion
		}
		var pt types.Type
		switch {
		case sig.Variadic() && i >= sig.Params().Len()-1:
			if p.Ellipsis.IsValid() {
				return true
			}
			pt = sig.Params().At(sig.Params().Len() - 1).Type().(*types.Slice).Elem()
		case i < sig.Params().Len():
			pt = sig.Params().At(i).Type()
		default:
			return true
		}
		if types.IsInterface(pt) {
			// io.Writer, io.StringWriter, io.WriterAt, io.ByteWriter...: an interface
			// with a write method.
			for _, m := range writeMethods {
				if obj, _, _ := types.LookupFieldOrMethod(pt, false, nil, m); obj != nil {
					return true
				}
			}
			return false
		}
		// A concrete parameter: a function of this package is read; others may write.
		callee, _ := deferutil.Callee(info, p).(*types.Func)
		if callee == nil || callee.Pkg() != pass.Pkg || i >= sig.Params().Len() {
			return true
		}
		decl := funcDecl(pass, callee)
		param := callee.Signature().Params().At(i)
		if decl == nil || seen[param] {
			return decl == nil
		}
		return len(usesIn(pass, decl, param, nil, seen).writes) > 0
	}
	return true
}

// debugSink returns which debugging facility of the standard library the use id (whose
// ancestors are stack) hands the value to for writing, and where, or "": the file of a
// CPU or heap profile (runtime/pprof.StartCPUProfile, WriteHeapProfile,
// (*runtime/pprof.Profile).WriteTo), of an execution trace (runtime/trace.Start), or of
// TLS session keys for a packet analyser (crypto/tls.Config.KeyLogWriter, which its
// documentation says to use only for debugging). What they write is a debugging
// artifact: read by a person with a tool, not by the program or its users. Callees and
// the field are known by identity, never by spelling.
func debugSink(info *types.Info, id *ast.Ident, stack []ast.Node) (string, token.Pos) {
	var child ast.Node = id
	for len(stack) > 1 {
		if _, ok := stack[len(stack)-1].(*ast.ParenExpr); !ok {
			break
		}
		child, stack = stack[len(stack)-1], stack[:len(stack)-1]
	}
	switch p := stack[len(stack)-1].(type) {
	case *ast.CallExpr:
		if !slices.Contains(p.Args, child.(ast.Expr)) {
			return "", token.NoPos
		}
		callee := deferutil.Callee(info, p)
		switch {
		case deferutil.IsFunc(callee, "runtime/pprof", "StartCPUProfile", "WriteHeapProfile"),
			deferutil.IsFunc(callee, "runtime/trace", "Start"):
			return callee.Pkg().Path() + "." + callee.Name(), p.Pos()
		case deferutil.IsMethod(callee, "runtime/pprof", "Profile", "WriteTo"):
			return "runtime/pprof.Profile.WriteTo", p.Pos()
		}
	case *ast.AssignStmt: // cfg.KeyLogWriter = f
		i := slices.Index(p.Rhs, child.(ast.Expr))
		if i < 0 || len(p.Lhs) != len(p.Rhs) {
			return "", token.NoPos
		}
		if sel, ok := ast.Unparen(p.Lhs[i]).(*ast.SelectorExpr); ok && isKeyLogWriter(info.Uses[sel.Sel]) {
			return "crypto/tls.Config.KeyLogWriter", p.Pos()
		}
	case *ast.KeyValueExpr: // &tls.Config{KeyLogWriter: f}
		if key, ok := p.Key.(*ast.Ident); ok && p.Value == child && isKeyLogWriter(info.Uses[key]) {
			return "crypto/tls.Config.KeyLogWriter", p.Pos()
		}
	}
	return "", token.NoPos
}

// isKeyLogWriter reports whether obj is the KeyLogWriter field of crypto/tls's Config.
func isKeyLogWriter(obj types.Object) bool {
	v, ok := obj.(*types.Var)
	if !ok || !v.IsField() || v.Pkg() == nil || v.Pkg().Path() != "crypto/tls" || v.Name() != "KeyLogWriter" {
		return false
	}
	cfg, ok := v.Pkg().Scope().Lookup("Config").(*types.TypeName)
	if !ok {
		return false
	}
	st, ok := cfg.Type().Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for f := range st.Fields() {
		if f == v {
			return true
		}
	}
	return false
}

// funcDecl returns the declaration of fn among the package's files, or nil.
func funcDecl(pass *analysis.Pass, fn *types.Func) *ast.FuncDecl {
	fn = fn.Origin()
	for _, f := range pass.Files {
		if f.FileStart > fn.Pos() || fn.Pos() >= f.FileEnd {
			continue
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && pass.TypesInfo.Defs[fd.Name] == fn {
				return fd
			}
		}
	}
	return nil
}

// discards reports whether v is assigned, in fn, only values whose output is discarded:
// a file opened on os.DevNull ("/dev/null"), or a writer of the standard library made on
// io.Discard or on such a file (bufio.NewWriter(io.Discard), gzip.NewWriter(null)).
func discards(pass *analysis.Pass, fn ast.Node, v *types.Var) bool {
	return discardsIn(pass, fn, v, 0)
}

func discardsIn(pass *analysis.Pass, fn ast.Node, v *types.Var, depth int) bool {
	info := pass.TypesInfo
	if depth > 3 {
		return false
	}
	assigned, all := 0, true
	ast.Inspect(fn, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 || len(as.Lhs) == 0 {
			return true
		}
		id, ok := ast.Unparen(as.Lhs[0]).(*ast.Ident)
		if !ok || info.ObjectOf(id) != v {
			return true
		}
		assigned++
		call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			all = false
			return true
		}
		callee, _ := deferutil.Callee(info, call).(*types.Func)
		arg := ast.Unparen(call.Args[0])
		switch {
		case deferutil.IsFunc(callee, "os", "Create", "OpenFile"):
			all = all && isDevNull(info, arg)
		case callee != nil && callee.Pkg() != nil && callee.Signature().Recv() == nil && isWriterPkg(callee.Pkg().Path()):
			// bufio.NewWriter(w), gzip.NewWriterLevel(w, l)...: w is the destination.
			switch a := arg.(type) {
			case *ast.SelectorExpr:
				all = all && isObj(info.Uses[a.Sel], "io", "Discard")
			case *ast.Ident:
				dv, _ := info.Uses[a].(*types.Var)
				all = all && dv != nil && dv != v && discardsIn(pass, fn, dv, depth+1)
			default:
				all = false
			}
		default:
			all = false
		}
		return true
	})
	return assigned > 0 && all
}

func isWriterPkg(path string) bool {
	if path == "bufio" || path == "encoding/csv" {
		return true
	}
	return finishers[path]
}

// isDevNull reports whether e is os.DevNull or the constant "/dev/null".
func isDevNull(info *types.Info, e ast.Expr) bool {
	if sel, ok := e.(*ast.SelectorExpr); ok && isObj(info.Uses[sel.Sel], "os", "DevNull") {
		return true
	}
	tv, ok := info.Types[e]
	return ok && tv.Value != nil && tv.Value.Kind() == constant.String && constant.StringVal(tv.Value) == "/dev/null"
}

func isObj(obj types.Object, pkg, name string) bool {
	return obj != nil && obj.Pkg() != nil && obj.Pkg().Path() == pkg && obj.Name() == name && obj.Parent() == obj.Pkg().Scope()
}

// removedAtReturn reports whether fn defers the removal of the file v, by name
// (defer os.Remove(f.Name()), directly or in a deferred literal): a scratch file — a
// benchmark's sink, a temporary handed to diff — whose content nobody reads after the
// function returns, so a failed Close loses nothing.
func removedAtReturn(info *types.Info, fn ast.Node, v *types.Var) bool {
	_, body := deferutil.FuncParts(fn)
	if body == nil {
		return false
	}
	removes := func(call *ast.CallExpr) bool {
		if !deferutil.IsFunc(deferutil.Callee(info, call), "os", "Remove") || len(call.Args) != 1 {
			return false
		}
		name, ok := ast.Unparen(call.Args[0]).(*ast.CallExpr)
		return ok && isMethodCall(info, name, v, "Name")
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false // its defers run when it returns
		}
		d, ok := n.(*ast.DeferStmt)
		if !ok || found {
			return !found
		}
		if removes(d.Call) {
			found = true
		} else if lit, ok := ast.Unparen(d.Call.Fun).(*ast.FuncLit); ok {
			for _, s := range lit.Body.List {
				if es, ok := s.(*ast.ExprStmt); ok {
					if call, ok := ast.Unparen(es.X).(*ast.CallExpr); ok && removes(call) {
						found = true
					}
				}
			}
		}
		return false
	})
	return found
}
