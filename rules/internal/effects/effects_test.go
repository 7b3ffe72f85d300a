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

const src = `package p

import (
	"fmt"
	"sync"
	"text/template"
)

var G int

type S struct {
	n  int
	p  *S
	mu sync.Mutex
}

func (s S) Val() int  { return s.n }
func (s *S) Ptr() int { return s.n }

type I interface{ M() }

func call()          {}
func fill([]int)     {}
func recovers()      { recover() }
func seq(func() bool) {}

var _ = fmt.Sprint
var _ = template.New

func g(x int, s S, ps *S, a [3]int, sl []int, i I, ch chan int, fv func()) {
	BEFORE
	_ = EXPR
	AFTER
	_ = fv
}
`

// load type-checks src with before, expr and after in place; it returns the file, g,
// expr, and the statements after the one holding it.
func load(t *testing.T, before, expr, after string) (*types.Package, *types.Info, *ast.File, *ast.FuncDecl, ast.Expr, []ast.Stmt) {
	t.Helper()
	text := strings.NewReplacer("BEFORE", before, "EXPR", expr, "AFTER", after).Replace(src)
	at := strings.Index(text, "\t_ = "+expr+"\n\t"+after) + 1
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "p.go", text, 0)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
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
		t.Fatalf("%s; %s; %s: %v", before, expr, after, err)
	}
	pos := fset.File(file.Pos()).Pos(at)
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != "g" {
			continue
		}
		for i, s := range fd.Body.List {
			if s.Pos() == pos {
				return pkg, info, file, fd, s.(*ast.AssignStmt).Rhs[0], fd.Body.List[i+1:]
			}
		}
	}
	t.Fatal("no statement _ = EXPR in g")
	return nil, nil, nil, nil, nil, nil
}

// TestMayChange checks class 1 and 2 of issue 10: values that change without an
// assignment to their name, through code the syntax does not show.
func TestMayChange(t *testing.T) {
	for _, tc := range []struct {
		before, expr, after string
		change              bool
	}{
		{"", "x", "call()", false},
		{"", "x", "x++", true},
		{"", "G", "x++", false},
		{"", "G", "call()", true},                           // a package variable, across a call
		{"", "G", "<-ch", true},                             // ... across a channel operation
		{"", "G", "for range seq {}", true},                 // ... across a range over a function
		{"", "G", "select {}", true},                        // ... across a select
		{"", "G", "go call()", true},                        // ... across a go statement
		{"", "G", "sl[0] = 1", true},                        // ... across a write through a pointer
		{"", "a", "fill(a[:])", true},                       // an array, written through a slice of it
		{"", "a[0]", "a[1] = 2", true},                      // an element write writes the array
		{"", "s.n", "s.n = 5", true},                        // a field write
		{"", "s.n", "s.p = nil", true},                      // conservative: the variable is written
		{"", "s.n", "s.Ptr()", true},                        // &s taken implicitly, and a call
		{"", "ps.n", "call()", true},                        // through a pointer, across a call
		{"", "ps.n", "x++", false},                          // ... across nothing that writes memory
		{"", "ps.n", "G = 1", true},                         // ... across a write to an escaping variable
		{"", "sl[0]", "copy(sl, []int{1})", true},           // copy writes elements
		{"", "x", "h := func() { x = 1 }; h()", true},       // a closure assigns x
		{"h := func() { x = 1 }; _ = h", "x", "fv()", true}, // ... and may run through any call
		{"h := func() { x = 1 }; _ = h", "x", "G++", false},
		{"", "&x", "x++", false},            // an address never changes
		{"", "s.Ptr", "s.n = 1", false},     // the receiver of a pointer method is &s
		{"", "s.Val", "s.n = 1", true},      // a value receiver is a copy of s
		{"", "ps.Val", "call()", true},      // ... a copy of *ps
		{"", "i.M", "i = nil", true},        // an interface's method value
		{"", "fv", "call()", false},         // a local function value
		{"", "len(sl)", "sl[0] = 1", false}, // the header does not change
		{"", "sl", "sl = append(sl, 1)", true},
		{"", "x + G", "call()", true},
		{"", "fmt.Sprint(x)", "x++", true}, // computed by a call
		{"", "S{n: x}", "call()", false},
		{"", "<-ch", "x++", true}, // a receive gives another value
	} {
		_, info, _, fn, e, after := load(t, tc.before, tc.expr, tc.after)
		at, why := effects.NewFunc(info, fn, nil).Stmts(after).MayChange(e)
		if (at != nil) != tc.change {
			t.Errorf("%s; %s; %s: MayChange = %v (%s), want %v", tc.before, tc.expr, tc.after, at != nil, why, tc.change)
		}
	}
}

// TestAfter checks the span from a defer to the return: a loop around the defer comes
// back, but a variable declared in its body is a new one each iteration.
func TestAfter(t *testing.T) {
	for _, tc := range []struct {
		body   string
		change bool
	}{
		{"for range 3 { v := x; defer fill([]int{v}); v++ }", true},                 // after the defer
		{"for range 3 { var v int; v = x; defer fill([]int{v}) }", false},           // before it: the next v
		{"for range 3 { v := 0; for range 3 { v++; defer fill([]int{v}) } }", true}, // an inner loop comes back
		{"v := 0; for range 3 { v = x; defer fill([]int{v}) }", true},               // declared outside the loop
		{"for range 3 { v := 0; h := func() { v++ }; defer fill([]int{v}); h() }", true},
	} {
		_, info, _, fn, _, after := load(t, "", "x", tc.body)
		var d *ast.DeferStmt
		for _, st := range after {
			ast.Inspect(st, func(n ast.Node) bool {
				if ds, ok := n.(*ast.DeferStmt); ok {
					d = ds
				}
				return true
			})
		}
		arg := d.Call.Args[0].(*ast.CompositeLit).Elts[0]
		at, why := effects.NewFunc(info, fn, nil).After(d).MayChange(arg)
		if (at != nil) != tc.change {
			t.Errorf("%s: MayChange = %v (%s), want %v", tc.body, at != nil, why, tc.change)
		}
	}
}

