package loopdefer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"go/version"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/effects"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

var sprintf = fmt.Sprintf

// A scope is the analysis of one loop body whose defers would get a per-iteration scope.
type scope struct {
	pass   *analysis.Pass
	loop   inspector.Cursor // *ast.ForStmt or *ast.RangeStmt
	fn     inspector.Cursor // *ast.FuncDecl or *ast.FuncLit
	defers []*ast.DeferStmt
	// taken holds the names the guards of earlier loops in the same function declare:
	// fixes applied together (go fix, an editor's "fix all") must not clash.
	taken map[string]bool
	// tables caches, for the pass, the literal a variable ranged over is declared with
	// (nil: none, or it changes); see literalValue.
	tables map[*types.Var]*ast.CompositeLit
	// bounds caches, for the pass, the most elements a table variable given several
	// values can hold (see tableLen).
	bounds map[*types.Var]tableBound

	// unsafe says the fix changes behaviour on a panic: a deferred call that may recover
	// (effects.Unknown) with something after it in the iteration that may panic.
	unsafe bool
	// movesPanic says a deferred call may itself panic on a value not yet checked: every
	// form of the fix moves that panic, so each is offered as unsafe.
	movesPanic bool
	unsafeWhy  []analysis.RelatedInformation

	body  *ast.BlockStmt
	label *types.Label // the loop's label, or nil
	sig   *types.Signature
	exits []exit
}

type exitKind int

const (
	exitContinue exitKind = iota // continue of the loop: return from the literal
	exitBreak                    // break of the loop
	exitOuter                    // break or continue of an enclosing labelled statement
	exitReturn                   // return from the function
)

// An exit is a statement in the body that leaves the iteration other than by reaching its end.
type exit struct {
	stmt ast.Stmt // *ast.BranchStmt or *ast.ReturnStmt
	kind exitKind
}

// refusal is why the body cannot be given its own scope, and what in it blocks that —
// or, when intended is set, why the loop's defers look intended (see intent.go), and the
// evidence.
type refusal struct {
	at       token.Pos
	reason   string
	intended bool
}

func refuse(at ast.Node, format string, args ...any) *refusal {
	return &refusal{at: at.Pos(), reason: sprintf(format, args...)}
}

// intend is refuse for a pattern that looks intended: the finding is not reported unless
// asked (fixes.Intended).
func intend(at ast.Node, format string, args ...any) *refusal {
	return &refusal{at: at.Pos(), reason: sprintf(format, args...), intended: true}
}

// analyze fills in the scope and returns why it cannot be fixed, if it cannot, or why its
// defers look intended.
func (s *scope) analyze() *refusal {
	s.setup()
	if r := s.intent(); r != nil {
		return r
	}
	if s.scopedOnPurpose() {
		return intend(s.loop.Node(), "the loop is all a function literal called in place does: its defers are scoped to that literal on purpose, to be held together until the loop ends")
	}
	for _, d := range s.defers {
		if r := s.checkDefer(d); r != nil {
			return r
		}
	}
	if call := effects.DirectRecover(s.pass.TypesInfo, s.body); call != nil {
		return refuse(call, "the loop body calls recover: moved into a function literal, it would no longer be called by the deferred function, and would stop no panic")
	}
	if r := s.collectExits(); r != nil {
		return r
	}
	return s.checkReturns()
}

// setup fills in the loop's body and label and the function's signature.
func (s *scope) setup() {
	info := s.pass.TypesInfo
	switch l := s.loop.Node().(type) {
	case *ast.ForStmt:
		s.body = l.Body
	case *ast.RangeStmt:
		s.body = l.Body
	}
	if ls, ok := s.loop.Parent().Node().(*ast.LabeledStmt); ok {
		s.label, _ = info.Defs[ls.Label].(*types.Label)
	}
	switch fn := s.fn.Node().(type) {
	case *ast.FuncDecl:
		s.sig = info.Defs[fn.Name].(*types.Func).Signature()
	case *ast.FuncLit:
		s.sig = info.TypeOf(fn).(*types.Signature)
	}
}

// scopedOnPurpose reports whether the function is a literal called where it stands whose
// body is the loop alone — func() { for ... { defer ... } }() — the idiom for holding
// every iteration's resource until the loop ends (database/sql's tests open N
// connections at once this way).
func (s *scope) scopedOnPurpose() bool {
	lit, ok := s.fn.Node().(*ast.FuncLit)
	if !ok || len(lit.Body.List) != 1 {
		return false
	}
	stmt := lit.Body.List[0]
	if ls, ok := stmt.(*ast.LabeledStmt); ok {
		stmt = ls.Stmt
	}
	if stmt != s.loop.Node() {
		return false
	}
	call, ok := s.fn.Parent().Node().(*ast.CallExpr)
	return ok && ast.Unparen(call.Fun) == lit
}

