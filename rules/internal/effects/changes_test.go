package effects

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"testing"
)

// TestCallChanges asks of each call in f whether it may change state that outlasts it.
func TestCallChanges(t *testing.T) {
	const src = `package p

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
)

// ok and equals are Ben Johnson's test helpers: what they do before FailNow does not count.
func okb(tb testing.TB, err error) {
	if err != nil {
		_, file, line, _ := runtime.Caller(1)
		fmt.Printf("%s:%d: unexpected error: %s\n", filepath.Base(file), line, err.Error())
		tb.FailNow()
	}
}

func equals(tb testing.TB, exp, act any) {
	if !reflect.DeepEqual(exp, act) {
		tb.FailNow()
	}
}

func setenv(t *testing.T, k, v string) { os.Setenv(k, v) }
func earlyReturn(b bool) { if b { level = 1; return }; panic("no") }
func stops(b bool) { if b { level = 1; panic("no") } }
func getenv(k string) string { return os.Getenv(k) }

var level int

type reporter interface{ FailNow() }

type is struct{ t reporter }

func (i *is) NoErr(err error) { if err != nil { i.t.FailNow() } }

func check(err error) { if err != nil { panic(err) } }
func ok(t *testing.T, err error) { t.Helper(); if err != nil { t.Fatalf("%v", err) } }
func setLevel(l int) { level = l }
func local(n int) int { m := n; m++; for i := range n { m += i }; return m }
func viaPtr(p *int) { *p = 1 }
func calls() { setLevel(2) }
func recurse(n int) { if n > 0 { recurse(n - 1) } }
func closes(f func()) { f() }
func captures() func() { n := 0; return func() { n++ } }

func f(t *testing.T, i *is, err error, p *int, fv func()) {
	check(err)             // false
	ok(t, err)             // false
	i.NoErr(err)           // false
	fmt.Println(err)       // false
	log.Printf("%v", err)  // false
	t.Errorf("%v", err)    // false
	recurse(3)             // false
	okb(t, err)            // false
	equals(t, 1, 2)        // false
	stops(true)            // false
	getenv("K")            // false
	setenv(t, "K", "v")    // true
	earlyReturn(true)      // true
	local(3)               // false
	setLevel(1)            // true
	viaPtr(p)              // true
	calls()                // true
	log.SetOutput(os.Stderr) // true
	t.Setenv("K", "v")     // true
	os.Setenv("K", "v")    // true
	fv()                   // true
	closes(fv)             // true
	captures()()           // true
}
`
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{file}, info)
	if err != nil {
		t.Fatal(err)
	}
	want := make(map[int]string)
	for _, g := range file.Comments {
		want[fset.Position(g.Pos()).Line] = g.List[0].Text
	}
	fn := file.Decls[len(file.Decls)-1].(*ast.FuncDecl)
	for _, s := range fn.Body.List {
		call := s.(*ast.ExprStmt).X.(*ast.CallExpr)
		line := fset.Position(call.Pos()).Line
		got := "// false"
		if CallChanges(pkg, info, []*ast.File{file}, call) {
			got = "// true"
		}
		if got != want[line] {
			t.Errorf("line %d: %s: CallChanges says %s", line, types.ExprString(call), got)
		}
	}
}
