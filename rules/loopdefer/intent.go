package loopdefer

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/effects"
)

// Intended loops. A defer in a loop is a problem when deferred calls pile up: many
// iterations, each holding what it acquired while later ones run. Where the code shows
// the pile-up cannot happen or is the point, the finding looks intended (fixes.Intended:
// not reported unless asked) — and the fix would break it: a test that opens N
// connections and asserts the server counts N, or connects until a server-side limit
// refuses one, needs every connection open when it asserts. The evidence, weighed per
// loop body:
//
//   - How the loop is bounded. Once: every iteration that reaches the defer leaves the
//     loop (a break or return ends it), so one call waits at most — retry loops. Constant
//     and small: a range over a composite literal (or a local or package variable holding
//     one and never assigned again), an array, a constant integer, or i from one constant
//     to another, at most maxSmall iterations in all (enclosing loops multiply). Input-
//     sized and unbounded loops give no evidence either way.
//   - Whether the iteration uses what it acquired. A body that acquires, defers the
//     release and never touches the value otherwise (a nil check aside) only holds it:
//     for _, a := range addrs { c := dial(a); defer c.Close() }. One that reads it, before
//     or after the defer, is done with it by the iteration's end.
//   - Whether code after the loop observes what the loop holds: it refers to the loop's
//     constant count again (checkClients(t, s, n) after for i := 0; i < n; i++), or the
//     loop runs until acquiring fails and the code after it reads what the loop counted or
//     the error that stopped it (connect until the server's limit refuses, then assert the
//     count). A count that is a parameter gives no such evidence: the loop is input-sized.
//     In a test (a function given a *testing.T, B or F, or a testing.TB), the code after
//     the loop using again the value the loop acquires from (c := s.Dial() in the loop,
//     s.NumClients() after it) is that too: what follows a loop in a test asserts, and a
//     test that holds N connections asserts on what holds the other end. Outside tests
//     the same shape is ordinary (rows := db.Query(q) in the loop, db used after it) and
//     gives no evidence.
//
// evidence.go adds calls that never return, counts computed from table lengths,
// backstops and fixed sets (testdata, embedded files).
//
// A lock taken on the same mutex in every iteration is never intended unless the loop
// runs once: the second iteration deadlocks. Input-sized loops that use what they
// acquire — a file per row of a table read from disk, a connection per request — stay
// findings, in tests as elsewhere.

// maxSmall is the most iterations a constant bound may allow for the loop to look
// intended: 16 pending calls hold 16 descriptors, far below the lowest default limit
// (256 on macOS; 1024 on Linux), even with a few parallel tests doing the same, and 16
// heap-allocated defer records cost well under a microsecond. Test tables and fixed
// lists of ports, files or modes are this size.
const maxSmall = 16

// intent returns why the loop's defers look intended, or nil.
func (s *scope) intent() *refusal {
	deadlocks := false
	for _, d := range s.defers {
		deadlocks = deadlocks || s.sameLock(d)
	}
	if n, why, ok := s.bound(); ok {
		switch {
		case n <= 1 && why != "":
			return intend(s.loop.Node(), "the loop runs at most once (%s), so at most one deferred call waits for the function's return", why)
		case n <= 1:
			return intend(s.defers[0], "every iteration that reaches the defer leaves the loop, so at most one deferred call waits for the function's return")
		case n <= maxSmall && !deadlocks:
			return intend(s.loop.Node(), "the loop runs at most %d times (%s), so at most %d deferred calls wait for the function's return", n, why, n)
		}
	}
	if deadlocks {
		return nil
	}
	if t := s.timerOnce(); t != nil {
		return intend(s.defers[0], "the defer runs only on a receive from %s, a timer that fires once (it is reset only after Stop reports it had not fired), so at most one deferred call waits for the function's return", types.ExprString(t))
	}
	if s.benchmarksDefers() {
		return intend(s.loop.Node(), "the loop is a benchmark's b.N loop and holds nothing but the defers: it measures what deferring costs")
	}
	if d, p := s.recoversOwnPanic(); d != nil {
		return intend(d, "the deferred call recovers the panic the function raises after the loop (line %d): it has to run at the function's return, not at the iteration's end", s.pass.Fset.Position(p.Pos()).Line)
	}
	if r := s.backstops(); r != nil {
		return r
	}
	if at, what := s.fixedBound(); at != nil {
		return intend(at, "the loop ranges over %s, a fixed set shipped with the code, not sized by input: the deferred calls pile up the same on every run", what)
	}
	// A change undone or restored at the return says more than that nothing uses it.
	for _, d := range s.defers {
		if r := s.checkUndo(d); r != nil {
			return r
		}
		if r := s.checkRestore(d); r != nil {
			return r
		}
	}
	var held []string
	for _, d := range s.defers {
		roots := s.released(d)
		if !resource(roots) || s.used(roots) {
			held = nil
			break
		}
		held = append(held, names(roots))
	}
	if len(held) > 0 {
		return intend(s.defers[0], "the iteration does nothing with %s but acquire it and defer its release: it is held open on purpose until the function returns", strings.Join(held, ", "))
	}
	if at, what := s.countObserved(); at != nil {
		return intend(at, "the code after the loop refers to its count %s again: the loop holds what it acquires for that code to observe", what)
	}
	if at, what := s.untilFails(); at != nil {
		return intend(at, "the loop runs until acquiring fails and the code after it reads %s: it holds each one open on purpose, until a limit refuses one", what)
	}
	if at, what := s.sourceObserved(); at != nil {
		return intend(at, "a test that asks %s, which the loop acquires from, again after the loop: it holds what it acquires for that assertion", what)
	}
	return nil
}