// effects returns the shared analysis's result for the package.
func (s *scope) effects() *effects.Result {
	r, _ := s.pass.ResultOf[effects.Analyzer].(*effects.Result)
	return r
}

// bodyMayPanic returns what after d in the loop body may panic (effects.MayPanic), or nil.
func (s *scope) bodyMayPanic(d *ast.DeferStmt) (ast.Node, string) {
	for _, st := range s.body.List {
		if st.End() <= d.Pos() {
			continue
		}
		if at, why := effects.MayPanic(s.pass.TypesInfo, st, nil); at != nil && at.Pos() >= d.End() {
			return at, why
		}
	}
	return nil, ""
}

// inBody reports whether pos lies in the loop body.
func (s *scope) inBody(pos token.Pos) bool { return s.body.Pos() <= pos && pos < s.body.End() }

// inFunc reports whether pos lies in the function.
func (s *scope) inFunc(pos token.Pos) bool {
	return s.fn.Node().Pos() <= pos && pos < s.fn.Node().End()
}

// checkDefer refuses a defer whose call would behave differently at the end of the
// iteration than at the function's return.
func (s *scope) checkDefer(d *ast.DeferStmt) *refusal {
	info := s.pass.TypesInfo
	switch s.effects().Recover(d.Call) {
	case effects.Recovers:
		return refuse(d, "the deferred call recovers panics; run per iteration, a panic would no longer end the loop")
	case effects.Unknown:
		// The callee is not known (an interface, a function value, another module): it
		// may recover, and then, run per iteration, a panic after the defer would no
		// longer end the loop. Only a panic tells, so the fix is unsafe when one can
		// happen after the defer in the iteration.
		if at, why := s.bodyMayPanic(d); at != nil {
			s.unsafe = true
			s.unsafeWhy = append(s.unsafeWhy, analysis.RelatedInformation{Pos: at.Pos(), End: at.Pos(),
				Message: fixes.UnsafePrefix + sprintf("%s may recover (its callee is not known here), and %s: run per iteration, it would stop that panic in the iteration, not at the function's return", types.ExprString(d.Call.Fun), why)})
		}
	}
	if v, e := effects.UsedBeforeCheck(s.pass.TypesInfo, s.body, d); v != nil {
		// The value may be invalid (nil) where the defer stands, so the deferred call may
		// panic on it: deferred, at the return; moved, at the iteration's end, before the
		// rest of the loop ran. Only a panic tells: the fix is unsafe, whatever its form.
		s.movesPanic = true
		s.unsafeWhy = append(s.unsafeWhy, analysis.RelatedInformation{Pos: d.Pos(), End: d.Pos(),
			Message: fixes.UnsafePrefix + sprintf("the deferred call uses %s before %s is checked: if %s is not valid the call may panic, at the iteration's end instead of at the return (move the defer after the check to make the fix safe)", v.Name(), e.Name(), v.Name())})
	}
	if r := s.checkUndo(d); r != nil {
		return r
	}
	if r := s.checkRestore(d); r != nil {
		return r
	}
	if id, ok := ast.Unparen(d.Call.Fun).(*ast.Ident); ok && effects.FuncMayBeNil(s.pass.TypesInfo, s.fn.Node(), id) {
		return refuse(d, "the deferred function value %s may be nil, and then the call panics; per iteration it would panic at the iteration's end instead of at the return", id.Name)
	}
	if !s.releasesIteration(d) {
		return intend(d, "the deferred call releases nothing acquired in this iteration; running it at the function's return may be the point")
	}
	if s.lastInIteration(d) && s.sameLock(d) {
		return refuse(d, "nothing follows the defer in the iteration, yet the next iteration locks the same mutex again and deadlocks; release it before the loop goes on")
	}
	if s.lastInIteration(d) {
		return intend(d, "nothing follows the defer in the iteration, so releasing per iteration would release at once; the loop holds each one until the function returns on purpose")
	}
	results := s.sig.Results()
	var r *refusal
	ast.Inspect(d, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if r != nil || !ok {
			return r == nil
		}
		v, ok := info.Uses[id].(*types.Var)
		if !ok {
			return true
		}
		for i := range results.Len() {
			if results.At(i) == v {
				r = refuse(id, "the deferred call uses the named result %s, which it would see before the function sets it", id.Name)
				return false
			}
		}
		return true
	})
	if r != nil {
		return r
	}
	// A named result reached without its name (its address held by the released
	// value, a literal that refers to it) may be read or written by the deferred call too.
	fx := effects.NewFunc(info, s.fn.Node())
	for i := range results.Len() {
		if v := results.At(i); v.Name() != "" && v.Name() != "_" {
			if at := fx.Reached(v); at != nil {
				return refuse(at, "the named result %s is reached without its name here, so the deferred call may read or write it, which it would do before the function sets it", v.Name())
			}
		}
	}
	for _, lit := range s.literalsOf(d.Call.Fun) {
		if r := s.checkCaptures(lit); r != nil {
			return r
		}
	}
	return s.checkEscape(d)
}

