package deferutil

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestDeclAt checks the binary search against a scan of every declaration at every
// offset of a file: before, inside, at both ends of and between declarations.
func TestDeclAt(t *testing.T) {
	const src = `package p

import "os"

// F is documented.
func F() { _ = os.Args }

var (
	a = 1
	b = 2
)

type T struct{}

func (T) M() {}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	tok := fset.File(f.FileStart)
	for off := 0; off <= len(src); off++ {
		pos := tok.Pos(off)
		var want ast.Decl
		for _, d := range f.Decls {
			if d.Pos() <= pos && pos <= d.End() {
				want = d
			}
		}
		if got := DeclAt(f, pos); got != want {
			t.Errorf("offset %d (%q): got %T at %v, want %T at %v", off, strings.SplitN(src[off:], "\n", 2)[0], got, posOf(fset, got), want, posOf(fset, want))
		}
	}
	if got := DeclAt(&ast.File{}, token.Pos(1)); got != nil {
		t.Errorf("file without declarations: got %T", got)
	}
}

func posOf(fset *token.FileSet, d ast.Decl) token.Position {
	if d == nil {
		return token.Position{}
	}
	return fset.Position(d.Pos())
}