// sameLock reports whether d unlocks the same mutex in every iteration (the next
// iteration's Lock deadlocks).
func (s *scope) sameLock(d *ast.DeferStmt) bool {
	obj := deferutil.Callee(s.pass.TypesInfo, d.Call)
	return obj != nil && message(s.pass.TypesInfo, s.loop.Node(), d) == sprintf(msgUnlock, obj.Name())
}

// bound returns how many times, at most, the loops around the defers let them run before
// the function returns, and how it knows; ok is false when some loop gives no bound.
func (s *scope) bound() (n int64, why string, ok bool) {
	for _, d := range s.defers {
		cur, found := s.loop.FindNode(d)
		if !found {
			return 0, "", false
		}
		m := int64(1)
		var inner ast.Node = d
		var whys []string
		for _, l := range deferutil.Loops(cur, s.fn) {
			if s.leavesAfter(l, inner, d.End()) {
				inner = l.Node()
				continue
			}
			k, w, ok := s.constCount(l.Node())
			if !ok {
				return 0, "", false
			}
			m *= k
			if m > maxSmall {
				return m, "", true
			}
			whys = append(whys, w)
			inner = l.Node()
		}
		if m > n {
			n, why = m, strings.Join(whys, ", in ")
		}
	}
	return n, why, true
}

// leavesAfter reports whether every path of loop's iteration that reaches n (a statement
// in its body: the defer, or the inner loop holding it) leaves the loop — breaks it,
// returns, panics — so the iteration that runs n is the last: no continue of the loop
// follows from (the defer's end; a labelled continue in an inner loop counts), and a
// statement after n, in n's block or one enclosing it, never completes.
func (s *scope) leavesAfter(loop inspector.Cursor, n ast.Node, from token.Pos) bool {
	info := s.pass.TypesInfo
	body, label := loopBody(info, loop)
	exits, jumps := leaving(info, body, label)
	if jumps {
		return false
	}
	for st, k := range exits {
		if k == exitContinue && st.Pos() > from {
			return false
		}
	}
	cur, ok := loop.FindNode(n)
	if !ok {
		return false
	}
	ends := make(map[ast.Stmt]bool)
	for st, k := range exits {
		ends[st] = k != exitContinue
	}
	addNeverReturning(info, body, ends)
	for c := cur; c.Node() != body; c = c.Parent() {
		list, ok := deferutil.StmtList(c.Parent().Node())
		if !ok {
			continue
		}
		i := 0
		for i < len(list) && list[i] != c.Node() {
			i++
		}
		for _, st := range list[min(i+1, len(list)):] {
			if breaksOther(st, ends) {
				return false // control may leave this list for the rest of the body
			}
			if deferutil.Terminating(info, st, ends) {
				return true
			}
		}
	}
	return false
}