// lastInIteration reports whether no statement of the loop body runs after d: d ends its
// block, and so does every statement enclosing it up to the body. Nobody defers a release
// as the iteration's last act unless it is meant to wait for the function's return —
// for _, m := range mus { m.Lock(); defer m.Unlock() } holds every lock; x/net's
// LimitListener test leaves each connection open "until the listener is closed".
func (s *scope) lastInIteration(d *ast.DeferStmt) bool {
	cur, ok := s.loop.FindNode(d)
	if !ok {
		return false
	}
	for n := cur; n.Node() != s.body; n = n.Parent() {
		switch n.Node().(type) {
		case *ast.CaseClause, *ast.CommClause:
			continue // clauses are alternatives, not a sequence
		}
		list, ok := deferutil.StmtList(n.Parent().Node())
		if !ok {
			continue // if, else, switch, select, labels: the statement holding them decides
		}
		if len(list) == 0 || list[len(list)-1] != n.Node() {
			return false
		}
	}
	return true
}

// checkRestore refuses a deferred literal that assigns to something declared outside it:
//
//	f.Hidden = true
//	defer func() { f.Hidden = false }()
//
// It restores or updates state rather than releasing a resource, and the change is meant
// for the function's return: run per iteration, later iterations and the code after the
// loop would see it early (cobra's doc tests hide flags this way; go-cmp defers a prepend
// to a slice "until we finish iterating over all groups").
func (s *scope) checkRestore(d *ast.DeferStmt) *refusal {
	lit, ok := ast.Unparen(d.Call.Fun).(*ast.FuncLit)
	if !ok {
		return nil
	}
	info := s.pass.TypesInfo
	outside := func(e ast.Expr) (ast.Expr, bool) {
		root := e
		for {
			switch x := ast.Unparen(root).(type) {
			case *ast.SelectorExpr:
				root = x.X
				continue
			case *ast.IndexExpr:
				root = x.X
				continue
			case *ast.StarExpr:
				root = x.X
				continue
			case *ast.Ident:
				obj := info.Uses[x]
				for i := range s.sig.Results().Len() {
					if obj == s.sig.Results().At(i) {
						return e, false // named results have a check of their own
					}
				}
				return e, obj != nil && !(lit.Pos() <= obj.Pos() && obj.Pos() < lit.End())
			}
			return e, false
		}
	}
	var r *refusal
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		if r != nil {
			return false
		}
		var targets []ast.Expr
		switch n := n.(type) {
		case *ast.AssignStmt:
			targets = n.Lhs
		case *ast.IncDecStmt:
			targets = []ast.Expr{n.X}
		}
		for _, t := range targets {
			if e, ok := outside(t); ok {
				r = intend(t, "the deferred function assigns %s, a change meant for when the function returns; run per iteration, the rest of the loop would see it early", types.ExprString(e))
				return false
			}
		}
		return true
	})
	return r
}

