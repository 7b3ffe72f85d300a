package loopdefer

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
)

// More evidence for intent.go, each from the code alone, in tests as elsewhere:
//
//   - Calls that never return end the iteration as a return does: t.Fatal, t.FailNow,
//     t.Skip (runtime.Goexit: the test function returns), log.Fatal, os.Exit,
//     runtime.Goexit. A defer on the path to one waits for no further iteration.
//   - A count computed from constants and the lengths of tables never changed
//     (i < 2*len(cmds)) is as constant as a literal count.
//   - A table given several values, each bounded, is bounded by the largest: a variable
//     of the function or an unexported one of the package whose every value is a
//     literal, nil, another such table or a reslice of one (networks = []string{"tcp"}
//     on one branch, {"udp", "tcp"} on the other; probes = probes[:1] only shrinks it:
//     its capacity is a literal's); a map whose only writes are m[k] = v with a constant
//     k adds at most one element per distinct key (testfiles["x.go"] = deps), as long as
//     it goes nowhere it could grow unseen (passed to a function, aliased, stored,
//     returned): only ranged over, indexed, measured and deleted from.
//   - A select case receiving from a *time.Timer's channel, made before the loop,
//     runs at most once when the function resets the timer only after Stop reported it
//     had not fired (if t.Stop() { t.Reset(0) }) and never assigns it again: a timer
//     delivers one value per arming, and such a Reset only moves the one pending. Defers
//     only in that case wait one at most (net's dialParallel starts its fallback once).
//   - A benchmark's b.N loop (for i := 0; i < b.N; i++, for range b.N, for b.Loop())
//     whose body is nothing but defer statements measures deferring itself: the pile-up
//     is what the benchmark is about (runtime's BenchmarkDeferMany).
//   - A deferred call that recovers (a literal calling recover) in a loop of a function
//     that panics after the loop: the defer is there to stop that panic, which only a
//     call run at the function's return can (runtime's tests of defer in loops). One
//     that recovers per job (for _, j := range jobs { defer recoverJob(); j() }) with no
//     panic of the function's own stays a finding: its first panic ends the loop.
//   - A backstop: the iteration makes the deferred call itself (f.Close(), err =
//     f.Close(), w.Close()) later in the same statement list, with no continue between
//     and the value not reassigned, so every iteration that goes on to the next has
//     released what it acquired; the defer only covers the exits before that call (a
//     t.Fatal, a return). Nothing piles up but defer records.
//   - A fixed set: the loop ranges over what the package reads from its testdata
//     directory (a listing, filepath.Glob("testdata/*.dat"); an archive's entries,
//     zip.OpenReader("testdata/x.zip").File; a helper given such a path) or from a file
//     embedded with //go:embed. The go tool ignores testdata directories; what is in one
//     is shipped by the repository, not sized by a program's input, and the pile-up is
//     the same on every run: if it exhausted a limit, every run of that code would fail,
//     the first on its author's machine. Only the package's own testdata counts: a
//     relative path whose first element is testdata ("testdata/x", "./testdata"), read
//     by test code (a _test.go file, or a function given a *testing.T, B, F or a
//     testing.TB), which go test runs in the package's directory. Elsewhere a relative
//     path resolves against whatever directory the program runs in, and a path that
//     merely contains a testdata element (/srv/testdata, ../other/testdata, a directory
//     a caller names) is not what the package ships: they are input. For the same
//     reason a table that test code spells out (a literal, a table variable bounded as
//     below: test cases, a list of golden files) is a fixed set of any size there: its
//     rows are written in the repository as the files of testdata are. Outside tests
//     such a table gets only maxSmall; a count (range n, i < n) is not a table.

