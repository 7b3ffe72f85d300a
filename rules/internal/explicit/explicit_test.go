package explicit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"

	"github.com/deferfix/deferfix/rules/internal/explicit"
)

// The function each case's body is placed in, after c.mu.Lock(); defer c.mu.Unlock().
const src = `package p

type Mutex struct{}

func (*Mutex) Lock()   {}
func (*Mutex) Unlock() {}

func (T) Report() {}

type T struct {
	A     int
	mu    Mutex
	items map[string]int
	p     *T
}

type E struct{ embedded *T }

func f() int { return 0 }

var G int

func fill([]int) {}

func (*T) Set() {}

type I interface{ M() }

func seq(func() bool) {}

func record(int) {}

func g(x, y int, u uint, n int, sl []int, s string, m map[string]int, mi map[any]int, i, a, b any, p, c *T, ch chan int, arr [4]int, e E, sv T, ii I, ri I) (r int) {
	DEFER
	BODY
	return
}
`

// TestProof checks, statement by statement, what the proof accepts (""), what it
// cannot show panic-free ("may panic") and what makes explicit calls differ outright
// ("refused").
func TestProof(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		// Accepted.
		{"x++", ""},
		{"y = x*2 + y", ""},
		{"var t string = s + \"b\"; _ = t", ""},
		{"v := m[s]; _ = v", ""},
		{"v, ok := m[s]; _, _ = v, ok", ""},
		{"r = len(c.items)", ""},
		{"c.A++", ""},
		{"v, ok := i.(int); _, _ = v, ok", ""},
		{"r = arr[3]", ""},
		{"r = x / 2", ""},
		{"r = x << 3", ""},
		{"r = x << u", ""},
		{"if i == nil { return }", ""},
		{"switch x { case 1: r = 1; case 2: return 2 }", ""},
		{"for j := range 10 { r += j }", ""},
		{"for _, v := range sl { r += v }", ""},
		{"for k := range m { _ = k }", ""},
		{"w := T{A: 1}; _ = w", ""},
		{"var z float64 = float64(x); _ = z", ""},
		{"var z any = any(x); _ = z", ""},
		{"h := func() { f() }; _ = h", ""},
		{"sl = append(sl, 1)", ""},
		{"switch i.(type) { case int: r = 1 }", ""},
		{"for { if x > 0 { break }; x++ }", ""},
		// May panic.
		{"r = f()", "may panic: the call f may panic"},
		{"r = sl[x]", "may panic: the index sl[x] may be out of range"},
		{"r = int(s[x])", "may panic: the index s[x] may be out of range"},
		{"m[s] = 1", "may panic: writing to a map panics when it is nil"},
		{"m[s]++", "may panic: writing to a map panics when it is nil"},
		{"r = x / y", "may panic: the division may be by zero"},
		{"x %= y", "may panic: the division may be by zero"},
		{"r = x << n", "may panic: a shift by a negative count panics"},
		{"r = i.(int)", "may panic: the type assertion i.(int) may panic"},
		{"if a == b { return }", "may panic: comparing interfaces may panic"},
		{"switch i { case a: return }", "may panic: comparing interfaces may panic"},
		{"r = p.A", "may panic: p may be nil"},
		{"r = len(c.p.items)", "may panic: c.p may be nil"},
		{"r = e.embedded.A", "may panic: e.embedded may be nil"},
		{"r = <-ch", "may panic: the proof does not cover channel operations"},
		{"ch <- 1", "may panic: the proof does not cover this statement"},
		{"go record(1)", "may panic: the proof does not cover this statement"},
		{"r = mi[i]", "may panic: hashing an interface key may panic"},
		{"panic(1)", "may panic: the region calls panic"},
		{"for range sl { f() }", "may panic: the call f may panic"},
		// Refused.
		{"defer record(1)", "refused: another defer follows in the region"},
		{"goto L; L: r = 1", "refused: a goto in the region"},
		{"c = p", "refused: the deferred function may change before the region ends"},
		{"if p != nil { c := p; return c.A }", "refused: c means something else at an exit"},
	} {
		got := check(t, "c.mu.Lock(); defer c.mu.Unlock()", tc.body)
		if !matches(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.body, got, tc.want)
		}
	}
	for _, tc := range []struct{ deferStmt, body, want string }{
		{"defer record(x)", "x++", "refused: a deferred argument may change before the region ends"},
		{"defer record(x)", "y++", ""},
		{"defer record(f())", "y++", "refused: a deferred argument may change before the region ends"},
		{"defer func() { _ = recover() }()", "y++", "refused: the deferred call recovers panics"},
		{"defer func() { r++ }()", "return 1", "refused: the deferred call may change the named results after return sets them"},
		{"defer func() { y++ }()", "if x > 0 { return 1 }", "refused: the deferred literal would be copied to every exit"},
		{"defer record(y)", "q := &y; _ = q", ""}, // nothing writes through q in the region
		{"defer record(y)", "q := &y; *q = 2", "refused: a deferred argument may change before the region ends: y may change"},
		{"defer record(y)", "q := &y; _ = q; f()", "refused: a deferred argument may change before the region ends: y may change"},
		{"defer record(arr[0])", "fill(arr[:])", "refused: a deferred argument may change before the region ends: arr may change"},
		{"defer record(sv.A)", "sv.Set()", "refused: a deferred argument may change before the region ends: sv may change"},
		{"defer record(G)", "f()", "refused: a deferred argument may change before the region ends: G may change"},
		{"defer record(G)", "<-ch", "refused: a deferred argument may change before the region ends: G may change"},
		{"defer record(p.A)", "c.A = 3", "refused: a deferred argument may change before the region ends: p.A is read through a pointer"},
		{"defer record(y)", "for range seq { x++ }", "may panic: ranging over seq may panic"}, // y is not reachable by the iterator
		{"defer record(G)", "for range seq { x++ }", "refused: a deferred argument may change before the region ends: G may change"},
		{"h := func() { y = 2 }; defer record(y)", "h()", "refused: a deferred argument may change before the region ends: y may change"},
		{"defer ii.M()", "x++", "may panic: the method value ii.M panics at the defer statement when ii is nil"},
		{"ii.M(); defer ii.M()", "x++", ""},
		{"defer record(sl[x])", "y++", "may panic: the index sl[x] may be out of range"},
		{"defer ri.M()", "x++", "may panic: the method value ri.M panics at the defer statement"},
		{"defer c.mu.Unlock()", "x++", "may panic: c may be nil; explicit calls would move the panic to the exit"},
		{"defer record(sv.A)", "sv.A = 2", "refused: a deferred argument may change before the region ends"},
		{"defer record(arr[1])", "arr[1]++", "refused: a deferred argument may change before the region ends"},
		{"defer record(sv.A)", "sv.p = nil", "refused: a deferred argument may change before the region ends"},
		{"defer record(sv.A)", "w := sv; w.A = 2", ""},
		{"defer c.Report()", "y++", "may panic: the method value c.Report copies *c, which panics when it is nil"},
		{"c.Report(); defer c.Report()", "y++", ""},
		{"c.Report(); defer c.Report()", "c.A = 2", "refused: the deferred function may change before the region ends"},
		{"defer sv.Report()", "y++", ""},
		{"defer sv.Report()", "sv.A = 2", "refused: the deferred function may change before the region ends"},
	} {
		got := check(t, tc.deferStmt, tc.body)
		if !matches(got, tc.want) {
			t.Errorf("%s; %s:\n got %q\nwant %q", tc.deferStmt, tc.body, got, tc.want)
		}
	}
}