// checkUndo refuses a defer that undoes a change the iteration makes after it — the
// deferred call calls a setter (a function taking arguments whose call may change state
// that outlasts it, effects.CallChanges: not an assertion helper, which only reads and
// fails) that the body also calls after the defer statement:
//
//	defer os.Setenv(k, old) // or func(prev string) { os.Setenv(k, prev) }(os.Getenv(k))
//	os.Setenv(k, v)
//
// The change is meant to last until the function returns (x/tools' importgraph test sets
// environment variables this way; -verify caught the rewrite breaking it). The same
// setter called before the defer is refused too — Chmod(d, 0555); defer Chmod(d, 0777)
// keeps each directory read-only until the function returns (os's RemoveAll test relies
// on it; its tests skip as root, so only reading the code caught it).
func (s *scope) checkUndo(d *ast.DeferStmt) *refusal {
	info := s.pass.TypesInfo
	deferred := make(map[types.Object]bool)
	calls := make(map[string]bool) // the deferred calls as written: a repeat is a backstop
	var collect func(n ast.Node)
	collect = func(n ast.Node) {
		ast.Inspect(n, func(m ast.Node) bool {
			switch m := m.(type) {
			case *ast.CallExpr:
				if lit, ok := ast.Unparen(m.Fun).(*ast.FuncLit); ok {
					collect(lit.Body)
				} else if obj := deferutil.Callee(info, m); obj != nil && len(m.Args) > 0 && effects.CallChanges(s.pass.Pkg, info, s.pass.Files, m) {
					// A call that only reads, prints or fails (an assertion helper) undoes
					// nothing. f.Close() twice is a backstop, not an undo.
					deferred[obj] = true
					calls[types.ExprString(m)] = true
				}
			case *ast.FuncLit:
				return false
			}
			return true
		})
	}
	collect(d.Call)
	var r *refusal
	ast.Inspect(s.body, func(n ast.Node) bool {
		if r != nil || n == nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			return false
		case *ast.CallExpr:
			obj := deferutil.Callee(info, n)
			if obj == nil || !deferred[obj] || len(n.Args) == 0 || calls[types.ExprString(n)] {
				break // os.Remove(name) again after defer os.Remove(name) is a backstop, not an undo
			}
			switch {
			case n.Pos() > d.End():
				r = intend(n, "the deferred call undoes a change (%s) the iteration makes after it, which is meant to last until the function returns", obj.Name())
			case n.End() < d.Pos():
				r = intend(n, "the deferred call undoes a change (%s) the iteration made before it, which may be meant to last until the function returns", obj.Name())
			}
		}
		return true
	})
	return r
}

// releasesIteration reports whether the deferred call releases something the iteration
// acquired: it refers to a variable declared in the body (a file opened, a cancel func
// made, a name created in this iteration), or unlocks a mutex the body locks. A call
// that does neither — defer fmt.Println(i), defer step.Undo(), defer wg.Done() — may be
// meant to run at the function's return, in reverse order; the rewrite would change that.
func (s *scope) releasesIteration(d *ast.DeferStmt) bool {
	info := s.pass.TypesInfo
	// What the iteration acquired: variables the body declares or sets before the defer
	// from a call, a receive, an allocation, a zero value, or from what it acquired —
	// anything but a plain read of other values (name := names[i], v := s.field, x := y). A value read from elsewhere is not the iteration's
	// to release, whether the loop header (range) or the body reads it: a deferred
	// literal that only logs it releases nothing, and running it per iteration would only
	// change when and in which order it runs.
	acquired := make(map[types.Object]bool)
	// mentions reports whether e reads something acquired: what is derived from an
	// acquisition (rel := r.Close) is acquired too.
	mentions := func(e ast.Expr) bool {
		found := false
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && acquired[info.Uses[id]] {
				found = true
			}
			return !found
		})
		return found
	}
	mark := func(lhs []ast.Expr, rhs []ast.Expr) {
		for i, l := range lhs {
			id, ok := ast.Unparen(l).(*ast.Ident)
			if !ok {
				continue
			}
			var r ast.Expr
			if len(rhs) == len(lhs) {
				r = rhs[i]
			} else if len(rhs) == 1 {
				r = rhs[0]
			}
			if r == nil || !plainRead(info, r) || mentions(r) {
				acquired[info.ObjectOf(id)] = true
			}
		}
	}
	ast.Inspect(s.body, func(n ast.Node) bool {
		if n == nil || n.Pos() >= d.Pos() {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			mark(n.Lhs, n.Rhs)
		case *ast.ValueSpec:
			lhs := make([]ast.Expr, len(n.Names))
			for i, id := range n.Names {
				lhs[i] = id
			}
			mark(lhs, n.Values) // var s span: a new value of this iteration's own
		}
		return true
	})
	found := false
	ast.Inspect(d.Call, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			// The deferred call's own variables (a literal's parameters and locals,
			// such as the parameter loopcapture gives a captured loop variable) were
			// not acquired by the iteration.
			if v, ok := info.Uses[id].(*types.Var); ok && !v.IsField() && !within(d.Call, v.Pos()) && acquired[v] {
				found = true
			}
		}
		return !found
	})
	if found {
		return true
	}
	// An unlock whose lock the body calls on the same operand before the defer: sync's
	// mutexes, and any type with the same pair of methods.
	fn, ok := deferutil.Callee(info, d.Call).(*types.Func)
	if !ok || fn.Signature().Recv() == nil || fn.Signature().Params().Len() != 0 {
		return false
	}
	lockName, ok := map[string]string{"Unlock": "Lock", "RUnlock": "RLock"}[fn.Name()]
	if !ok {
		return false
	}
	lockObj, _, _ := types.LookupFieldOrMethod(fn.Signature().Recv().Type(), true, fn.Pkg(), lockName)
	sel, ok := ast.Unparen(d.Call.Fun).(*ast.SelectorExpr)
	if lockObj == nil || !ok {
		return false
	}
	ast.Inspect(s.body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found || call.Pos() > d.Pos() {
			return !found
		}
		lsel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if ok && deferutil.Callee(info, call) == lockObj && sameOperand(info, lsel.X, sel.X) {
			found = true
		}
		return !found
	})
	return found
}