// neverReturns reports whether call never returns to its caller: it ends the goroutine
// (t.Fatal and the other testing.TB methods that call runtime.Goexit) or the program.
func neverReturns(info *types.Info, call *ast.CallExpr) bool {
	obj := deferutil.Callee(info, call)
	goexit := []string{"Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow"}
	return deferutil.IsMethod(obj, "testing", "common", goexit...) ||
		deferutil.IsMethod(obj, "testing", "TB", goexit...) ||
		deferutil.IsFunc(obj, "runtime", "Goexit") ||
		deferutil.IsFunc(obj, "os", "Exit") ||
		deferutil.IsFunc(obj, "log", "Fatal", "Fatalf", "Fatalln") ||
		deferutil.IsMethod(obj, "log", "Logger", "Fatal", "Fatalf", "Fatalln")
}

// addNeverReturning marks as ending the iteration, in ends, the expression statements of
// body that call a function that never returns.
func addNeverReturning(info *types.Info, body ast.Node, ends map[ast.Stmt]bool) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ExprStmt:
			if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok && neverReturns(info, call) {
				ends[n] = true
			}
		}
		return true
	})
}

// constExpr returns the value of an integer expression of constants, local variables
// never changed and lengths of tables never changed, combined with + - * /.
func (s *scope) constExpr(e ast.Expr) (int64, bool) {
	if v, ok := s.constInt(e); ok {
		return v, true
	}
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		if deferutil.IsBuiltin(s.pass.TypesInfo, e, "len") && len(e.Args) == 1 {
			n, _, ok := s.lenOf(e.Args[0])
			return n, ok
		}
	case *ast.BinaryExpr:
		x, ok1 := s.constExpr(e.X)
		y, ok2 := s.constExpr(e.Y)
		if !ok1 || !ok2 {
			return 0, false
		}
		switch e.Op {
		case token.ADD:
			return x + y, true
		case token.SUB:
			return x - y, true
		case token.MUL:
			return x * y, true
		case token.QUO:
			if y != 0 {
				return x / y, true
			}
		}
	}
	return 0, false
}

// backstop returns the call by which the iteration makes d's call itself, after d in the
// same statement list, with no continue between and the values it uses not reassigned,
// or nil.
func (s *scope) backstop(d *ast.DeferStmt) *ast.CallExpr {
	info := s.pass.TypesInfo
	if _, ok := ast.Unparen(d.Call.Fun).(*ast.FuncLit); ok {
		return nil
	}
	callee := deferutil.Callee(info, d.Call)
	if callee == nil {
		return nil
	}
	// The explicit call must release the same value: only variables and constants, no
	// fields (assigned anywhere) and no calls (evaluated again) in the deferred call.
	plain := true
	ast.Inspect(d.Call, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			plain = plain && n == d.Call
		case *ast.SelectorExpr:
			if sel, ok := info.Selections[n]; ok && sel.Kind() == types.FieldVal {
				plain = false
			}
		case *ast.IndexExpr, *ast.StarExpr, *ast.FuncLit:
			plain = false
		}
		return plain
	})
	if !plain {
		return nil
	}
	cur, ok := s.loop.FindNode(d)
	if !ok {
		return nil
	}
	list, ok := deferutil.StmtList(cur.Parent().Node())
	if !ok {
		return nil
	}
	i := 0
	for i < len(list) && list[i] != ast.Stmt(d) {
		i++
	}
	// The variables the deferred call uses: reassigned before the explicit call, the
	// call would release another value.
	var used []*types.Var
	ast.Inspect(d.Call, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := info.Uses[id].(*types.Var); ok && !v.IsField() {
				used = append(used, v)
			}
		}
		return true
	})
	exits, jumps := leaving(info, s.body, s.label)
	if jumps {
		return nil
	}
	want := types.ExprString(d.Call)
	for _, st := range list[min(i+1, len(list)):] {
		for e, k := range exits {
			if (k == exitContinue || k == exitOuter) && st.Pos() <= e.Pos() && e.Pos() < st.End() {
				return nil // this iteration may go on to the next without the call
			}
		}
		if call := sameCall(info, st, callee, want); call != nil {
			return call
		}
		for _, v := range used {
			if s.assignedIn(st, v) {
				return nil
			}
		}
	}
	return nil
}