// breaksOther reports whether st holds a break that leaves a statement inside the loop
// body (a switch or select around st) rather than the loop: control then goes on in the
// body.
func breaksOther(st ast.Stmt, ends map[ast.Stmt]bool) bool {
	found := false
	var walk func(n ast.Node, nested bool)
	walk = func(root ast.Node, nested bool) {
		ast.Inspect(root, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				if n != root {
					walk(n, true)
					return false
				}
			case *ast.BranchStmt:
				if n.Tok == token.BREAK && !ends[n] && (n.Label != nil || !nested) {
					found = true
				}
			}
			return !found
		})
	}
	walk(st, false)
	return found
}

// loopBody returns the body and label of a for or range statement.
func loopBody(info *types.Info, loop inspector.Cursor) (*ast.BlockStmt, *types.Label) {
	var label *types.Label
	if ls, ok := loop.Parent().Node().(*ast.LabeledStmt); ok {
		label, _ = info.Defs[ls.Label].(*types.Label)
	}
	switch l := loop.Node().(type) {
	case *ast.ForStmt:
		return l.Body, label
	case *ast.RangeStmt:
		return l.Body, label
	}
	return nil, label
}

// leaving returns the statements of body that leave the loop's iteration early, by kind
// (as collectExits classifies them), and whether body holds a goto, which could run a
// statement again.
func leaving(info *types.Info, body *ast.BlockStmt, label *types.Label) (exits map[ast.Stmt]exitKind, jumps bool) {
	exits = make(map[ast.Stmt]exitKind)
	inBody := func(p token.Pos) bool { return body.Pos() <= p && p < body.End() }
	var walk func(n ast.Node, nestedLoop, nestedBreakable bool)
	walk = func(root ast.Node, nestedLoop, nestedBreakable bool) {
		ast.Inspect(root, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ForStmt, *ast.RangeStmt:
				if n != root {
					walk(n, true, true)
					return false
				}
			case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				if n != root {
					walk(n, nestedLoop, true)
					return false
				}
			case *ast.ReturnStmt:
				exits[n] = exitReturn
			case *ast.BranchStmt:
				var target *types.Label
				if n.Label != nil {
					target, _ = info.Uses[n.Label].(*types.Label)
				}
				switch {
				case n.Tok == token.GOTO:
					jumps = true
				case n.Tok == token.FALLTHROUGH || target != nil && inBody(target.Pos()):
				case target == nil && n.Tok == token.BREAK && !nestedBreakable,
					target != nil && target == label && n.Tok == token.BREAK:
					exits[n] = exitBreak
				case target == nil && n.Tok == token.CONTINUE && !nestedLoop,
					target != nil && target == label && n.Tok == token.CONTINUE:
					exits[n] = exitContinue
				case target != nil:
					exits[n] = exitOuter
				}
			}
			return true
		})
	}
	walk(body, false, false)
	return exits, jumps
}

// constCount returns how many iterations loop runs at most, when its bound is a constant,
// with a description; ok is false otherwise.
func (s *scope) constCount(loop ast.Node) (n int64, why string, ok bool) {
	info := s.pass.TypesInfo
	switch l := loop.(type) {
	case *ast.RangeStmt:
		return s.lenOf(l.X)
	case *ast.ForStmt:
		// for i := a; i < b; i++ (or <=, or i--, i > b), i not assigned in the body.
		init, ok1 := l.Init.(*ast.AssignStmt)
		cond, ok2 := ast.Unparen(orNil(l.Cond)).(*ast.BinaryExpr)
		post, ok3 := l.Post.(*ast.IncDecStmt)
		if !ok1 || !ok2 || !ok3 || init.Tok != token.DEFINE || len(init.Lhs) != 1 || len(init.Rhs) != 1 {
			return 0, "", false
		}
		id, ok := init.Lhs[0].(*ast.Ident)
		if !ok {
			return 0, "", false
		}
		i, _ := info.Defs[id].(*types.Var)
		if x, ok := ast.Unparen(cond.X).(*ast.Ident); !ok || i == nil || info.Uses[x] != i || !is(info, post.X, i) || s.assignedIn(l.Body, i) {
			return 0, "", false
		}
		from, ok1 := s.constInt(init.Rhs[0])
		to, ok2 := s.constExpr(cond.Y) // i < len(tests), a table never changed; 2*len(tests)
		if !ok1 || !ok2 {
			return 0, "", false
		}
		switch {
		case post.Tok == token.INC && cond.Op == token.LSS:
			n = to - from
		case post.Tok == token.INC && cond.Op == token.LEQ:
			n = to - from + 1
		case post.Tok == token.DEC && cond.Op == token.GTR:
			n = from - to
		case post.Tok == token.DEC && cond.Op == token.GEQ:
			n = from - to + 1
		default:
			return 0, "", false
		}
		return max(n, 0), sprintf("%s from %s to %s", id.Name, types.ExprString(init.Rhs[0]), types.ExprString(cond.Y)), true
	}
	return 0, "", false
}