// plainRead reports whether e only reads values that exist already: a variable, a
// constant, a field, an element, a slice of one, a conversion or a comma-ok form of
// these. It acquires nothing.
func plainRead(info *types.Info, e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident, *ast.BasicLit:
		return true
	case *ast.SelectorExpr:
		return plainRead(info, e.X) || info.Selections[e] == nil // pkg.V
	case *ast.IndexExpr:
		if tv, ok := info.Types[e.X]; ok && tv.IsType() {
			return false // a generic function's instantiation
		}
		return plainRead(info, e.X) && plainRead(info, e.Index)
	case *ast.SliceExpr:
		return plainRead(info, e.X)
	case *ast.TypeAssertExpr:
		return plainRead(info, e.X)
	case *ast.StarExpr:
		return plainRead(info, e.X)
	case *ast.CallExpr:
		if tv, ok := info.Types[e.Fun]; ok && tv.IsType() && len(e.Args) == 1 {
			return plainRead(info, e.Args[0]) // a conversion
		}
	}
	return false
}

// within reports whether pos lies in n.
func within(n ast.Node, pos token.Pos) bool { return n.Pos() <= pos && pos < n.End() }

// sameOperand reports whether a and b denote the same variable or field path (mu, s.mu).
func sameOperand(info *types.Info, a, b ast.Expr) bool {
	switch a := ast.Unparen(a).(type) {
	case *ast.Ident:
		b, ok := ast.Unparen(b).(*ast.Ident)
		return ok && info.ObjectOf(a) != nil && info.ObjectOf(a) == info.ObjectOf(b)
	case *ast.SelectorExpr:
		b, ok := ast.Unparen(b).(*ast.SelectorExpr)
		return ok && info.ObjectOf(a.Sel) == info.ObjectOf(b.Sel) && sameOperand(info, a.X, b.X)
	case *ast.UnaryExpr:
		b, ok := ast.Unparen(b).(*ast.UnaryExpr)
		return ok && a.Op == b.Op && sameOperand(info, a.X, b.X)
	}
	return false
}

// checkCaptures refuses a deferred literal that reads a value which may change after
// the iteration — a variable of the function or the package, a field or element reached
// from one (effects.Span.CapturesMayChange over the rest of the loop and the function):
// run at the iteration's end, it would see an earlier value. The loop's own variables in
// Go 1.22 and later are each iteration's own: the next iteration does not write them.
func (s *scope) checkCaptures(lit *ast.FuncLit) *refusal {
	perIteration := s.perIterationVars()
	f := effects.NewFunc(s.pass.TypesInfo, s.fn.Node(), lit)
	span := f.After(s.loop.Node()) // the loop itself comes back: the whole loop, and what follows it
	at, why := span.CapturesMayChange(lit, func(v *types.Var) bool { return perIteration[v] && !f.Escapes(v) })
	if at != nil {
		return refuse(at, "the deferred closure reads a value that may change after the iteration (%s); it would see an earlier value", why)
	}
	return nil
}

// literalsOf returns the function literals the deferred function may be: the literal
// itself, or those assigned to the variable it names (finish := func() {...}; defer
// finish()), whose reads then happen at the iteration's end too.
func (s *scope) literalsOf(fun ast.Expr) []*ast.FuncLit {
	info := s.pass.TypesInfo
	switch fun := ast.Unparen(fun).(type) {
	case *ast.FuncLit:
		return []*ast.FuncLit{fun}
	case *ast.Ident:
		v, ok := info.Uses[fun].(*types.Var)
		if !ok {
			return nil
		}
		var lits []*ast.FuncLit
		add := func(l ast.Expr, r ast.Expr) {
			if id, ok := ast.Unparen(l).(*ast.Ident); ok && info.ObjectOf(id) == v {
				if lit, ok := ast.Unparen(r).(*ast.FuncLit); ok {
					lits = append(lits, lit)
				}
			}
		}
		ast.Inspect(s.fn.Node(), func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if len(n.Lhs) == len(n.Rhs) {
					for i := range n.Lhs {
						add(n.Lhs[i], n.Rhs[i])
					}
				}
			case *ast.ValueSpec:
				if len(n.Names) == len(n.Values) {
					for i := range n.Names {
						add(n.Names[i], n.Values[i])
					}
				}
			}
			return true
		})
		return lits
	}
	return nil
}

