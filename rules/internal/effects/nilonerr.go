package effects

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
)

// NilOnError is an object fact on a function whose last result is an error: whenever it
// returns a non-nil error, every other result is the zero value (nil for pointers,
// interfaces, maps...). A rule that moves a value's release after the error check relies
// on it: when the fact holds, the release it no longer makes on the error path was a
// release of a zero value; otherwise it may drop the release of a live value (net/http's
// Client.Do returns the response together with a CheckRedirect error).
//
// The fact is proven from syntax, for every return statement of the function (function
// literals excluded): the error is the literal nil, or every other result is a zero
// literal (nil, 0, "", false, T{}), or the statement returns the results of a call to a
// function with the fact and the same result types — directly, or through local
// variables that this one call assigns together and nothing else assigns (viaLocals). A
// bare return with named results, or any other return, fails the proof, and so does a
// defer statement in a function with named results (the deferred call may set them
// after the return, or recover a panic with them set). The package's functions are
// solved together as a greatest fixed point (a cycle of functions forwarding to each
// other still ends in a return statement that is checked). Drivers that carry facts
// between packages (go vet, analysistest) thereby know it for the functions of imported
// packages; deferfix's own driver does not, and knows the standard library functions in
// StdNilOnError instead, a table that a test (rules/deferbeforecheck, TestStdNilOnError)
// proves entry by entry from the GOROOT sources with this same analysis.
type NilOnError struct{}

func (*NilOnError) AFact()         {}
func (*NilOnError) String() string { return "NilOnError" }

// StdNilOnError lists standard library functions (types.Func.FullName) that have the
// fact, for drivers that do not carry facts between packages. TestStdNilOnError proves
// each entry with this list emptied, so no entry rests on another.
var StdNilOnError = []string{
	"os.Open",
	"os.Create",
	"os.OpenFile",
	"os.CreateTemp",
	"os.OpenRoot",
	"os.Pipe",
	"os.OpenInRoot",
	"(*os.Root).Open",
	"(*os.Root).Create",
	"(*os.Root).OpenFile",
	"(*os.Root).OpenRoot",
	"net.Dial",
	"net.DialTimeout",
	"(*net.Dialer).Dial",
	"(*net.Dialer).DialContext",
	"net.Listen",
	"net.ListenPacket",
	"(*net.ListenConfig).Listen",
	"net.DialTCP",
	"net.ListenTCP",
	"net.DialUDP",
	"net.ListenUDP",
	"net.DialUnix",
	"net.ListenUnix",
	"(*net.TCPListener).Accept",
	"(*net.TCPListener).AcceptTCP",
	"(*net.UnixListener).Accept",
	"net/http.NewRequest",
	"net/http.NewRequestWithContext",
	"database/sql.Open",
	"(*database/sql.DB).Conn",
	"(*database/sql.Tx).Query",
	"(*database/sql.Tx).Prepare",
	"(*database/sql.Conn).QueryContext",
	"compress/gzip.NewReader",
	"compress/zlib.NewReader",
	"compress/flate.NewWriter",
	"compress/gzip.NewWriterLevel",
	"(*archive/zip.File).Open",
	"(*os/exec.Cmd).StdoutPipe",
	"(*os/exec.Cmd).StdinPipe",
	"(*os/exec.Cmd).StderrPipe",
	"crypto/tls.Dial",
	"crypto/tls.Listen",
	"net/rpc.Dial",
	"net/smtp.Dial",
	"debug/elf.Open",
	"plugin.Open",
	"time.LoadLocation",
	"net/http/httputil.DumpRequest",
	"(*mime/multipart.Reader).NextPart",
}

// NilOnErrorFuncs is the result of ExportNilOnError: it answers for the functions of the
// package and, through facts or the standard table, for those it imports.
type NilOnErrorFuncs struct {
	pass  *analysis.Pass
	local map[*types.Func]bool
}