func orNil(e ast.Expr) ast.Expr {
	if e == nil {
		return &ast.BadExpr{}
	}
	return e
}

// lenOf returns the number of iterations of a range over x when it is constant.
func (s *scope) lenOf(x ast.Expr) (int64, string, bool) {
	info := s.pass.TypesInfo
	if v, ok := s.constInt(x); ok {
		return v, "a range over " + types.ExprString(x), true
	}
	t := info.TypeOf(x)
	if t == nil {
		return 0, "", false
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	if a, ok := t.Underlying().(*types.Array); ok {
		return a.Len(), sprintf("a range over a %d-element array", a.Len()), true
	}
	switch x := ast.Unparen(x).(type) {
	case *ast.CompositeLit:
		if keyedSlice(info, x) {
			return 0, "", false
		}
		return int64(len(x.Elts)), sprintf("a range over a %d-element literal", len(x.Elts)), true
	case *ast.Ident:
		v, ok := info.Uses[x].(*types.Var)
		if !ok {
			return 0, "", false
		}
		if _, isMap := v.Type().Underlying().(*types.Map); !isMap { // m[k] = v grows a map without assigning m
			if lit := s.literalValue(v); lit != nil && !keyedSlice(info, lit) {
				return int64(len(lit.Elts)), sprintf("a range over %s, a %d-element literal", x.Name, len(lit.Elts)), true
			}
		}
		if n, ok := s.tableLen(v, 0); ok {
			return n, sprintf("a range over %s, a table of at most %d elements", x.Name, n), true
		}
	}
	return 0, "", false
}

// keyedSlice reports whether lit is a slice literal with indices ([]T{9: x}): its length
// is not its number of elements.
func keyedSlice(info *types.Info, lit *ast.CompositeLit) bool {
	if _, ok := info.TypeOf(lit).Underlying().(*types.Slice); !ok {
		return false
	}
	for _, e := range lit.Elts {
		if _, ok := e.(*ast.KeyValueExpr); ok {
			return true
		}
	}
	return false
}

// literalValue returns the composite literal v is declared with, when v is never
// assigned again nor has its address taken: its length is the literal's.
func (s *scope) literalValue(v *types.Var) *ast.CompositeLit {
	if lit, ok := s.tables[v]; ok {
		return lit
	}
	lit := s.findLiteral(v)
	if s.tables != nil {
		s.tables[v] = lit
	}
	return lit
}

func (s *scope) findLiteral(v *types.Var) *ast.CompositeLit {
	var lit *ast.CompositeLit
	changed := false
	info := s.pass.TypesInfo
	// A package-level table may be set anywhere in the package; a local one only in the
	// top-level declaration that declares it (searching the whole file for each loop made
	// a file of many loops cost its size times their number).
	var roots []ast.Node
	if v.Parent() == v.Pkg().Scope() {
		for _, f := range s.pass.Files {
			roots = append(roots, f)
		}
	} else {
		if d := deferutil.DeclAt(s.file(), v.Pos()); d != nil && v.Pos() < d.End() {
			roots = append(roots, d)
		}
	}
	for _, f := range roots {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if info.Defs[name] == v && len(n.Values) == len(n.Names) {
						lit, _ = ast.Unparen(n.Values[i]).(*ast.CompositeLit)
					}
				}
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					if id, ok := ast.Unparen(l).(*ast.Ident); ok && info.Defs[id] == v && n.Tok == token.DEFINE && len(n.Lhs) == len(n.Rhs) {
						lit, _ = ast.Unparen(n.Rhs[i]).(*ast.CompositeLit)
					} else if is(info, l, v) {
						changed = true
					}
				}
			case *ast.UnaryExpr:
				if n.Op == token.AND && is(info, n.X, v) {
					changed = true
				}
			}
			return !changed
		})
	}
	if changed {
		return nil
	}
	return lit
}