// TestCaptures checks what a deferred literal reads from outside it: values that may
// change, and addresses, which never do.
func TestCaptures(t *testing.T) {
	for _, tc := range []struct {
		lit, after string
		change     bool
	}{
		{"func() { _ = G }", "call()", true}, // a package variable, across a call
		{"func() { _ = G }", "x++", false},
		{"func() { _ = x }", "x++", true},
		{"func() { s.mu.Lock() }", "call()", false},   // only &s.mu is read
		{"func() { _ = s.n }", "s.Ptr()", true},       // &s taken implicitly, and a call
		{"func() { _ = ps.n }", "call()", true},       // through a pointer
		{"func() { x = 2 }", "call()", false},         // a write is not a read
		{"func() { y := 1; _ = y }", "call()", false}, // the literal's own variable
	} {
		_, info, _, fn, e, after := load(t, "", tc.lit, tc.after)
		lit := e.(*ast.FuncLit)
		at, why := effects.NewFunc(info, fn, lit).Stmts(after).CapturesMayChange(lit, nil)
		if (at != nil) != tc.change {
			t.Errorf("%s; %s: CapturesMayChange = %v (%s), want %v", tc.lit, tc.after, at != nil, why, tc.change)
		}
	}
}

// TestMayPanic checks class 3: what may panic without a call, and a method value
// evaluated at a defer statement.
func TestMayPanic(t *testing.T) {
	for _, tc := range []struct {
		stmt  string
		panic bool
	}{
		{"x++", false},
		{"x = x / 2", false},
		{"x = x / x", true},
		{"x = sl[x]", true},
		{"x = a[2]", false},
		{"x = a[x]", true},
		{"x = ps.n", true},
		{"var e any = x; _ = e.(int)", true},
		{"var e any = x; _, _ = e.(int)", false},
		{"ch <- 1", true},
		{"var m map[int]int; m[1] = 2", true},
		{"_ = [3]int(sl)", true},
		{"for range seq {}", true},
		{"call()", true},
	} {
		_, info, _, _, _, after := load(t, "", "x", tc.stmt)
		var at ast.Node
		for _, s := range after {
			if n, _ := effects.MayPanic(info, s, nil); n != nil && at == nil {
				at = n
			}
		}
		if (at != nil) != tc.panic {
			t.Errorf("%s: MayPanic = %v, want %v", tc.stmt, at != nil, tc.panic)
		}
	}
	for _, tc := range []struct {
		before, call string
		panic        bool
	}{
		{"", "i.M()", true},          // a nil interface panics at the defer statement
		{"i.M()", "i.M()", false},    // ... unless just used
		{"", "ps.Ptr()", false},      // a pointer method does not dereference
		{"", "ps.Val()", true},       // a value method copies *ps
		{"", "ps.mu.Unlock()", true}, // reaches a field through ps
		{"ps.mu.Lock()", "ps.mu.Unlock()", false},
		{"", "fv()", false}, // a nil function value panics only when called
		{"", "fill(sl[x:])", true},
	} {
		stmts := "defer " + tc.call
		if tc.before != "" {
			stmts = tc.before + "; " + stmts
		}
		_, info, _, fn, _, after := load(t, "", "x", stmts)
		var d *ast.DeferStmt
		for _, st := range after {
			if ds, ok := st.(*ast.DeferStmt); ok {
				d = ds
			}
		}
		f := effects.NewFunc(info, fn, nil)
		at, why := effects.EvalMayPanic(info, d.Call, f.NonNilAt(d, f.After(d)))
		if (at != nil) != tc.panic {
			t.Errorf("%s; defer %s: EvalMayPanic = %v (%s), want %v", tc.before, tc.call, at != nil, why, tc.panic)
		}
	}
}

// TestRecover checks class 4: what may recover.
func TestRecover(t *testing.T) {
	for _, tc := range []struct {
		call string
		want effects.Recovery
	}{
		{"recover()", effects.Recovers},
		{"recovers()", effects.Recovers}, // a function of this package
		{"call()", effects.NoRecover},
		{"func() { recover() }()", effects.Recovers},   // a literal calling it directly
		{"func() { recovers() }()", effects.NoRecover}, // not directly: no effect
		{"i.M()", effects.Unknown},                     // through an interface
		{"fv()", effects.Unknown},                      // through a function value
		{"ps.mu.Unlock()", effects.NoRecover},          // the standard library, from the table
		{"template.New(\"\").Execute(nil, nil)", effects.NoRecover},
	} {
		pkg, info, file, _, _, after := load(t, "", "x", "defer "+tc.call)
		d := after[0].(*ast.DeferStmt)
		if d == nil {
			t.Fatal("no defer")
		}
		r := effects.New(pkg, info, []*ast.File{file}, nil)
		if got := r.Recover(d.Call); got != tc.want {
			t.Errorf("defer %s: %v, want %v", tc.call, got, tc.want)
		}
	}
}
