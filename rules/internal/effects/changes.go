package effects

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/types/typeutil"
)

// CallChanges reports whether call may change state that outlasts it: state a second call
// could set back, so that the pair is a change and its undo (os.Setenv(k, v) and a
// deferred os.Setenv(k, old)). A call that only reads its arguments, prints, or fails —
// panics, stops the goroutine, fails a test — changes nothing another call could undo,
// however often it runs: assertion helpers (require.NoError(t, err), ok(t, err),
// check(err)) are such calls. pkg and files are the package being analysed, whose
// function bodies are read.
//
// It answers for intent — whether a pair of calls reads as a change and its undo — and
// proves nothing safe: no fix may rest on a false answer. What happens only on the way to
// not returning (a block that ends in panic, t.FailNow, t.Fatal, os.Exit, log.Fatal) does
// not count, since no later call follows it; nor does a call of another package whose
// non-error result is used (reflect.DeepEqual(a, b), runtime.Caller(1), os.Getenv(k)):
// a query, called for what it returns. The rest:
//   - A builtin changes state when it writes (append, copy, clear, delete, close); panic,
//     print, println, recover and the pure ones (len, cap, min, ...) do not.
//   - A function of this package changes state when its body (function literals in it
//     included) assigns a variable it does not declare itself, writes indirectly (through
//     a pointer, into a slice or map element), sends on a channel, starts a goroutine, or
//     makes a call that changes state. Calls are followed through the package's function
//     declarations, to a bounded depth.
//   - The standard library's print functions (fmt.Print..., fmt.Errorf and the Append and
//     Sprint forms, log's Print, Fatal and Panic functions and Logger methods) write only
//     output; a testing.T, B, F or TB method changes state only when it is Setenv or
//     Chdir (the others log, fail, skip or read).
//   - A method of a test reporter of another package (an interface or type with
//     Errorf(string, ...any) or FailNow(), as testify's TestingT and gotest.tools'
//     assert.TestingT) can do no more than fail the test; so can a function of another
//     package whose first parameter is a reporter, or a method whose receiver holds one
//     (assert.New(t).NoError), which is how assertion libraries are built — their bodies
//     are not available to deferfix (dependencies are loaded from export data).
//   - Everything else — a call through a function value or a non-reporter interface, a
//     function of another package called for its effect (its result unused, or only an
//     error) — may change state.
func CallChanges(pkg *types.Package, info *types.Info, files []*ast.File, call *ast.CallExpr) bool {
	c := &changes{pkg: pkg, info: info, files: files, memo: make(map[*types.Func]changed)}
	return c.call(call, 0, false)
}

type changed int

const (
	reading changed = iota + 1 // in a cycle: its other statements decide
	no
	yes
)

// maxChangesDepth bounds how deep CallChanges follows calls into the package's functions.
const maxChangesDepth = 8

type changes struct {
	pkg   *types.Package
	info  *types.Info
	files []*ast.File
	memo  map[*types.Func]changed
}

// call reports whether call may change state; used says its value is used.
func (c *changes) call(call *ast.CallExpr, depth int, used bool) bool {
	if tv, ok := c.info.Types[call.Fun]; ok && tv.IsType() {
		return false // a conversion
	}
	switch obj := typeutil.Callee(c.info, call).(type) {
	case *types.Builtin:
		switch obj.Name() {
		case "append", "copy", "clear", "delete", "close":
			return true
		}
		return false
	case *types.Func:
		return c.fn(obj, depth, used)
	}
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		return c.body(lit, lit.Body, depth)
	}
	return true // a function value
}

func (c *changes) fn(fn *types.Func, depth int, used bool) bool {
	fn = fn.Origin() // a method of an instantiated type is declared generic
	if fn.Pkg() == nil {
		return !used // error.Error: a query when its result is used
	}
	switch fn.Pkg().Path() {
	case "fmt":
		return !stdPrints[fn.FullName()]
	case "log":
		return !stdPrints[fn.Name()] // functions and *Logger methods alike
	case "testing":
		return fn.Name() == "Setenv" || fn.Name() == "Chdir"
	}
	sig := fn.Signature()
	if recv := sig.Recv(); recv != nil && isTestReporter(recv.Type()) {
		if _, ok := recv.Type().Underlying().(*types.Interface); ok {
			return false // t.Errorf on testify's TestingT: fails the test
		}
	}
	if decl := c.decl(fn); decl != nil {
		switch c.memo[fn] {
		case reading, no:
			return false
		case yes:
			return true
		}
		if depth >= maxChangesDepth {
			return true
		}
		c.memo[fn] = reading
		r := c.body(decl, decl.Body, depth+1)
		c.memo[fn] = no
		if r {
			c.memo[fn] = yes
		}
		return r
	}
	if fn.Pkg() == c.pkg {
		return true // a declaration without a body (assembly), or not among the files
	}
	// Another package's function: a query, or an assertion helper, which fails at most.
	if used && slices.ContainsFunc(slices.Collect(sig.Results().Variables()), func(v *types.Var) bool { return !isError(v.Type()) }) {
		return false
	}
	if sig.Params().Len() > 0 && isTestReporter(sig.Params().At(0).Type()) {
		return false
	}
	if recv := sig.Recv(); recv != nil {
		t := recv.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if st, ok := t.Underlying().(*types.Struct); ok {
			for i := range st.NumFields() {
				if isTestReporter(st.Field(i).Type()) {
					return false
				}
			}
		}
	}
	return true
}