// constInt returns the value of an integer constant expression, or of a local variable
// declared with one and never assigned again.
func (s *scope) constInt(e ast.Expr) (int64, bool) {
	info := s.pass.TypesInfo
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		if tv.Value.Kind() == constant.Int {
			return constant.Int64Val(tv.Value)
		}
		return 0, false
	}
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return 0, false
	}
	v, ok := info.Uses[id].(*types.Var)
	if !ok {
		return 0, false
	}
	val := s.onlyValue(v)
	if val == nil {
		return 0, false
	}
	if tv, ok := info.Types[val]; ok && tv.Value != nil && tv.Value.Kind() == constant.Int {
		return constant.Int64Val(tv.Value)
	}
	return 0, false
}

// is reports whether e is the variable v.
func is(info *types.Info, e ast.Expr, v *types.Var) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && info.Uses[id] == v
}

// assignedIn reports whether n assigns v or takes its address.
func (s *scope) assignedIn(n ast.Node, v *types.Var) bool {
	info := s.pass.TypesInfo
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.AssignStmt:
			for _, l := range m.Lhs {
				found = found || is(info, l, v)
			}
		case *ast.IncDecStmt:
			found = found || is(info, m.X, v)
		case *ast.UnaryExpr:
			found = found || m.Op == token.AND && is(info, m.X, v)
		}
		return !found
	})
	return found
}

// released returns the variables that hold what d releases: those of the body (or
// assigned in it before d) that the deferred call refers to, with the values declared
// together with them (ctx with cancel) and those derived from them (bufio.NewWriter(f)).
func (s *scope) released(d *ast.DeferStmt) map[*types.Var]bool {
	info := s.pass.TypesInfo
	assigned := make(map[*types.Var]bool)
	ast.Inspect(s.body, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok && as.Pos() < d.Pos() {
			for _, l := range as.Lhs {
				if id, ok := ast.Unparen(l).(*ast.Ident); ok {
					if v, ok := info.ObjectOf(id).(*types.Var); ok {
						assigned[v] = true
					}
				}
			}
		}
		return true
	})
	roots := make(map[*types.Var]bool)
	ast.Inspect(d.Call, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := info.Uses[id].(*types.Var); ok && !v.IsField() && s.inFunc(v.Pos()) && !(d.Pos() <= v.Pos() && v.Pos() < d.End()) && (s.inBody(v.Pos()) || assigned[v]) {
				roots[v] = true
			}
		}
		return true
	})
	if len(roots) == 0 {
		return roots
	}
	s.addSiblings(roots)
	s.addDerived(roots)
	s.addSources(roots)
	return roots
}

// addSources adds to roots the body's variables a root is made from when they can hold a
// reference — r in rel := r.Close: using r is using what rel releases. Strings, numbers
// and errors (the name a file was opened by) are not the resource.
func (s *scope) addSources(roots map[*types.Var]bool) {
	info := s.pass.TypesInfo
	add := func(rhs ast.Expr) bool {
		changed := false
		ast.Inspect(rhs, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if v, ok := info.Uses[id].(*types.Var); ok && !roots[v] && !v.IsField() && s.inBody(v.Pos()) &&
					!deferutil.IsError(v.Type()) && mayHold(v.Type(), make(map[types.Type]bool)) {
					roots[v] = true
					changed = true
				}
			}
			return true
		})
		return changed
	}
	for changed := true; changed; {
		changed = false
		ast.Inspect(s.body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if len(n.Lhs) == len(n.Rhs) {
					for i, l := range n.Lhs {
						if id, ok := ast.Unparen(l).(*ast.Ident); ok && roots[objVar(info, id)] {
							changed = add(n.Rhs[i]) || changed
						}
					}
				}
			case *ast.ValueSpec:
				if len(n.Names) == len(n.Values) {
					for i, id := range n.Names {
						if roots[objVar(info, id)] {
							changed = add(n.Values[i]) || changed
						}
					}
				}
			}
			return true
		})
	}
}

func objVar(info *types.Info, id *ast.Ident) *types.Var {
	v, _ := info.ObjectOf(id).(*types.Var)
	return v
}