// sameCall returns the call st makes as a statement of its own — f.Close(), err =
// f.Close(), if err := f.Close(); ... — when it calls callee and reads as want, or nil.
func sameCall(info *types.Info, st ast.Stmt, callee types.Object, want string) *ast.CallExpr {
	var e ast.Expr
	switch st := st.(type) {
	case *ast.ExprStmt:
		e = st.X
	case *ast.AssignStmt:
		if len(st.Rhs) == 1 {
			e = st.Rhs[0]
		}
	case *ast.IfStmt:
		if as, ok := st.Init.(*ast.AssignStmt); ok && len(as.Rhs) == 1 {
			e = as.Rhs[0]
		}
	}
	call, ok := ast.Unparen(orNil(e)).(*ast.CallExpr)
	if !ok || deferutil.Callee(info, call) != callee || types.ExprString(call) != want {
		return nil
	}
	return call
}

// fixedSet returns what a range over x reads from a fixed set the package ships — its
// testdata directory, a file embedded with //go:embed, a table a test spells out —
// described, or "".
func (s *scope) fixedSet(x ast.Expr) string {
	if w := s.shipped(x, 0); w != "" {
		return w
	}
	if !s.testCode() {
		return ""
	}
	if t, ok := s.pass.TypesInfo.TypeOf(x).Underlying().(*types.Basic); ok && t.Info()&types.IsInteger != 0 {
		return "" // range n: a count, not a table
	}
	if _, why, ok := s.lenOf(x); ok {
		return strings.TrimPrefix(why, "a range over ") + " spelled out in the test"
	}
	return ""
}

// shipped is fixedSet, depth calls or definitions away from the range.
func (s *scope) shipped(e ast.Expr, depth int) string {
	if depth > 4 {
		return ""
	}
	info := s.pass.TypesInfo
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		// A call given a path in testdata, or a value read from one: a listing, an
		// archive, a helper that opens one.
		for _, a := range e.Args {
			if p := s.testdataPath(a, 0); p != "" && s.testCode() {
				return "the contents of " + strconv.Quote(p)
			}
			if w := s.shipped(a, depth+1); w != "" {
				return w
			}
		}
		if sel, ok := ast.Unparen(e.Fun).(*ast.SelectorExpr); ok {
			if _, isPkg := info.Uses[identOf(sel.X)].(*types.PkgName); !isPkg {
				return s.shipped(sel.X, depth+1)
			}
		}
	case *ast.SelectorExpr: // zr.File
		return s.shipped(e.X, depth+1)
	case *ast.Ident:
		v, ok := info.Uses[e].(*types.Var)
		if !ok {
			return ""
		}
		if v.Parent() == v.Pkg().Scope() && s.embedded(v) {
			return "the contents of " + v.Name() + ", files embedded in the package"
		}
		if rhs := s.onlyValue(v); rhs != nil {
			return s.shipped(rhs, depth+1)
		}
	}
	return ""
}

// identOf returns e as an identifier, or nil.
func identOf(e ast.Expr) *ast.Ident {
	id, _ := ast.Unparen(e).(*ast.Ident)
	return id
}

// testdataPath returns the path e names when it is a constant path in the package's
// testdata directory (underTestdata), built from one ("testdata/" + name,
// filepath.Join("testdata", name)), or a variable ranging over a table of such paths, or
// "".
func (s *scope) testdataPath(e ast.Expr, depth int) string {
	return s.testdataPrefix(e, depth, false)
}

