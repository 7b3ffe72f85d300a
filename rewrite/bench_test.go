package rewrite_test

import (
	"context"
	"go/token"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/deferfix/deferfix/rewrite"
	"github.com/deferfix/deferfix/rules"
)

// benchPatterns is a slice of the standard library with findings for several rules.
var benchPatterns = []string{"net/http", "os", "encoding/json", "go/parser", "sync"}

// BenchmarkFloor is the cost deferfix cannot go below: loading the same packages, with
// tests, syntax and types, through go/packages.
func BenchmarkFloor(b *testing.B) {
	for b.Loop() {
		cfg := &packages.Config{
			Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
				packages.NeedImports | packages.NeedTypes | packages.NeedTypesSizes | packages.NeedSyntax |
				packages.NeedTypesInfo | packages.NeedModule,
			Tests: true,
			Fset:  token.NewFileSet(),
		}
		if _, err := packages.Load(cfg, benchPatterns...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFind is load + every rule (report mode).
func BenchmarkFind(b *testing.B) {
	benchRun(b, false)
}

// BenchmarkFix is load + every rule + fixes, verification and re-analysis (-d mode).
func BenchmarkFix(b *testing.B) {
	benchRun(b, true)
}

func benchRun(b *testing.B, fix bool) {
	for b.Loop() {
		cfg := &rewrite.Config{Tests: true, Analyzers: rules.All, Fix: fix}
		res, err := rewrite.Run(context.Background(), cfg, benchPatterns...)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Findings) == 0 {
			b.Fatal("no findings: the benchmark measures nothing")
		}
	}
}