// ExportNilOnError proves NilOnError for the functions of pass's package and exports it
// as a fact on each. The analyzer that calls it must list NilOnError in its FactTypes.
func ExportNilOnError(pass *analysis.Pass) *NilOnErrorFuncs {
	s := &NilOnErrorFuncs{pass: pass, local: make(map[*types.Func]bool)}
	bodies := make(map[*types.Func]*ast.BlockStmt)
	var variant func(*types.Func) bool
	if !stdPackages[pass.Pkg.Path()] {
		variant = deferutil.Variants(pass)
	}
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func)
			// A function another build configuration declares with another body
			// (deferutil.Variants) is proven for this configuration only: not at all.
			// The standard library's are vetted as a table for every port (StdNilOnError).
			if ok && nilOnErrSig(fn.Signature()) && (variant == nil || !variant(fn)) {
				bodies[fn] = fd.Body
				s.local[fn] = true // greatest fixed point: assume, then refute
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for fn, body := range bodies {
			if s.local[fn] && !s.proves(body, fn.Signature().Results()) {
				s.local[fn] = false
				changed = true
			}
		}
	}
	for fn, ok := range s.local {
		if ok {
			pass.ExportObjectFact(fn, new(NilOnError))
		}
	}
	return s
}

// Has reports whether fn is known to return zero values with every non-nil error.
func (s *NilOnErrorFuncs) Has(fn *types.Func) bool {
	if fn == nil {
		return false
	}
	fn = fn.Origin()
	if fn.Pkg() == s.pass.Pkg {
		return s.local[fn]
	}
	return s.pass.ImportObjectFact(fn, new(NilOnError)) || slices.Contains(StdNilOnError, fn.FullName())
}

// Call reports whether call statically calls a function known to have the fact.
func (s *NilOnErrorFuncs) Call(call *ast.CallExpr) bool {
	return s.Has(typeutil.StaticCallee(s.pass.TypesInfo, call))
}

func nilOnErrSig(sig *types.Signature) bool {
	r := sig.Results()
	return r.Len() >= 2 && types.Identical(r.At(r.Len()-1).Type(), types.Universe.Lookup("error").Type())
}

// proves checks every return statement of body (a function whose results are res).
// A forwarded call must return the very same types: a nil pointer converted to an
// interface result is not a nil interface.
//
// The return statements say what the results are only when nothing sets them after
// the return: with named results, a deferred call may (a literal that assigns them, a
// function given their addresses), and a deferred recover returns whatever they held
// when the panic began (r = open(); mayPanic(); return r, nil returns r with the
// recovered error). So a function with named results and a defer statement of its own
// is not proven. Nor is one that defers a call whose error result it drops: the
// rewrite that checks that error (closecheck: defer bw.Flush() becomes a literal that
// sets a named err) makes the function return it with the other results as they are,
// a live value with a non-nil error, and a caller's fix proven in the same run from
// the code before that rewrite would skip the value's release. The standard library is
// never rewritten: its functions keep the proof of their code as it is (StdNilOnError).
func (s *NilOnErrorFuncs) proves(body *ast.BlockStmt, res *types.Tuple) bool {
	info := s.pass.TypesInfo
	n := res.Len()
	named := false
	for i := range n {
		if name := res.At(i).Name(); name != "" && name != "_" {
			named = true
		}
	}
	ok := true
	ast.Inspect(body, func(node ast.Node) bool {
		switch node := node.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			if named || !stdPackages[s.pass.Pkg.Path()] && dropsError(info, node.Call) {
				ok = false
			}
		case *ast.ReturnStmt:
			switch {
			case len(node.Results) == 1: // return g(...)
				call, isCall := ast.Unparen(node.Results[0]).(*ast.CallExpr)
				tuple, isTuple := info.TypeOf(node.Results[0]).(*types.Tuple)
				ok = isCall && isTuple && types.Identical(tuple, res) && s.Call(call)
			case len(node.Results) == n:
				if !zeroNil(info, node.Results[n-1]) && !s.viaLocals(body, node.Results, res) {
					for _, r := range node.Results[:n-1] {
						if !zeroLiteral(info, r) {
							ok = false
						}
					}
				}
			default:
				ok = false // bare return of named results: not proven
			}
		}
		return ok
	})
	return ok
}

// dropsError reports whether call, deferred, has an error among its results.
func dropsError(info *types.Info, call *ast.CallExpr) bool {
	switch t := info.TypeOf(call).(type) {
	case *types.Tuple:
		for v := range t.Variables() {
			if types.Identical(v.Type(), errorType) {
				return true
			}
		}
	case nil:
	default:
		return types.Identical(t, errorType)
	}
	return false
}

