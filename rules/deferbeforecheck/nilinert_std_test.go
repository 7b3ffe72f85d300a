package deferbeforecheck_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/deferfix/deferfix/rules/internal/effects"
)

// TestStdNilInert proves each entry of effects.StdNilInert from the GOROOT sources of the
// Go running the test: every declaration of the method (one per build variant) must do
// nothing on a nil receiver by effects.NilGuarded, the reading deferbeforecheck applies to
// the methods of the package it analyses.
func TestStdNilInert(t *testing.T) {
	for _, name := range effects.StdNilInert {
		// "(*os.File).Close": package os, type File, method Close.
		recv, method, _ := strings.Cut(strings.TrimPrefix(name, "(*"), ").")
		dot := strings.LastIndex(recv, ".")
		pkg, typ := recv[:dot], recv[dot+1:]
		dir := filepath.Join(runtime.GOROOT(), "src", filepath.FromSlash(pkg))
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		fset := token.NewFileSet()
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Recv == nil || fd.Name.Name != method || len(fd.Recv.List) != 1 {
					continue
				}
				star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
				if !ok {
					continue
				}
				if id, ok := star.X.(*ast.Ident); !ok || id.Name != typ {
					continue
				}
				found++
				if !effects.NilGuarded(fd) {
					t.Errorf("%s (%s): not proven to do nothing on a nil receiver", name, fset.Position(fd.Pos()))
				}
			}
		}
		if found == 0 {
			t.Errorf("%s: no declaration in %s", name, dir)
		}
	}
}