// perIterationVars returns the loop's own variables when each iteration has its own copy
// (Go 1.22 and later).
func (s *scope) perIterationVars() map[*types.Var]bool {
	vars := make(map[*types.Var]bool)
	file := s.file()
	if v := s.pass.TypesInfo.FileVersions[file]; v != "" && version.Compare(v, "go1.22") < 0 {
		return vars
	}
	for _, v := range deferutil.LoopVars(s.pass.TypesInfo, s.loop.Node()) {
		vars[v] = true
	}
	return vars
}

// checkEscape refuses a defer whose released value is kept beyond the iteration: the
// code means it to stay open until the function returns.
func (s *scope) checkEscape(d *ast.DeferStmt) *refusal {
	info := s.pass.TypesInfo
	// roots: the body's variables the deferred call refers to; outer: the function's
	// variables outside the body that the call's operands (not a literal's body) read.
	roots := make(map[*types.Var]bool)
	outer := make(map[*types.Var]bool)
	var visit func(n ast.Node, inLit bool)
	visit = func(n ast.Node, inLit bool) {
		ast.Inspect(n, func(m ast.Node) bool {
			switch m := m.(type) {
			case *ast.FuncLit:
				if !inLit {
					visit(m.Body, true)
				}
				return false
			case *ast.Ident:
				v, ok := info.Uses[m].(*types.Var)
				if !ok || v.IsField() || !s.inFunc(v.Pos()) {
					return true
				}
				if s.inBody(v.Pos()) {
					roots[v] = true
				} else if !inLit {
					outer[v] = true
				}
			}
			return true
		})
	}
	visit(d.Call, false)
	s.addSiblings(roots)
	s.addDerived(roots)
	var r *refusal
	ast.Inspect(s.body, func(n ast.Node) bool {
		if r != nil || n == nil {
			return false
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			// ctx, cancel = context.WithTimeout(...) with ctx declared outside the body
			// (pgx's connectPreferred): the value acquired with the released one is kept
			// for later iterations, which a release per iteration would cut off.
			if len(n.Rhs) == 1 && len(n.Lhs) > 1 && slices.ContainsFunc(n.Lhs, func(l ast.Expr) bool { return roots[rootVar(info, l)] }) {
				for _, l := range n.Lhs {
					if v := rootVar(info, l); v != nil && !s.inBody(v.Pos()) && s.inFunc(v.Pos()) && !deferutil.IsError(v.Type()) {
						r = intend(n, "a released value is stored outside the loop body, so it is meant to stay open until the function returns")
					}
				}
			}
			for _, l := range n.Lhs {
				if v := rootVar(info, l); v != nil && outer[v] && s.usedAfterLoop(v) {
					r = intend(l, "the deferred call releases %s, which is used outside the loop body; it is meant to stay open until the function returns", v.Name())
				}
			}
			for _, rhs := range n.Rhs {
				if !flows(info, rhs, roots) {
					continue
				}
				for _, l := range n.Lhs {
					if v := rootVar(info, l); v == nil || !s.inBody(v.Pos()) {
						r = intend(n, "a released value is stored outside the loop body, so it is meant to stay open until the function returns")
					}
				}
			}
		case *ast.SendStmt:
			if flows(info, n.Value, roots) {
				r = intend(n, "a released value is sent on a channel, so it is meant to stay open until the function returns")
			}
		case *ast.GoStmt:
			if mentions(info, n, roots) {
				r = refuse(n, "a released value is used by a goroutine, which may outlive the iteration")
			}
			return false
		case *ast.DeferStmt:
			return false // defers are checked on their own
		case *ast.FuncLit:
			if mentions(info, n, roots) && !s.calledNow(n) {
				r = refuse(n, "a released value is captured by a function literal that may outlive the iteration")
			}
			return false
		}
		return true
	})
	return r
}

