package fixes

import (
	"go/token"
	"os"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"
)

// BenchmarkDecorate compares decorating and printing a whole large file
// (net/http/transport_test.go, 7000 lines) with doing it for one declaration of it.
func BenchmarkDecorate(b *testing.B) {
	cfg := &packages.Config{Mode: packages.LoadSyntax, Tests: true, Fset: token.NewFileSet()}
	pkgs, err := packages.Load(cfg, "net/http")
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range pkgs {
		if p.ID != "net/http_test [net/http.test]" {
			continue
		}
		for _, f := range p.Syntax {
			if name := p.Fset.File(f.FileStart).Name(); len(name) < len("transport_test.go") || name[len(name)-len("transport_test.go"):] != "transport_test.go" {
				continue
			}
			pass := &analysis.Pass{Fset: p.Fset, Pkg: p.Types, TypesInfo: p.TypesInfo, ReadFile: os.ReadFile}
			decl := f.Decls[len(f.Decls)/2]
			b.Run("file", func(b *testing.B) {
				for b.Loop() {
					df, err := Decorate(pass, f)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := df.Edits(); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("decl", func(b *testing.B) {
				for b.Loop() {
					df, err := DecorateDecl(pass, f, decl)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := df.Edits(); err != nil {
						b.Fatal(err)
					}
				}
			})
			return
		}
	}
	b.Fatal("transport_test.go not found")
}