// used reports whether the body does anything with one of roots besides acquiring it
// (assigning it), comparing it with nil and deferring its release: a use before the defer
// counts too (read, then defer the close: the file is done with, not held).
func (s *scope) used(roots map[*types.Var]bool) bool {
	info := s.pass.TypesInfo
	skip := make(map[*ast.Ident]bool)
	isRoot := func(e ast.Expr) *ast.Ident {
		if id, ok := ast.Unparen(e).(*ast.Ident); ok {
			if v, ok := info.Uses[id].(*types.Var); ok && roots[v] {
				return id
			}
		}
		return nil
	}
	isNil := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		_, isNil := info.Uses[id].(*types.Nil)
		return ok && isNil
	}
	used := false
	ast.Inspect(s.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.DeferStmt:
			return false
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if id := isRoot(l); id != nil {
					skip[id] = true
				}
			}
		case *ast.BinaryExpr:
			if n.Op == token.EQL || n.Op == token.NEQ {
				if id := isRoot(n.X); id != nil && isNil(n.Y) {
					skip[id] = true
				}
				if id := isRoot(n.Y); id != nil && isNil(n.X) {
					skip[id] = true
				}
			}
		case *ast.Ident:
			if isRoot(n) != nil && !skip[n] {
				used = true
			}
		}
		return !used
	})
	return used
}

// resource reports whether one of roots can hold a reference to something acquired (a
// file, a connection): a name or a number released by a deferred call is not held open.
func resource(roots map[*types.Var]bool) bool {
	for v := range roots {
		if mayHold(v.Type(), make(map[types.Type]bool)) {
			return true
		}
	}
	return false
}

// names lists the variables of roots the deferred calls name, in order of declaration.
func names(roots map[*types.Var]bool) string {
	var best *types.Var
	for v := range roots {
		if best == nil || v.Pos() < best.Pos() {
			best = v
		}
	}
	return best.Name()
}

// countObserved returns where the code after a loop counted to a constant (for i := 0;
// i < n; i++, range n, with n a constant or a local variable never changed) refers to its
// count again — the same variable or constant, or the same value — and the count as
// written: checkClients(t, s, n) after opening n clients.
func (s *scope) countObserved() (ast.Node, string) {
	info := s.pass.TypesInfo
	var count ast.Expr
	switch l := s.loop.Node().(type) {
	case *ast.ForStmt:
		if cond, ok := ast.Unparen(orNil(l.Cond)).(*ast.BinaryExpr); ok && (cond.Op == token.LSS || cond.Op == token.LEQ) {
			count = cond.Y
		}
	case *ast.RangeStmt:
		if t, ok := info.TypeOf(l.X).Underlying().(*types.Basic); ok && t.Info()&types.IsInteger != 0 {
			count = l.X
		}
	}
	if count == nil {
		return nil, ""
	}
	var obj types.Object
	if id, ok := ast.Unparen(count).(*ast.Ident); ok {
		obj = info.Uses[id]
	}
	// Only a constant count: a loop sized by a parameter is input-sized, and the code after
	// it mentioning the size again (log.Printf("wrote %d files", n)) shows nothing.
	val, isConst := s.constInt(count)
	if !isConst || val < 2 {
		return nil, ""
	}
	var at ast.Node
	end := s.loop.Node().End()
	ast.Inspect(s.fn.Node(), func(n ast.Node) bool {
		if at != nil || n == nil {
			return false
		}
		e, ok := n.(ast.Expr)
		if !ok || n.Pos() < end {
			return true
		}
		if id, ok := e.(*ast.Ident); ok && obj != nil && info.Uses[id] == obj {
			at = id
			return false
		}
		if lit, ok := e.(*ast.BasicLit); ok && obj == nil {
			if v, ok := s.constInt(lit); ok && v == val {
				at = lit
			}
		}
		return true
	})
	if at == nil {
		return nil, ""
	}
	return at, types.ExprString(count)
}

