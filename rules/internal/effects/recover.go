package effects

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

// Analyzer exports a MayRecover fact for every function of the package with a body, and
// gives the rules a Result that answers whether a deferred call may recover.
var Analyzer = &analysis.Analyzer{
	Name:       "effects",
	Doc:        "facts for deferfix's shared safety analysis: which functions call recover directly",
	URL:        "https://pkg.go.dev/github.com/deferfix/deferfix/rules/internal/effects",
	Run:        run,
	FactTypes:  []analysis.Fact{new(MayRecover)},
	ResultType: reflect.TypeFor[*Result](),
}

// MayRecover is the fact a function of another package carries: whether its body calls
// recover directly, so that deferring it stops a panic. Drivers that carry facts across
// packages (go vet, go fix) know it; deferfix's own driver keeps facts within a package,
// so there a function of another module may recover (see Result.Recover).
type MayRecover struct{ Recovers bool }

func (*MayRecover) AFact() {}
func (f *MayRecover) String() string {
	if f.Recovers {
		return "recovers"
	}
	return "norecover"
}

// Result answers Recover for one package.
type Result struct {
	pkg    *types.Package
	info   *types.Info
	bodies map[*types.Func]*ast.BlockStmt
	fact   func(*types.Func) (recovers, known bool)
	files  []*ast.File
	// variant reports a function of the package that another build configuration
	// declares with another body (deferutil.Variants): its own body proves nothing.
	variant func(*types.Func) bool

	sourcesOnce sync.Once
	sources     map[*types.Var][]ast.Expr // what each local variable is set from (nil: zero)
	opaque      map[*types.Var]bool       // set in a way sources does not show
}

func run(pass *analysis.Pass) (any, error) {
	r := New(pass.Pkg, pass.TypesInfo, pass.Files, func(fn *types.Func) (bool, bool) {
		var f MayRecover
		if pass.ImportObjectFact(fn, &f) {
			return f.Recovers, true
		}
		return false, false
	})
	// The standard library's recovers are a table for every port (stdRecovers).
	if !stdPackages[pass.Pkg.Path()] {
		r.variant = deferutil.Variants(pass)
	}
	// The package itself never imports these facts: Recover answers from the bodies.
	// A function with a body in a file the build excludes may recover there.
	if !fixes.FactsLocal(pass) {
		for fn, body := range r.bodies {
			pass.ExportObjectFact(fn, &MayRecover{Recovers: CallsRecover(pass.TypesInfo, body) || r.variant != nil && r.variant(fn)})
		}
	}
	return r, nil
}

// New returns the Result for a package with the given files; fact, if not nil, looks up
// the MayRecover fact of a function of another package.
func New(pkg *types.Package, info *types.Info, files []*ast.File, fact func(*types.Func) (recovers, known bool)) *Result {
	r := &Result{pkg: pkg, info: info, bodies: make(map[*types.Func]*ast.BlockStmt), fact: fact, files: files}
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if fn, ok := info.Defs[fd.Name].(*types.Func); ok {
					r.bodies[fn] = fd.Body
				}
			}
		}
	}
	return r
}

// Recovery is what Recover knows about a deferred call.
type Recovery int

const (
	NoRecover Recovery = iota // the call cannot stop a panic
	Recovers                  // the deferred function calls recover directly
	Unknown                   // the callee is not known: it may recover
)

func (r Recovery) String() string {
	return [...]string{"does not recover", "recovers", "may recover"}[r]
}

// Recover reports whether the deferred call may stop a panic: see the package
// documentation.
func (r *Result) Recover(call *ast.CallExpr) Recovery {
	if r == nil {
		return Unknown
	}
	info := r.info
	fun := ast.Unparen(call.Fun)
	if id, ok := fun.(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok {
			if b.Name() == "recover" {
				return Recovers
			}
			return NoRecover
		}
	}
	if lit, ok := fun.(*ast.FuncLit); ok {
		if CallsRecover(info, lit.Body) {
			return Recovers
		}
		return NoRecover
	}
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	if !ok {
		if id, ok := fun.(*ast.Ident); ok && r.setFromCallable(id) {
			return NoRecover // cancel from context.WithCancel
		}
		return Unknown // a function value
	}
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		if s := info.Selections[sel]; s != nil && s.Kind() == types.MethodVal && types.IsInterface(s.Recv()) {
			return Unknown // through an interface
		}
	}
	fn = fn.Origin()
	if recv := fn.Signature().Recv(); recv != nil && types.IsInterface(recv.Type()) {
		return Unknown // an interface method, promoted or through a method expression
	}
	if body, ok := r.bodies[fn]; ok {
		if r.variant != nil && r.variant(fn) {
			return Unknown // another build configuration compiles another body
		}
		if CallsRecover(info, body) {
			return Recovers
		}
		return NoRecover
	}
	if fn.Pkg() == nil || fn.Pkg() == r.pkg {
		return Unknown
	}
	if r.fact != nil {
		if rec, known := r.fact(fn); known {
			if rec {
				return Recovers
			}
			return NoRecover
		}
	}
	if stdPackages[fn.Pkg().Path()] {
		if stdRecovers[funcKey(fn)] {
			return Recovers
		}
		return NoRecover
	}
	return Unknown
}