// matches reports whether got is want, or want followed by its details.
func matches(got, want string) bool {
	return got == want || want != "" && strings.HasPrefix(got, want)
}

func check(t *testing.T, deferStmt, body string) string {
	t.Helper()
	pkg, info, fn := load(t, deferStmt, body)
	var d *ast.DeferStmt
	for _, s := range fn.Body.List {
		if ds, ok := s.(*ast.DeferStmt); ok && d == nil {
			d = ds
		}
	}
	r := &explicit.Region{Pkg: pkg, Info: info, Fn: fn, Block: fn.Body, Defer: d}
	plan := r.Check()
	switch {
	case plan.Refused != "":
		return "refused: " + plan.Refused
	case plan.MayPanic != "":
		return "may panic: " + plan.MayPanic
	}
	return ""
}

// load type-checks src with the defer statement and body in place, and returns g.
func load(t *testing.T, deferStmt, body string) (*types.Package, *types.Info, *ast.FuncDecl) {
	t.Helper()
	text := strings.Replace(strings.Replace(src, "DEFER", deferStmt, 1), "BODY", body, 1)
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "p.go", text, 0)
	if err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	info := &types.Info{
		Types:      make(map[ast.Expr]types.TypeAndValue),
		Defs:       make(map[*ast.Ident]types.Object),
		Uses:       make(map[*ast.Ident]types.Object),
		Selections: make(map[*ast.SelectorExpr]*types.Selection),
		Scopes:     make(map[ast.Node]*types.Scope),
	}
	pkg, err := (&types.Config{}).Check("p", fset, []*ast.File{file}, info)
	if err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	for _, d := range file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "g" {
			return pkg, info, fd
		}
	}
	t.Fatal("no func g")
	return nil, nil, nil
}

// TestLater checks that a later defer the caller rewrites too does not refuse the region.
func TestLater(t *testing.T) {
	pkg, info, fn := load(t, "c.mu.Lock(); defer c.mu.Unlock()", "p.mu.Lock(); defer p.mu.Unlock(); x++")
	var defers []*ast.DeferStmt
	for _, s := range fn.Body.List {
		if ds, ok := s.(*ast.DeferStmt); ok {
			defers = append(defers, ds)
		}
	}
	if len(defers) != 2 {
		t.Fatalf("found %d defers, want 2", len(defers))
	}
	alone := &explicit.Region{Pkg: pkg, Info: info, Fn: fn, Block: fn.Body, Defer: defers[0]}
	if got := alone.Check().Refused; got != "another defer follows in the region" {
		t.Errorf("without Later: refused %q, want another defer follows in the region", got)
	}
	with := &explicit.Region{Pkg: pkg, Info: info, Fn: fn, Block: fn.Body, Defer: defers[0], Later: defers[1:]}
	if got := with.Check(); got.Refused != "" || got.MayPanic != "the call p.mu.Lock may panic" {
		t.Errorf("with Later: %+v, want accepted, with p.mu.Lock that may panic", got)
	}
}
