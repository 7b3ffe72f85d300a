package effects_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"

	"github.com/deferfix/deferfix/rules/internal/effects"
)

// The deferred call's function value in each function below: FuncMayBeNil must hold
// for the ones named maybeNil* only; Recover must say NoRecover for the ones named
// *Callable and Unknown for the ones named unknown*.
const deferredFuncs = `package p

import (
	"context"
	"time"
)

func work(context.Context) {}

// net's dialSerial: declared without a value, set from a call before the defer.
func okCallable(ctx context.Context, ds []time.Time) {
	for _, d := range ds {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d)
		defer cancel()
		work(ctx)
	}
}

func okDefineCallable(ctx context.Context, ds []time.Time) {
	for range ds {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		work(ctx)
	}
}

// Set on some iterations only (cmd/divergence seed 7 case 1512).
func maybeNilIf(ctx context.Context, ds []time.Time) {
	for i, d := range ds {
		var cancel context.CancelFunc
		if i > 0 {
			ctx, cancel = context.WithDeadline(ctx, d)
		}
		defer cancel()
	}
}

// A goto may jump past the assignment to the label.
func maybeNilLabel(ctx context.Context, ds []time.Time) {
	for i, d := range ds {
		var cancel context.CancelFunc
		if i > 0 {
			goto skip
		}
		ctx, cancel = context.WithDeadline(ctx, d)
	skip:
		defer cancel()
	}
}

// Set to nil after the assignment.
func maybeNilReset(ctx context.Context, ds []time.Time) {
	for _, d := range ds {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d)
		if d.IsZero() {
			cancel = nil
		}
		defer cancel()
	}
}

// Set from a conversion of another variable, which may be nil.
func maybeNilConversion(ctx context.Context, ds []time.Time, f func()) {
	for range ds {
		var cancel context.CancelFunc
		cancel = context.CancelFunc(f)
		defer cancel()
	}
}

// Set in a literal, which may run before or after the defer, or never.
func maybeNilLiteral(ctx context.Context, ds []time.Time) {
	for _, d := range ds {
		var cancel context.CancelFunc
		set := func() { ctx, cancel = context.WithDeadline(ctx, d) }
		set()
		defer cancel()
	}
}

// A local literal: not taken (its captures are not checked through the variable).
func unknownLiteralNoRecover(ds []time.Time) {
	closer := func(d time.Time) { println(d.String()) }
	for _, d := range ds {
		defer closer(d)
	}
}

// One of its literals calls recover.
func unknownLiteral(ds []time.Time) {
	closer := func(d time.Time) { println(d.String()) }
	if len(ds) > 3 {
		closer = func(time.Time) { recover() }
	}
	for _, d := range ds {
		defer closer(d)
	}
}

// Also set from a parameter: it may be any function, and recover.
func unknownParam(ctx context.Context, ds []time.Time, stop context.CancelFunc) {
	for range ds {
		ctx, cancel := context.WithCancel(ctx)
		if ctx == nil {
			cancel = stop
		}
		defer cancel()
	}
}

// Its address is taken: anything may set it.
func unknownAddressed(ctx context.Context, ds []time.Time, set func(*context.CancelFunc)) {
	for range ds {
		ctx, cancel := context.WithCancel(ctx)
		set(&cancel)
		defer cancel()
		work(ctx)
	}
}
`

func TestDeferredFuncValues(t *testing.T) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "p.go", deferredFuncs, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{
		Types:      make(map[ast.Expr]types.TypeAndValue),
		Defs:       make(map[*ast.Ident]types.Object),
		Uses:       make(map[*ast.Ident]types.Object),
		Selections: make(map[*ast.SelectorExpr]*types.Selection),
		Scopes:     make(map[ast.Node]*types.Scope),
	}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{file}, info)
	if err != nil {
		t.Fatal(err)
	}
	res := effects.New(pkg, info, []*ast.File{file}, nil)
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name == "work" {
			continue
		}
		var call *ast.CallExpr
		ast.Inspect(fd, func(n ast.Node) bool {
			if ds, ok := n.(*ast.DeferStmt); ok {
				call = ds.Call
			}
			return call == nil
		})
		id := call.Fun.(*ast.Ident)
		name := fd.Name.Name
		if got, want := effects.FuncMayBeNil(info, fd, id), strings.HasPrefix(name, "maybeNil"); got != want {
			t.Errorf("%s: FuncMayBeNil = %v, want %v", name, got, want)
		}
		want := effects.Unknown
		switch {
		case strings.HasSuffix(name, "Callable"):
			want = effects.NoRecover
		case !strings.HasPrefix(name, "unknown"):
			continue
		}
		if got := res.Recover(call); got != want {
			t.Errorf("%s: Recover = %v, want %v", name, got, want)
		}
	}
}