// stdPrints are the standard library's functions that only print or format: fmt's by full
// name, log's (functions and *Logger methods) by name within package log.
var stdPrints = map[string]bool{
	"fmt.Print": true, "fmt.Printf": true, "fmt.Println": true,
	"fmt.Fprint": true, "fmt.Fprintf": true, "fmt.Fprintln": true,
	"fmt.Sprint": true, "fmt.Sprintf": true, "fmt.Sprintln": true,
	"fmt.Append": true, "fmt.Appendf": true, "fmt.Appendln": true, "fmt.Errorf": true,
	"Print": true, "Printf": true, "Println": true, "Output": true,
	"Fatal": true, "Fatalf": true, "Fatalln": true, "Panic": true, "Panicf": true, "Panicln": true,
}

// decl returns the declaration with a body of fn among the files, or nil.
func (c *changes) decl(fn *types.Func) *ast.FuncDecl {
	pos := fn.Pos()
	for _, f := range c.files {
		if pos < f.FileStart || f.FileEnd <= pos {
			continue
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Pos() == pos && fd.Body != nil && c.info.Defs[fd.Name] == fn {
				return fd
			}
		}
	}
	return nil
}

// body reports whether running body, of the function fn, may change state that outlasts
// it.
func (c *changes) body(fn ast.Node, body *ast.BlockStmt, depth int) bool {
	if body == nil {
		return true
	}
	// The variables fn declares — its parameters and results, its locals and its
	// literals' — are its own; a variable of an enclosing function (a literal's capture)
	// or of the package outlasts the call.
	own := func(e ast.Expr) bool {
		id, ok := ast.Unparen(Root(c.info, e)).(*ast.Ident)
		if !ok {
			return false // written through a pointer, a slice or a map
		}
		if id.Name == "_" {
			return true
		}
		v, ok := c.info.Uses[id].(*types.Var)
		if !ok {
			v, ok = c.info.Defs[id].(*types.Var)
		}
		return ok && fn.Pos() <= v.Pos() && v.Pos() < fn.End()
	}
	changed := false
	stmts := make(map[*ast.CallExpr]bool) // calls whose value is not used
	ast.Inspect(body, func(n ast.Node) bool {
		if changed {
			return false
		}
		switch n := n.(type) {
		case *ast.BlockStmt:
			return !c.stops(n.List)
		case *ast.CaseClause:
			return !c.stops(n.Body)
		case *ast.CommClause:
			return !c.stops(n.Body)
		case *ast.ExprStmt:
			if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok {
				stmts[call] = true
			}
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				break
			}
			for _, l := range n.Lhs {
				if !own(l) {
					changed = true
				}
			}
		case *ast.IncDecStmt:
			changed = !own(n.X)
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if e != nil && !own(e) {
						changed = true
					}
				}
			}
		case *ast.SendStmt, *ast.GoStmt:
			changed = true
		case *ast.UnaryExpr:
			changed = n.Op == token.ARROW // a receive takes a value from a channel
		case *ast.CallExpr:
			if _, ok := ast.Unparen(n.Fun).(*ast.FuncLit); ok {
				break // its body is inspected as part of this one
			}
			changed = c.call(n, depth, !stmts[n])
		}
		return !changed
	})
	return changed
}

// stops reports whether the statements end in a call that does not return: panic,
// os.Exit, runtime.Goexit, log's Fatal and Panic functions and methods, a test's FailNow,
// Fatal, Fatalf, SkipNow, Skip or Skipf (testing's, or a reporter interface's).
// The statements must hold no return: a path through them may return normally.
func (c *changes) stops(list []ast.Stmt) bool {
	if len(list) == 0 {
		return false
	}
	for _, s := range list {
		returns := false
		ast.Inspect(s, func(n ast.Node) bool {
			switch n.(type) {
			case *ast.ReturnStmt:
				returns = true
			case *ast.FuncLit:
				return false
			}
			return !returns
		})
		if returns {
			return false
		}
	}
	es, ok := list[len(list)-1].(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := ast.Unparen(es.X).(*ast.CallExpr)
	if !ok {
		return false
	}
	switch fn := typeutil.Callee(c.info, call).(type) {
	case *types.Builtin:
		return fn.Name() == "panic"
	case *types.Func:
		if fn.Pkg() == nil {
			return false
		}
		switch fn.Pkg().Path() + "." + fn.Name() {
		case "os.Exit", "runtime.Goexit",
			"log.Fatal", "log.Fatalf", "log.Fatalln", "log.Panic", "log.Panicf", "log.Panicln":
			return true
		}
		switch fn.Name() {
		case "FailNow", "Fatal", "Fatalf", "SkipNow", "Skip", "Skipf":
			recv := fn.Signature().Recv()
			if fn.Pkg().Path() == "testing" {
				return true
			}
			if recv != nil && isTestReporter(recv.Type()) {
				_, iface := recv.Type().Underlying().(*types.Interface)
				return iface
			}
		}
	}
	return false
}

func isError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

// isTestReporter reports whether t can fail a test: it has the method
// Errorf(string, ...any), as *testing.T, testing.TB and testify's TestingT do, or
// FailNow(), as gotest.tools' assert.TestingT does.
func isTestReporter(t types.Type) bool {
	if obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "FailNow"); obj != nil {
		if m, ok := obj.(*types.Func); ok && m.Signature().Params().Len() == 0 && m.Signature().Results().Len() == 0 {
			return true
		}
	}
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "Errorf")
	m, ok := obj.(*types.Func)
	if !ok {
		return false
	}
	sig := m.Signature()
	if !sig.Variadic() || sig.Params().Len() != 2 {
		return false
	}
	b, ok := sig.Params().At(0).Type().(*types.Basic)
	return ok && b.Kind() == types.String
}
