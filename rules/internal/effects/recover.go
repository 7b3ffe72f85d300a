package effects

import (
	"go/ast"
	"go/types"
	"reflect"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

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
}

func run(pass *analysis.Pass) (any, error) {
	r := New(pass.Pkg, pass.TypesInfo, pass.Files, func(fn *types.Func) (bool, bool) {
		var f MayRecover
		if pass.ImportObjectFact(fn, &f) {
			return f.Recovers, true
		}
		return false, false
	})
	// The package itself never imports these facts: Recover answers from the bodies.
	if !fixes.FactsLocal(pass) {
		for fn, body := range r.bodies {
			pass.ExportObjectFact(fn, &MayRecover{Recovers: CallsRecover(pass.TypesInfo, body)})
		}
	}
	return r, nil
}

// New returns the Result for a package with the given files; fact, if not nil, looks up
// the MayRecover fact of a function of another package.
func New(pkg *types.Package, info *types.Info, files []*ast.File, fact func(*types.Func) (recovers, known bool)) *Result {
	r := &Result{pkg: pkg, info: info, bodies: make(map[*types.Func]*ast.BlockStmt), fact: fact}
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
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
				if b, ok := info.Uses[id].(*types.Builtin); ok && b.Name() == "recover" {
					found = true
				}
			}
		}
		return !found
	})
	return found
}