// stdCallableResults holds standard-library functions whose function results are
// literals or method values of their own package, whose bodies never call recover
// directly (TestStdCallableResults checks both packages): a variable set only from them
// holds a function that cannot stop a panic. What that function calls in turn (a parent
// context's stop function) may call recover, but recover has no effect there.
var stdCallableResults = map[string]bool{
	"context.AfterFunc":         true,
	"context.WithCancel":        true,
	"context.WithCancelCause":   true,
	"context.WithDeadline":      true,
	"context.WithDeadlineCause": true,
	"context.WithTimeout":       true,
	"context.WithTimeoutCause":  true,
	"os/signal.NotifyContext":   true,
}

// setFromCallable reports whether id is a local function variable that is only ever set
// from calls of stdCallableResults, or to nil (whose call panics and never recovers): not
// a parameter or result, never addressed, never assigned from anything else anywhere in
// the package, closures included. A variable set from a function literal is not taken:
// Unknown is what makes loopdefer's fix of defer finish() unsafe, and the literal's
// captures (state it reads when it runs) are not checked through the variable
// (programs/gen-closurevar).
func (r *Result) setFromCallable(id *ast.Ident) bool {
	v, ok := r.info.Uses[id].(*types.Var)
	if !ok || v.IsField() || v.Pkg() != r.pkg || v.Parent() == nil || v.Parent() == r.pkg.Scope() {
		return false
	}
	r.sourcesOnce.Do(r.findSources)
	srcs, ok := r.sources[v]
	if !ok || r.opaque[v] {
		return false
	}
	for _, e := range srcs {
		if e == nil {
			continue // the zero value
		}
		switch e := ast.Unparen(e).(type) {
		case *ast.Ident:
			if _, ok := r.info.Uses[e].(*types.Nil); ok {
				continue
			}
		case *ast.CallExpr:
			if fn, ok := typeutil.Callee(r.info, e).(*types.Func); ok && fn.Pkg() != nil && stdPackages[fn.Pkg().Path()] && stdCallableResults[funcKey(fn)] {
				continue
			}
		}
		return false
	}
	return true
}

// findSources records, for every local variable of the package, the expressions it is
// declared or assigned from (a call with several results for each variable it sets), and
// marks opaque the ones also set otherwise: parameters and results, range variables,
// type switch bindings, variables whose address is taken.
func (r *Result) findSources() {
	r.sources = make(map[*types.Var][]ast.Expr)
	r.opaque = make(map[*types.Var]bool)
	info := r.info
	add := func(lhs []ast.Expr, rhs []ast.Expr) {
		for i, l := range lhs {
			id, ok := ast.Unparen(l).(*ast.Ident)
			if !ok {
				continue
			}
			v, ok := info.ObjectOf(id).(*types.Var)
			if !ok {
				continue
			}
			switch {
			case len(rhs) == 0:
				r.sources[v] = append(r.sources[v], nil)
			case len(rhs) == len(lhs):
				r.sources[v] = append(r.sources[v], rhs[i])
			case len(rhs) == 1:
				r.sources[v] = append(r.sources[v], rhs[0])
			default:
				r.opaque[v] = true
			}
		}
	}
	for _, f := range r.files {
		declared := make(map[*ast.Ident]bool) // defining identifiers that add saw
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				lhs := make([]ast.Expr, len(n.Names))
				for i, name := range n.Names {
					lhs[i] = name
					declared[name] = true
				}
				add(lhs, n.Values)
			case *ast.AssignStmt:
				if n.Tok == token.ASSIGN || n.Tok == token.DEFINE {
					for _, l := range n.Lhs {
						if id, ok := l.(*ast.Ident); ok {
							declared[id] = true
						}
					}
					add(n.Lhs, n.Rhs)
				} else {
					for _, l := range n.Lhs {
						if id, ok := ast.Unparen(l).(*ast.Ident); ok {
							if v, ok := info.ObjectOf(id).(*types.Var); ok {
								r.opaque[v] = true
							}
						}
					}
				}
			case *ast.UnaryExpr:
				if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND {
					if v, ok := info.Uses[id].(*types.Var); ok {
						r.opaque[v] = true
					}
				}
			}
			return true
		})
		// Every other definition (a parameter, a result, a range or type switch variable)
		// and every other way to set a variable (a range over it with =) makes it opaque.
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				if v, ok := info.Defs[n].(*types.Var); ok && !declared[n] {
					r.opaque[v] = true
				}
			case *ast.RangeStmt:
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := ast.Unparen(e).(*ast.Ident); ok && e != nil {
						if v, ok := info.ObjectOf(id).(*types.Var); ok {
							r.opaque[v] = true
						}
					}
				}
			}
			return true
		})
	}
}