// addSiblings adds to roots the other variables declared by the statements that declare
// them: ctx in ctx, cancel := context.WithCancel(...) belongs to the cancel a defer
// releases, and a goroutine given ctx outlives the iteration as surely as one given
// cancel. Errors are left out: an error says nothing about what stays open.
func (s *scope) addSiblings(roots map[*types.Var]bool) {
	info := s.pass.TypesInfo
	add := func(ids []*ast.Ident) {
		var vars []*types.Var
		hit := false
		for _, id := range ids {
			v, ok := info.Defs[id].(*types.Var)
			if u, isVar := info.Uses[id].(*types.Var); !ok && isVar && s.inBody(u.Pos()) {
				v, ok = u, true
			}
			if ok {
				vars = append(vars, v)
				hit = hit || roots[v]
			}
		}
		if !hit {
			return
		}
		for _, v := range vars {
			if !deferutil.IsError(v.Type()) {
				roots[v] = true
			}
		}
	}
	ast.Inspect(s.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			// := declares them together; = assigns them together from one call
			// (dctx, cancel = context.WithDeadline(...), dctx declared in the body).
			if n.Tok == token.DEFINE || n.Tok == token.ASSIGN && len(n.Rhs) == 1 && len(n.Lhs) > 1 {
				var ids []*ast.Ident
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						ids = append(ids, id)
					}
				}
				add(ids)
			}
		case *ast.ValueSpec:
			add(n.Names)
		}
		return true
	})
}

// addDerived adds to roots the body's variables defined from a call that takes a root —
// p := ipv6.NewPacketConn(c), bw := bufio.NewWriter(f) — when their type can hold a
// reference to it: storing p keeps c open as surely as storing c. Results that cannot
// hold one (data, err := io.ReadAll(f): bytes and an error) are copies, not the resource.
func (s *scope) addDerived(roots map[*types.Var]bool) {
	info := s.pass.TypesInfo
	for changed := true; changed; {
		changed = false
		ast.Inspect(s.body, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || as.Tok != token.DEFINE || len(as.Rhs) != 1 {
				return true
			}
			call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
			if !ok || !mentions(info, call, roots) {
				return true
			}
			for _, l := range as.Lhs {
				id, ok := l.(*ast.Ident)
				if !ok {
					continue
				}
				v, ok := info.Defs[id].(*types.Var)
				if ok && !roots[v] && !deferutil.IsError(v.Type()) && mayHold(v.Type(), make(map[types.Type]bool)) {
					roots[v] = true
					changed = true
				}
			}
			return true
		})
	}
}

// mayHold reports whether a value of type t can refer to another value: it is or holds a
// pointer, interface, func, chan, map or slice of such.
func mayHold(t types.Type, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t := t.Underlying().(type) {
	case *types.Basic:
		return t.Kind() == types.UnsafePointer
	case *types.Pointer, *types.Interface, *types.Signature, *types.Chan:
		return true
	case *types.Slice:
		return mayHold(t.Elem(), seen)
	case *types.Array:
		return mayHold(t.Elem(), seen)
	case *types.Map:
		return mayHold(t.Key(), seen) || mayHold(t.Elem(), seen)
	case *types.Struct:
		for i := range t.NumFields() {
			if mayHold(t.Field(i).Type(), seen) {
				return true
			}
		}
	}
	return false
}

// usedAfterLoop reports whether v is referred to outside the loop body, in the function:
// after the loop, or before it in an enclosing loop's next iteration.
func (s *scope) usedAfterLoop(v *types.Var) bool {
	used := false
	ast.Inspect(s.fn.Node(), func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && !s.inBody(id.Pos()) && s.pass.TypesInfo.Uses[id] == v {
			used = true
		}
		return !used
	})
	return used
}

// calledNow reports whether lit is called where it stands: func(){...}().
func (s *scope) calledNow(lit *ast.FuncLit) bool {
	cur, ok := s.loop.FindNode(lit)
	if !ok {
		return false
	}
	call, ok := cur.Parent().Node().(*ast.CallExpr)
	return ok && ast.Unparen(call.Fun) == lit
}

// rootVar returns the variable at the root of an assignable expression (x in x.f[i]), or
// nil for a blank, a package-level variable, or anything else.
func rootVar(info *types.Info, e ast.Expr) *types.Var {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			v, _ := info.ObjectOf(x).(*types.Var)
			if v != nil && v.Parent() == v.Pkg().Scope() {
				return nil
			}
			return v
		case *ast.SelectorExpr:
			if sel := info.Selections[x]; sel == nil || sel.Kind() != types.FieldVal {
				return nil
			}
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		default:
			return nil
		}
	}
}