// untilFails returns where the code after a loop without a condition reads what the loop
// recorded, when the only way out of the loop is a break on the failure of the
// acquisition whose release is deferred: connect until the server refuses, then check how
// many got through. An accept loop that returns the error, or that nothing after it
// reads, gives no such evidence.
func (s *scope) untilFails() (ast.Node, string) {
	info := s.pass.TypesInfo
	loop, ok := s.loop.Node().(*ast.ForStmt)
	if !ok || loop.Cond != nil {
		return nil, ""
	}
	exits, jumps := leaving(info, s.body, s.label)
	if jumps {
		return nil, ""
	}
	failures := make(map[*types.Var]bool) // the errors and values of the acquisitions
	for _, d := range s.defers {
		roots := s.released(d)
		for v := range roots {
			failures[v] = true
		}
		s.addErrors(roots, failures)
	}
	breaks := 0
	for st, k := range exits {
		switch k {
		case exitContinue:
			continue
		case exitBreak:
			if cur, ok := s.loop.FindNode(st); ok {
				if ifs, ok := cur.Parent().Parent().Node().(*ast.IfStmt); ok && mentions(info, ifs.Cond, failures) {
					breaks++
					continue
				}
			}
		}
		return nil, ""
	}
	if breaks == 0 {
		return nil, ""
	}
	// What the loop records: variables declared before it that it assigns.
	var at ast.Node
	var what string
	ast.Inspect(s.fn.Node(), func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if at != nil || !ok || id.Pos() < loop.End() {
			return at == nil
		}
		v, ok := info.Uses[id].(*types.Var)
		if ok && s.inFunc(v.Pos()) && v.Pos() < loop.Pos() && s.assignedIn(s.body, v) {
			at, what = id, id.Name
		}
		return at == nil
	})
	return at, what
}

// addErrors adds to errs the error variables declared or assigned together with one of
// roots: err in c, err := dial().
func (s *scope) addErrors(roots, errs map[*types.Var]bool) {
	info := s.pass.TypesInfo
	ast.Inspect(s.body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok {
			return true
		}
		var vars []*types.Var
		hit := false
		for _, l := range as.Lhs {
			if id, ok := ast.Unparen(l).(*ast.Ident); ok {
				if v, ok := info.ObjectOf(id).(*types.Var); ok {
					vars = append(vars, v)
					hit = hit || roots[v]
				}
			}
		}
		if hit {
			for _, v := range vars {
				if deferutil.IsError(v.Type()) {
					errs[v] = true
				}
			}
		}
		return true
	})
}

// sourceObserved returns, in a test, where the code after the loop uses again a value the
// loop acquires from — the receiver or an argument of the call that makes a released
// value, declared before the loop: the server in c, err := s.Dial() — and its name. The
// test itself (t) and other test reporters are not sources.
func (s *scope) sourceObserved() (ast.Node, string) {
	info := s.pass.TypesInfo
	if !s.inTest() {
		return nil, ""
	}
	loop := s.loop.Node()
	sources := make(map[*types.Var]bool)
	for _, d := range s.defers {
		roots := s.released(d)
		ast.Inspect(s.body, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || len(as.Rhs) != 1 {
				return true
			}
			hit := false
			for _, l := range as.Lhs {
				if id, ok := ast.Unparen(l).(*ast.Ident); ok && roots[objVar(info, id)] {
					hit = true
				}
			}
			call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
			if !hit || !ok {
				return true
			}
			ast.Inspect(call, func(m ast.Node) bool {
				if _, ok := m.(*ast.FuncLit); ok {
					return false
				}
				if id, ok := m.(*ast.Ident); ok {
					if v, ok := info.Uses[id].(*types.Var); ok && !v.IsField() && s.inFunc(v.Pos()) && v.Pos() < loop.Pos() &&
						!deferutil.IsError(v.Type()) && mayHold(v.Type(), make(map[types.Type]bool)) && !effects.IsTestReporter(v.Type()) {
						sources[v] = true
					}
				}
				return true
			})
			return true
		})
	}
	var at *ast.Ident
	ast.Inspect(s.fn.Node(), func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && at == nil && id.Pos() >= loop.End() && sources[objVar(info, id)] {
			at = id
		}
		return at == nil
	})
	if at == nil {
		return nil, ""
	}
	return at, at.Name
}

// inTest reports whether the function holding the loop, or the declaration around it, takes
// a *testing.T, *testing.B, *testing.F or testing.TB.
func (s *scope) inTest() bool {
	for c := s.fn; ; c = c.Parent() {
		var ft *ast.FuncType
		switch n := c.Node().(type) {
		case *ast.FuncDecl:
			ft = n.Type
		case *ast.FuncLit:
			ft = n.Type
		case *ast.File, nil:
			return false
		}
		if ft != nil && ft.Params != nil {
			for _, f := range ft.Params.List {
				if isTesting(s.pass.TypesInfo.TypeOf(f.Type)) {
					return true
				}
			}
		}
	}
}

// isTesting reports whether t is *testing.T, *testing.B, *testing.F or testing.TB.
func isTesting(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "testing" {
		return false
	}
	switch n.Obj().Name() {
	case "T", "B", "F", "TB":
		return true
	}
	return false
}
