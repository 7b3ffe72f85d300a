package rewrite_test

import (
	"context"
	"fmt"
	"go/token"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/deferfix/deferfix/rewrite"
	"github.com/deferfix/deferfix/rewrite/testgen"
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

// BenchmarkManyFindings is -d on one generated file of N functions, each with a defer in a
// loop (independent fixes, one per function): the cost of fixing a file must grow with
// its findings, not with their square. Compare the ns/op of successive N: each doubling
// should at most double it (on a shared machine compare cpu-ns/op, and B/op, which
// TestManyFindingsLinear checks).
func BenchmarkManyFindings(b *testing.B) {
	for _, n := range []int{100, 200, 400, 800, 1600} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			testgen.WriteModule(b, dir, map[string]string{"m.go": testgen.ManyFindings(n)})
			cpu := rewrite.CPUTime()
			for b.Loop() {
				cfg := &rewrite.Config{Dir: dir, Analyzers: rules.All, Fix: true}
				res, err := rewrite.Run(context.Background(), cfg, "./...")
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Changes) != 1 || res.Changes[0].Fixes != n {
					b.Fatalf("want one file with %d fixes, got %d changes (%v)", n, len(res.Changes), res.Problems)
				}
			}
			b.ReportMetric(float64(rewrite.CPUTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}
