package effects_test

import (
	"go/ast"
	"sync"
	"testing"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"

	"github.com/deferfix/deferfix/rules/internal/effects"
)

// The packages of the standard library the cost is measured on: large, with many defers.
var costPkgs = []string{"net/http", "go/types", "encoding/json", "database/sql", "text/template", "os"}

var (
	costOnce   sync.Once
	costLoaded []*packages.Package
	costErr    error
)

// costLoad loads the packages as an analysis driver does: syntax and types for them,
// export data for their dependencies.
func costLoad(b *testing.B) []*packages.Package {
	costOnce.Do(func() {
		cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo | packages.NeedImports}
		costLoaded, costErr = packages.Load(cfg, costPkgs...)
	})
	if costErr != nil {
		b.Fatal(costErr)
	}
	var roots []*packages.Package
	for _, p := range costLoaded {
		roots = append(roots, p)
	}
	return roots
}

// BenchmarkCostSSA builds SSA for the packages, as the buildssa pass does for every
// package a rule requiring it runs on: the dependencies are created from types only, the
// packages' own functions are built.
func BenchmarkCostSSA(b *testing.B) {
	pkgs := costLoad(b)
	b.ResetTimer()
	for range b.N {
		prog, ssaPkgs := ssautil.Packages(pkgs, ssa.InstantiateGenerics)
		_ = prog
		for _, p := range ssaPkgs {
			if p != nil {
				p.Build()
			}
		}
	}
}

// BenchmarkCostEffects asks effects every question the rules ask about every defer of the
// packages: a Func per deferring function, the span after the defer, MayChange of the
// deferred call's operands, MayPanic of the rest of the block, and Recover.
func BenchmarkCostEffects(b *testing.B) {
	pkgs := costLoad(b)
	b.ResetTimer()
	defers := 0
	for range b.N {
		defers = 0
		for _, p := range pkgs {
			res := effects.New(p.Types, p.TypesInfo, p.Syntax, nil)
			for _, f := range p.Syntax {
				ast.Inspect(f, func(n ast.Node) bool {
					var body *ast.BlockStmt
					switch fn := n.(type) {
					case *ast.FuncDecl:
						body = fn.Body
					case *ast.FuncLit:
						body = fn.Body
					}
					if body == nil {
						return true
					}
					var fx *effects.Func
					ast.Inspect(body, func(m ast.Node) bool {
						if _, ok := m.(*ast.FuncLit); ok {
							return false
						}
						d, ok := m.(*ast.DeferStmt)
						if !ok {
							return true
						}
						defers++
						if fx == nil {
							fx = effects.NewFunc(p.TypesInfo, n, nil)
						}
						span := fx.After(d)
						for _, a := range d.Call.Args {
							span.MayChange(a)
						}
						effects.EvalMayPanic(p.TypesInfo, d.Call, fx.NonNilAt(d, span))
						for _, s := range body.List {
							if s.Pos() > d.End() {
								effects.MayPanic(p.TypesInfo, s, nil)
							}
						}
						res.Recover(d.Call)
						return true
					})
					return true
				})
			}
		}
	}
	b.ReportMetric(float64(defers), "defers")
}
