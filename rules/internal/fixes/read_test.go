package fixes

import (
	"go/ast"
	"go/parser"
	"go/token"
	"runtime"
	"testing"
	"time"

	"github.com/dave/dst"
	"golang.org/x/tools/go/analysis"
)

// TestReadOncePerPass checks that the fixes of one pass read their file once, whatever
// the host's ReadFile costs (a read per fix made a file of n findings cost n times its
// size), that another pass reads it again, and that the contents go with the pass.
func TestReadOncePerPass(t *testing.T) {
	const src = "package p\n\nfunc A() { println(1) }\n\nfunc B() {\n\tprintln(2)\n}\n\nfunc C() {\n\tprintln(3)\n}\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	newPass := func() *analysis.Pass {
		return &analysis.Pass{Fset: fset, Files: []*ast.File{f}, ReadFile: func(string) ([]byte, error) {
			reads++
			return []byte(src), nil
		}}
	}
	fixAll := func(pass *analysis.Pass) {
		for _, d := range f.Decls[1:] { // B and C: multi-line, fixed through their declaration
			fix, err := FixAt(pass, f, d, "Rename", func(df *File) error {
				df.Dst.Decls[0].(*dst.FuncDecl).Name.Name += "x"
				return nil
			})
			if err != nil || len(fix.TextEdits) == 0 {
				t.Fatalf("fix of %s: %v, %d edits", d.(*ast.FuncDecl).Name.Name, err, len(fix.TextEdits))
			}
		}
	}
	fixAll(newPass())
	if reads != 1 {
		t.Errorf("two fixes in one pass read the file %d times, want 1", reads)
	}
	fixAll(newPass())
	if reads != 2 {
		t.Errorf("a second pass read the file %d times in all, want 2", reads)
	}
	// Both passes are unreachable now: their entries are dropped by cleanups, which run
	// after a collection.
	for i := 0; ; i++ {
		runtime.GC()
		n := 0
		sources.Range(func(any, any) bool { n++; return true })
		if n == 0 {
			break
		}
		if i == 100 {
			t.Fatalf("%d passes' sources still held after they became unreachable", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