// flows reports whether evaluating e may yield one of roots (or a struct holding it) as a
// value: directly, through & or a field, a conversion, a composite literal or append.
// Other calls are assumed not to return their arguments — a limitation, stated in doc.go.
func flows(info *types.Info, e ast.Expr, roots map[*types.Var]bool) bool {
	if ta, ok := ast.Unparen(e).(*ast.TypeAssertExpr); ok && ta.Type == nil {
		return flows(info, ta.X, roots) // a type switch's guard, x := v.(type): no type of its own
	}
	t := info.TypeOf(e)
	if t == nil {
		return true // not known: it may
	}
	if b, ok := t.Underlying().(*types.Basic); ok && b.Kind() != types.UnsafePointer {
		return false // a number, string or bool copied out keeps nothing open
	}
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		v, _ := info.Uses[x].(*types.Var)
		return roots[v]
	case *ast.UnaryExpr:
		return x.Op == token.AND && flows(info, x.X, roots)
	case *ast.SelectorExpr:
		sel := info.Selections[x]
		return sel != nil && sel.Kind() == types.FieldVal && flows(info, x.X, roots)
	case *ast.CompositeLit:
		for _, elt := range x.Elts {
			if kv, ok := elt.(*ast.KeyValueExpr); ok {
				elt = kv.Value
			}
			if flows(info, elt, roots) {
				return true
			}
		}
	case *ast.CallExpr:
		if tv, ok := info.Types[x.Fun]; ok && tv.IsType() && len(x.Args) == 1 {
			return flows(info, x.Args[0], roots)
		}
		if deferutil.IsBuiltin(info, x, "append") {
			for _, a := range x.Args[1:] {
				if flows(info, a, roots) {
					return true
				}
			}
		}
	}
	return false
}

// mentions reports whether n refers to one of roots.
func mentions(info *types.Info, n ast.Node, roots map[*types.Var]bool) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if id, ok := m.(*ast.Ident); ok {
			if v, ok := info.Uses[id].(*types.Var); ok && roots[v] {
				found = true
			}
		}
		return !found
	})
	return found
}

// collectExits finds the statements that leave the iteration, and refuses a goto that
// leaves the body.
func (s *scope) collectExits() *refusal {
	info := s.pass.TypesInfo
	var r *refusal
	var walk func(n ast.Node, nestedLoop, nestedBreakable bool)
	walk = func(root ast.Node, nestedLoop, nestedBreakable bool) {
		ast.Inspect(root, func(n ast.Node) bool {
			if r != nil {
				return false
			}
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
				s.exits = append(s.exits, exit{n, exitReturn})
			case *ast.BranchStmt:
				var target *types.Label
				if n.Label != nil {
					target, _ = info.Uses[n.Label].(*types.Label)
				}
				inner := target != nil && s.inBody(target.Pos())
				switch {
				case n.Tok == token.GOTO:
					if !inner {
						return refusalAt(&r, n, "goto %s leaves the loop body", n.Label.Name)
					}
				case n.Tok == token.FALLTHROUGH || inner:
				case target == nil && n.Tok == token.BREAK && !nestedBreakable,
					target != nil && target == s.label && n.Tok == token.BREAK:
					s.exits = append(s.exits, exit{n, exitBreak})
				case target == nil && n.Tok == token.CONTINUE && !nestedLoop,
					target != nil && target == s.label && n.Tok == token.CONTINUE:
					s.exits = append(s.exits, exit{n, exitContinue})
				case target != nil:
					s.exits = append(s.exits, exit{n, exitOuter})
				}
			}
			return true
		})
	}
	walk(s.body, false, false)
	return r
}

func refusalAt(r **refusal, n ast.Node, format string, args ...any) bool {
	*r = refuse(n, format, args...)
	return false
}

// checkReturns refuses returns the literal cannot pass on faithfully.
func (s *scope) checkReturns() *refusal {
	named := s.sig.Results().Len() > 0 && s.sig.Results().At(0).Name() != ""
	var bare, valued ast.Node
	for _, e := range s.exits {
		ret, ok := e.stmt.(*ast.ReturnStmt)
		if !ok {
			continue
		}
		if len(ret.Results) == 0 {
			bare = ret
		} else {
			valued = ret
		}
		if len(ret.Results) == 1 && s.sig.Results().Len() > 1 {
			return refuse(ret, "the body returns a multi-value call, which the closure cannot pass on")
		}
	}
	if named && bare != nil && valued != nil {
		return refuse(bare, "the body mixes bare returns and returns with values")
	}
	return nil
}

func (s *scope) file() *ast.File { return deferutil.File(s.loop) }

// has reports whether the body has an exit of kind k.
func (s *scope) has(k exitKind) bool {
	for _, e := range s.exits {
		if e.kind == k {
			return true
		}
	}
	return false
}

// valuedReturns reports whether the body returns values (not only bare returns).
func (s *scope) valuedReturns() bool {
	for _, e := range s.exits {
		if ret, ok := e.stmt.(*ast.ReturnStmt); ok && len(ret.Results) > 0 {
			return true
		}
	}
	return false
}