// funcKey names fn as the standard library table does: path.Func or path.Type.Method.
func funcKey(fn *types.Func) string {
	if recv := fn.Signature().Recv(); recv != nil {
		t := recv.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := types.Unalias(t).(*types.Named); ok {
			return fn.Pkg().Path() + "." + n.Obj().Name() + "." + fn.Name()
		}
	}
	return fn.Pkg().Path() + "." + fn.Name()
}

// CallsRecover reports whether body calls recover directly: not inside a function
// literal, whose call would not be the deferred function's own.
func CallsRecover(info *types.Info, body *ast.BlockStmt) bool {
	return DirectRecover(info, body) != nil
}

// DirectRecover returns a call of recover in n that is not inside a function literal,
// or nil. Such a call stops a panic only while it is made by the deferred function
// itself: code that holds one cannot move into a function literal (loopdefer's
// per-iteration literal, hotdefer's split), where recover would return nil and the
// panic would go on (programs/effects-recover-moved).
func DirectRecover(info *types.Info, n ast.Node) *ast.CallExpr {
	var found *ast.CallExpr
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
				if b, ok := info.Uses[id].(*types.Builtin); ok && b.Name() == "recover" {
					found = n
				}
			}
		}
		return found == nil
	})
	return found
}

// Unseen reports whether call runs code the analysis cannot read, so that any question
// about what it does (may it recover, may it end the program) must answer yes: a call
// through a function value (other than one set only from stdCallableResults, such as
// context's cancel functions), through an interface, or of a function of another
// package outside the standard library (deferfix's own driver carries no facts across
// packages, and a fact answers only what it was made for), or of a function of this
// package declared without a body (its code is assembly, or another package's under
// go:linkname) or that a file the build excludes declares too (deferutil.Variants).
// Conversions, builtins, other functions of this package and those of the standard
// library are seen: their bodies are this package's to read, or documented.
func (r *Result) Unseen(call *ast.CallExpr) bool {
	info := r.info
	fun := ast.Unparen(call.Fun)
	if tv, ok := info.Types[fun]; ok && tv.IsType() {
		return false // a conversion
	}
	if _, ok := fun.(*ast.FuncLit); ok {
		return false // its body is in the syntax
	}
	switch callee := typeutil.Callee(info, call).(type) {
	case *types.Builtin:
		return false
	case *types.Func:
		if sel, ok := fun.(*ast.SelectorExpr); ok {
			if s := info.Selections[sel]; s != nil && s.Kind() == types.MethodVal && types.IsInterface(s.Recv()) {
				return true
			}
		}
		fn := callee.Origin()
		if recv := fn.Signature().Recv(); recv != nil && types.IsInterface(recv.Type()) {
			return true
		}
		if fn.Pkg() == r.pkg {
			if _, ok := r.bodies[fn]; !ok {
				return true // declared without a body: assembly, go:linkname
			}
			return r.variant != nil && r.variant(fn) // another build compiles another body
		}
		return fn.Pkg() != nil && !stdPackages[fn.Pkg().Path()]
	}
	id, ok := fun.(*ast.Ident)
	return !ok || !r.setFromCallable(id)
}