func zeroNil(info *types.Info, e ast.Expr) bool {
	_, ok := info.Types[ast.Unparen(e)]
	return ok && info.Types[ast.Unparen(e)].IsNil()
}

// zeroLiteral reports whether e is a literal zero value: nil, 0, "", false, or T{}.
func zeroLiteral(info *types.Info, e ast.Expr) bool {
	e = ast.Unparen(e)
	if zeroNil(info, e) {
		return true
	}
	switch x := e.(type) {
	case *ast.BasicLit:
		return x.Value == "0" || x.Value == `""` || x.Value == "``"
	case *ast.Ident:
		return info.Uses[x] == types.Universe.Lookup("false")
	case *ast.CompositeLit:
		if len(x.Elts) != 0 {
			return false
		}
		switch info.TypeOf(x).Underlying().(type) {
		case *types.Struct, *types.Array:
			return true
		}
	}
	return false
}

// viaLocals reports whether results (v..., err) are local variables that one assignment
// statement in body sets together, in that order, from a call with the fact and the same
// result types, and that nothing else writes: no other assignment, increment, range
// clause, declaration with a value or address-taking, and no reference from a function
// literal (which could write them at any time). At a return they then hold either what
// that call returned or their zero values (a nil error).
func (s *NilOnErrorFuncs) viaLocals(body *ast.BlockStmt, results []ast.Expr, res *types.Tuple) bool {
	info := s.pass.TypesInfo
	index := make(map[types.Object]int)
	for i, r := range results {
		id, ok := ast.Unparen(r).(*ast.Ident)
		if !ok {
			return false
		}
		v, ok := info.Uses[id].(*types.Var)
		if !ok || v.Pos() < body.Pos() || v.Pos() >= body.End() {
			return false // a parameter, result or package variable
		}
		if _, dup := index[v]; dup {
			return false
		}
		index[v] = i
	}
	obj := func(e ast.Expr) types.Object {
		id, ok := ast.Unparen(e).(*ast.Ident)
		if !ok {
			return nil
		}
		return info.ObjectOf(id)
	}
	mentions := func(e ast.Expr) bool {
		_, ok := index[obj(e)]
		return ok
	}
	var source *ast.AssignStmt
	ok := true
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			ast.Inspect(n, func(m ast.Node) bool {
				if id, isID := m.(*ast.Ident); isID && mentions(id) {
					ok = false
				}
				return ok
			})
			return false
		case *ast.AssignStmt:
			if slices.ContainsFunc(n.Lhs, mentions) {
				if source != nil || !s.assignsAll(n, index, res) {
					ok = false
				}
				source = n
			}
		case *ast.IncDecStmt:
			ok = ok && !mentions(n.X)
		case *ast.UnaryExpr:
			ok = ok && !(n.Op == token.AND && mentions(n.X))
		case *ast.RangeStmt:
			ok = ok && !(n.Key != nil && mentions(n.Key)) && !(n.Value != nil && mentions(n.Value))
		case *ast.ValueSpec:
			if len(n.Values) > 0 {
				for _, name := range n.Names {
					ok = ok && !mentions(name)
				}
			}
		}
		return ok
	})
	return ok && source != nil
}

// assignsAll reports whether as assigns exactly the variables of index, in their order,
// from one call with the fact that returns the types res.
func (s *NilOnErrorFuncs) assignsAll(as *ast.AssignStmt, index map[types.Object]int, res *types.Tuple) bool {
	info := s.pass.TypesInfo
	if len(as.Lhs) != len(index) || len(as.Rhs) != 1 {
		return false
	}
	for i, l := range as.Lhs {
		id, ok := ast.Unparen(l).(*ast.Ident)
		if !ok {
			return false
		}
		if j, ok := index[info.ObjectOf(id)]; !ok || j != i {
			return false
		}
	}
	call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
	if !ok {
		return false
	}
	tuple, ok := info.TypeOf(call).(*types.Tuple)
	return ok && types.Identical(tuple, res) && s.Call(call)
}

var errorType = types.Universe.Lookup("error").Type()