// testdataPrefix is testdataPath; with prefix set, text appended to the path must stay in
// the directory: "testdata" + name names testdataX, beside it, so a prefix naming the
// directory itself must end at a separator ("testdata/"; "testdata/go/" + "*.dat").
func (s *scope) testdataPrefix(e ast.Expr, depth int, prefix bool) string {
	if depth > 4 {
		return ""
	}
	info := s.pass.TypesInfo
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		if tv.Value.Kind() != constant.String {
			return ""
		}
		p := constant.StringVal(tv.Value)
		sep := strings.HasSuffix(p, "/") || strings.HasSuffix(p, `\`)
		if !underTestdata(p) || prefix && !sep && path.Clean(strings.ReplaceAll(p, `\`, "/")) == "testdata" {
			return ""
		}
		return p
	}
	switch e := ast.Unparen(e).(type) {
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return ""
		}
		// dir + "/" + name keeps dir's place; dir + name needs dir to end in one.
		tv, ok := info.Types[e.Y]
		sep := ok && tv.Value != nil && tv.Value.Kind() == constant.String && strings.HasPrefix(constant.StringVal(tv.Value), "/")
		return s.testdataPrefix(e.X, depth+1, !sep)
	case *ast.CallExpr:
		obj := deferutil.Callee(info, e)
		// Join cleans its result: "testdata/" comes out "testdata", no prefix.
		if (deferutil.IsFunc(obj, "path/filepath", "Join") || deferutil.IsFunc(obj, "path", "Join")) && len(e.Args) > 0 && !prefix {
			return s.testdataPrefix(e.Args[0], depth+1, false)
		}
	case *ast.Ident:
		v, ok := info.Uses[e].(*types.Var)
		if !ok {
			return ""
		}
		if rhs := s.onlyValue(v); rhs != nil {
			return s.testdataPrefix(rhs, depth+1, prefix)
		}
		// A range variable over a table of testdata paths.
		var p string
		ast.Inspect(s.fn.Node(), func(n ast.Node) bool {
			r, ok := n.(*ast.RangeStmt)
			if !ok || p != "" {
				return p == ""
			}
			if id, ok := orNil(r.Value).(*ast.Ident); ok && info.Defs[id] == v {
				var lit *ast.CompositeLit
				switch x := ast.Unparen(r.X).(type) {
				case *ast.CompositeLit:
					lit = x
				case *ast.Ident:
					if tv, ok := info.Uses[x].(*types.Var); ok {
						lit = s.literalValue(tv)
					}
				}
				if lit == nil || len(lit.Elts) == 0 {
					return false
				}
				for _, el := range lit.Elts {
					if q := s.testdataPrefix(el, depth+1, prefix); q == "" {
						return false
					} else if p == "" {
						p = q
					}
				}
			}
			return p == ""
		})
		return p
	}
	return ""
}

// underTestdata reports whether the slash- or backslash-separated path p is the
// package's testdata directory or in it, relative to the package's directory:
// "testdata", "./testdata/x.txt"; not "/srv/testdata", "../testdata", "testdata/../x".
func underTestdata(p string) bool {
	p = path.Clean(strings.ReplaceAll(p, `\`, "/"))
	return p == "testdata" || strings.HasPrefix(p, "testdata/")
}

// testCode reports whether the loop is in test code, which go test runs in the
// package's directory: a _test.go file, or a function given a *testing.T, B, F or a
// testing.TB (a test helper in another file).
func (s *scope) testCode() bool {
	return strings.HasSuffix(s.pass.Fset.File(s.loop.Node().Pos()).Name(), "_test.go") || s.inTest()
}

// onlyValue returns the expression a local variable of the function is defined with —
// the call, for x, err := f() — when it is never assigned again (=, op=, ++, --) nor has
// its address taken, or nil.
func (s *scope) onlyValue(v *types.Var) ast.Expr {
	info := s.pass.TypesInfo
	if !s.inFunc(v.Pos()) {
		return nil
	}
	var val ast.Expr
	changed := false
	ast.Inspect(s.fn.Node(), func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if info.Defs[name] == v {
					switch {
					case len(n.Values) == len(n.Names):
						val = n.Values[i]
					case len(n.Values) == 1:
						val = n.Values[0]
					}
				}
			}
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				if id, ok := ast.Unparen(l).(*ast.Ident); ok && info.Defs[id] == v {
					switch {
					case len(n.Lhs) == len(n.Rhs):
						val = n.Rhs[i]
					case len(n.Rhs) == 1:
						val = n.Rhs[0]
					}
				} else if is(info, l, v) {
					changed = true
				}
			}
		case *ast.IncDecStmt:
			changed = changed || is(info, n.X, v)
		case *ast.UnaryExpr:
			changed = changed || n.Op == token.AND && is(info, n.X, v)
		}
		return !changed
	})
	if changed {
		return nil
	}
	return val
}

// embedded reports whether the package variable v is declared with a //go:embed
// directive: its contents are files the package ships.
func (s *scope) embedded(v *types.Var) bool {
	for _, f := range s.pass.Files {
		if f.Pos() > v.Pos() || v.Pos() >= f.End() {
			continue
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR || v.Pos() < gd.Pos() || v.Pos() >= gd.End() {
				continue
			}
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				if v.Pos() < vs.Pos() || v.Pos() >= vs.End() {
					continue
				}
				for _, g := range []*ast.CommentGroup{gd.Doc, vs.Doc} {
					if g == nil {
						continue
					}
					for _, c := range g.List {
						if strings.HasPrefix(c.Text, "//go:embed ") {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// backstops returns why the loop's defers look intended when each is a backstop (the
// iteration makes its call itself), or nil.
func (s *scope) backstops() *refusal {
	var first *ast.CallExpr
	for _, d := range s.defers {
		call := s.backstop(d)
		if call == nil {
			return nil
		}
		if first == nil {
			first = call
		}
	}
	if first == nil {
		return nil
	}
	return intend(first, "the iteration makes the deferred call itself (%s, line %d) before it goes on to the next: the defer is a backstop for the exits before that, and nothing is held past the iteration", types.ExprString(first), s.pass.Fset.Position(first.Pos()).Line)
}

// fixedBound returns the range expression of a loop around the defers that ranges over a
// fixed set (fixedSet), and its description, when every loop around them is bounded by a
// constant count or by such a set (or runs the defer's iteration last); nil otherwise.
func (s *scope) fixedBound() (ast.Node, string) {
	var at ast.Node
	var what string
	for _, d := range s.defers {
		cur, found := s.loop.FindNode(d)
		if !found {
			return nil, ""
		}
		var inner ast.Node = d
		for _, l := range deferutil.Loops(cur, s.fn) {
			if s.leavesAfter(l, inner, d.End()) {
				inner = l.Node()
				continue
			}
			inner = l.Node()
			if r, ok := l.Node().(*ast.RangeStmt); ok {
				if w := s.fixedSet(r.X); w != "" {
					if at == nil {
						at, what = r.X, w
					}
					continue
				}
			}
			if _, _, ok := s.constCount(l.Node()); !ok {
				return nil, ""
			}
		}
	}
	return at, what
}

// tableBound is a cached result of tableLen.
type tableBound struct {
	n  int64
	ok bool
}

// tableLen returns the most elements v can hold when it is a table given only bounded
// values (see the evidence above); ok is false otherwise.
func (s *scope) tableLen(v *types.Var, depth int) (n int64, ok bool) {
	if b, ok := s.bounds[v]; ok {
		return b.n, b.ok
	}
	if s.bounds == nil {
		s.bounds = make(map[*types.Var]tableBound)
	}
	s.bounds[v] = tableBound{} // a table defined by itself (a = b; b = a) is not bounded
	if depth <= 3 {
		n, ok = s.findTableLen(v, depth)
	}
	s.bounds[v] = tableBound{n, ok}
	return n, ok
}

func (s *scope) findTableLen(v *types.Var, depth int) (int64, bool) {
	info := s.pass.TypesInfo
	// Another package may assign an exported variable, its external test package
	// included; a parameter, result or range variable is given its values elsewhere.
	if v.Pkg() == nil || v.Exported() && v.Parent() == v.Pkg().Scope() {
		return 0, false
	}
	_, isMap := v.Type().Underlying().(*types.Map)
	var (
		n       int64
		defined bool
		ok      = true
		litKeys = make(map[string]bool) // the constant keys of the map literals
		keys    = make(map[string]bool) // the constant keys of m[k] = v
	)
	// value weighs a value v is given.
	var value func(e ast.Expr)
	value = func(e ast.Expr) {
		switch e := ast.Unparen(e).(type) {
		case *ast.CompositeLit:
			if keyedSlice(info, e) {
				ok = false
				return
			}
			n = max(n, int64(len(e.Elts)))
			for _, el := range e.Elts {
				if kv, isKV := el.(*ast.KeyValueExpr); isKV && isMap {
					if tv := info.Types[kv.Key]; tv.Value != nil {
						litKeys[tv.Value.ExactString()] = true
					}
				}
			}
		case *ast.SliceExpr: // v[:k], w[:k]: at most the capacity, a literal's length
			if isMap {
				ok = false
			} else if !is(info, e.X, v) {
				value(e.X)
			}
		case *ast.Ident:
			if _, isNil := info.Uses[e].(*types.Nil); isNil {
				return
			}
			w, isVar := info.Uses[e].(*types.Var)
			if !isVar || w == v {
				ok = false
				return
			}
			if lit := s.literalValue(w); lit != nil && !isMap && !keyedSlice(info, lit) {
				n = max(n, int64(len(lit.Elts)))
				return
			}
			m, bounded := s.tableLen(w, depth+1)
			ok = ok && bounded
			n = max(n, m)
		default:
			ok = false
		}
	}
	for _, root := range s.declRoots(v) {
		ast.PreorderStack(root, nil, func(node ast.Node, stack []ast.Node) bool {
			if !ok {
				return false
			}
			switch node := node.(type) {
			case *ast.ValueSpec:
				for i, name := range node.Names {
					if info.Defs[name] != v {
						continue
					}
					defined = true
					switch len(node.Values) {
					case 0: // the zero value: empty
					case len(node.Names):
						value(node.Values[i])
					default:
						ok = false
					}
				}
			case *ast.AssignStmt:
				for i, l := range node.Lhs {
					id, isID := ast.Unparen(l).(*ast.Ident)
					if !isID || info.Defs[id] != v && info.Uses[id] != v {
						continue
					}
					defined = defined || info.Defs[id] == v
					if node.Tok != token.ASSIGN && node.Tok != token.DEFINE || len(node.Lhs) != len(node.Rhs) {
						ok = false
						return false
					}
					value(node.Rhs[i])
				}
			case *ast.Ident:
				if info.Uses[node] != v {
					return true
				}
				ok = s.tableUse(node, stack, isMap, keys)
			}
			return ok
		})
	}
	if !ok || !defined {
		return 0, false
	}
	for k := range keys {
		if !litKeys[k] {
			n++
		}
	}
	return n, true
}

// tableUse reports whether the use id of a table leaves its length bounded: for a slice
// anything but taking its address (assignments are weighed by findTableLen); for a map
// only ranging over it, reading, measuring or deleting from it, and writing a constant
// key, which it records in keys.
func (s *scope) tableUse(id *ast.Ident, stack []ast.Node, isMap bool, keys map[string]bool) bool {
	info := s.pass.TypesInfo
	parent := stack[len(stack)-1]
	if u, isUnary := parent.(*ast.UnaryExpr); isUnary && u.Op == token.AND {
		return false
	}
	if as, isAssign := parent.(*ast.AssignStmt); isAssign && slices.Contains(as.Lhs, ast.Expr(id)) {
		return true // weighed as an assignment
	}
	if r, isRange := parent.(*ast.RangeStmt); isRange && r.X != ast.Expr(id) {
		return false // for v = range ...: assigned
	}
	if !isMap {
		return true
	}
	switch p := parent.(type) {
	case *ast.RangeStmt:
		return true
	case *ast.IndexExpr:
		if p.X != ast.Expr(id) {
			return true
		}
		written := false
		if len(stack) >= 2 {
			switch g := stack[len(stack)-2].(type) {
			case *ast.AssignStmt:
				written = slices.Contains(g.Lhs, ast.Expr(p))
			case *ast.IncDecStmt:
				written = g.X == ast.Expr(p)
			}
		}
		if !written {
			return true
		}
		tv := info.Types[p.Index]
		if tv.Value == nil {
			return false // m[k] = v, k not constant: as many elements as keys
		}
		keys[tv.Value.ExactString()] = true
		return true
	case *ast.CallExpr:
		return deferutil.IsBuiltin(info, p, "len") || deferutil.IsBuiltin(info, p, "delete") && len(p.Args) > 0 && p.Args[0] == ast.Expr(id)
	case *ast.BinaryExpr:
		return true // m == nil
	}
	return false
}

// declRoots returns where a variable may be assigned: every file of the package for one
// of the package, the top-level declaration holding it for a local one.
func (s *scope) declRoots(v *types.Var) []ast.Node {
	var roots []ast.Node
	if v.Parent() == v.Pkg().Scope() {
		for _, f := range s.pass.Files {
			roots = append(roots, f)
		}
		return roots
	}
	for _, d := range s.file().Decls {
		if d.Pos() <= v.Pos() && v.Pos() < d.End() {
			roots = append(roots, d)
		}
	}
	return roots
}

// benchmarksDefers reports whether the loop is a benchmark's b.N loop whose body holds
// nothing but defer statements.
func (s *scope) benchmarksDefers() bool {
	for _, st := range s.body.List {
		if _, ok := st.(*ast.DeferStmt); !ok {
			return false
		}
	}
	info := s.pass.TypesInfo
	isN := func(e ast.Expr) bool { // b.N of a *testing.B
		sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
		if !ok {
			return false
		}
		v, ok := info.Uses[sel.Sel].(*types.Var)
		return ok && v.IsField() && v.Name() == "N" && v.Pkg() != nil && v.Pkg().Path() == "testing" && isTesting(info.TypeOf(sel.X))
	}
	switch l := s.loop.Node().(type) {
	case *ast.RangeStmt:
		return isN(l.X)
	case *ast.ForStmt:
		if call, ok := ast.Unparen(orNil(l.Cond)).(*ast.CallExpr); ok {
			return deferutil.IsMethod(deferutil.Callee(info, call), "testing", "B", "Loop")
		}
		cond, ok := ast.Unparen(orNil(l.Cond)).(*ast.BinaryExpr)
		return ok && (cond.Op == token.LSS || cond.Op == token.LEQ) && isN(cond.Y)
	}
	return false
}

// recoversOwnPanic returns a defer of the loop whose deferred literal calls recover, and
// a panic statement of the function after the loop (outside function literals), when
// there are both; nils otherwise.
func (s *scope) recoversOwnPanic() (*ast.DeferStmt, *ast.CallExpr) {
	info := s.pass.TypesInfo
	var rec *ast.DeferStmt
	for _, d := range s.defers {
		lit, ok := ast.Unparen(d.Call.Fun).(*ast.FuncLit)
		if !ok {
			continue
		}
		ast.Inspect(lit.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false // recover in a nested literal stops nothing
			case *ast.CallExpr:
				if deferutil.IsBuiltin(info, n, "recover") {
					rec = d
				}
			}
			return rec == nil
		})
		if rec != nil {
			break
		}
	}
	if rec == nil {
		return nil, nil
	}
	var p *ast.CallExpr
	end := s.loop.Node().End()
	ast.Inspect(s.fn.Node(), func(n ast.Node) bool {
		if p != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return n == s.fn.Node()
		case *ast.ExprStmt:
			if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok && n.Pos() >= end && deferutil.IsBuiltin(info, call, "panic") {
				p = call
			}
		}
		return true
	})
	if p == nil {
		return nil, nil
	}
	return rec, p
}

// timerOnce returns the channel t.C a select case around every defer of the loop receives
// from, when t is a *time.Timer that fires once in the function (see the evidence
// above), or nil.
func (s *scope) timerOnce() ast.Expr {
	info := s.pass.TypesInfo
	var ch ast.Expr
	var timer *types.Var
	for _, d := range s.defers {
		cur, ok := s.loop.FindNode(d)
		if !ok {
			return nil
		}
		var recv ast.Expr
		for c := cur.Parent(); c.Node() != s.loop.Node(); c = c.Parent() {
			cc, ok := c.Node().(*ast.CommClause)
			if !ok {
				continue
			}
			var x ast.Expr
			switch comm := cc.Comm.(type) {
			case *ast.ExprStmt:
				x = comm.X
			case *ast.AssignStmt:
				if len(comm.Rhs) == 1 {
					x = comm.Rhs[0]
				}
			}
			if u, ok := ast.Unparen(orNil(x)).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
				recv = u.X
			}
			break // the innermost select case decides
		}
		sel, ok := ast.Unparen(orNil(recv)).(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "C" {
			return nil
		}
		id, ok := ast.Unparen(sel.X).(*ast.Ident)
		if !ok {
			return nil
		}
		v, ok := info.Uses[id].(*types.Var)
		if !ok || !s.inFunc(v.Pos()) || v.Pos() >= s.loop.Node().Pos() || timer != nil && v != timer {
			return nil
		}
		ptr, ok := v.Type().(*types.Pointer)
		if !ok {
			return nil
		}
		if n, ok := ptr.Elem().(*types.Named); !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "time" || n.Obj().Name() != "Timer" {
			return nil
		}
		timer, ch = v, sel
	}
	if timer == nil {
		return nil
	}
	// Made by time.NewTimer and never assigned again; every Reset under if t.Stop().
	val := s.onlyValue(timer)
	mk, ok := ast.Unparen(orNil(val)).(*ast.CallExpr)
	if !ok || !deferutil.IsFunc(deferutil.Callee(info, mk), "time", "NewTimer") {
		return nil
	}
	once := true
	fn := s.fn.Node()
	ast.PreorderStack(fn, nil, func(n ast.Node, stack []ast.Node) bool {
		// The timer goes nowhere a Reset could hide: only t.C, t.Stop and t.Reset.
		if id, ok := n.(*ast.Ident); ok && info.Uses[id] == timer {
			sel, ok := stack[len(stack)-1].(*ast.SelectorExpr)
			once = ok && sel.X == ast.Expr(id) && slices.Contains([]string{"C", "Stop", "Reset"}, sel.Sel.Name)
			if once && sel.Sel.Name == "Reset" { // called, not a method value
				call, isCall := stack[len(stack)-2].(*ast.CallExpr)
				once = isCall && call.Fun == ast.Expr(sel)
			}
			return once
		}
		call, ok := n.(*ast.CallExpr)
		if !once || !ok || !deferutil.IsMethod(deferutil.Callee(info, call), "time", "Timer", "Reset") {
			return once
		}
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok || !is(info, sel.X, timer) {
			return true // another timer's
		}
		once = false
		for i := len(stack) - 1; i >= 0 && !once; i-- {
			switch p := stack[i].(type) {
			case *ast.FuncLit:
				return false // a literal may run at any time
			case *ast.IfStmt:
				once = p.Body.Pos() <= call.Pos() && call.Pos() < p.Body.End() && s.stopsFirst(p.Cond, timer)
			}
		}
		return once
	})
	if !once {
		return nil
	}
	return ch
}

// stopsFirst reports whether cond is true only when t.Stop() returned true: the call
// itself, or a conjunction with it.
func (s *scope) stopsFirst(cond ast.Expr, t *types.Var) bool {
	info := s.pass.TypesInfo
	switch c := ast.Unparen(cond).(type) {
	case *ast.CallExpr:
		sel, ok := ast.Unparen(c.Fun).(*ast.SelectorExpr)
		return ok && is(info, sel.X, t) && deferutil.IsMethod(deferutil.Callee(info, c), "time", "Timer", "Stop")
	case *ast.BinaryExpr:
		return c.Op == token.LAND && (s.stopsFirst(c.X, t) || s.stopsFirst(c.Y, t))
	}
	return false
}
