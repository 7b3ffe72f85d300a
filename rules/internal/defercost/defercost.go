// Package defercost predicts, without compiling, how the gc compiler lowers each defer
// statement: open-coded, stack-allocated or heap-allocated — what
// `go build -gcflags=-d=defer` prints. The rules follow cmd/compile (Go 1.26):
//
//   - walk/stmt.go: more than 8 defer statements in a function (maxOpenDefers), or one
//     that is not at loop depth 1, turns off open-coding for the whole function;
//   - escape/stmt.go: loop depth rises inside for and range bodies and after a label that
//     a later goto jumps back to ("looping label"); a defer at depth 1 gets a stack record;
//   - a defer in a range-over-func body runs through runtime.deferrangefunc: it is
//     heap-allocated, and the function holding the loop cannot open-code any defer;
//   - rangefunc/rewrite.go makes a range-over-func body a closure: its returns are the
//     closure's, and the function gets one return after each outermost loop holding any;
//     a return with values in the body assigns the function's (named, if need be)
//     results there, so they move to the heap when the closure escapes;
//   - ssagen/ssa.go: explicit return statements × defer statements > 15 turns it off, as
//     does a result parameter that lives on the heap;
//   - builds with -N or -race never open-code (not modelled: the default build is).
//
// Escape of a result parameter is approximated: its address is taken (other than as a
// top-level defer's argument or an argument for a pointer parameter of a statically known
// function, taken not to leak), or a function literal captures it that is not deferred or
// called where it stands, nor kept in a local variable that is only called where it runs
// in place, nor passed to a function that only calls that parameter (of the package, of
// the standard library's known ones, or one Callbacks reports for another package); a go
// statement's literal escapes, and so does a value called only inside a literal that
// escapes. Or a range-over-func body captures it (mentions it, or returns values) and
// ranges over an opaque function value rather than an iterator escape analysis sees
// through (see yieldEscapes).
package defercost

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/types/typeutil"
)

var typeutilCallee = typeutil.Callee

// Strategy is how the compiler lowers one defer statement.
type Strategy int

const (
	OpenCoded Strategy = iota
	StackAllocated
	HeapAllocated
)

func (s Strategy) String() string {
	return [...]string{"open-coded", "stack-allocated", "heap-allocated"}[s]
}

// Reason says why a function's defers are not open-coded.
type Reason int

const (
	None          Reason = iota
	TooManyDefers        // more than 8 defer statements
	InLoop               // a defer in a loop (or after a looping label)
	RangeFunc            // a defer in a range-over-func body, or a range-over-func loop holding one
	ReturnsTimes         // returns × defers > 15
	HeapResult           // a result parameter escapes to the heap
	CompilerSays         // not predicted: the compiler reported it (hotdefer -compiler)
)

func (r Reason) String() string {
	return [...]string{"", "more than 8 defer statements", "a defer in a loop", "a defer in a range-over-func loop",
		"returns × defers > 15", "a result parameter that escapes to the heap", "the compiler's choice"}[r]
}

// Func is the prediction for one function (FuncDecl or FuncLit).
type Func struct {
	Node    ast.Node
	Generic bool // in a generic function: compiled (and printed by -d=defer) per instantiation
	Defers  map[*ast.DeferStmt]Strategy
	Reason  Reason
	Returns int // explicit return statements
	Count   int // defer statements
}

// Predict returns the prediction for every function of a package's files that holds a
// defer, keyed by its FuncDecl or FuncLit.
func Predict(info *types.Info, files []*ast.File) map[ast.Node]*Func {
	return PredictWith(info, files, nil)
}

// Callbacks reports whether a function of another package only calls its i-th parameter
// (a function value), as OnlyCalledParams found in that package: a literal passed there
// stays on the stack, as the parameter's escape tag tells the compiler. nil knows only the
// standard library's (callbackFuncs).
type Callbacks func(fn *types.Func, i int) bool

// PredictWith is Predict knowing other packages' callbacks (hotdefer passes them as facts).
func PredictWith(info *types.Info, files []*ast.File, callbacks Callbacks) map[ast.Node]*Func {
	decls := make(map[types.Object]*ast.FuncDecl)
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				decls[info.Defs[fd.Name]] = fd
			}
		}
	}
	out := make(map[ast.Node]*Func)
	for _, f := range files {
		predictFile(info, decls, callbacks, f, out)
	}
	return out
}

// OnlyCalledParams returns, for the functions and methods declared in a package's files,
// the indexes of their parameters they only call (compare with nil, or pass on to
// functions that only call them), before they return: what Callbacks reports to the
// packages that call them.
func OnlyCalledParams(info *types.Info, files []*ast.File, callbacks Callbacks) map[*types.Func][]int {
	w := &walker{info: info, decls: make(map[types.Object]*ast.FuncDecl), callbacks: callbacks}
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				w.decls[info.Defs[fd.Name]] = fd
			}
		}
	}
	out := make(map[*types.Func][]int)
	for obj, decl := range w.decls {
		fn, ok := obj.(*types.Func)
		if !ok {
			continue
		}
		params := fn.Signature().Params()
		for i := range params.Len() {
			if _, isFunc := params.At(i).Type().Underlying().(*types.Signature); isFunc && w.paramOnlyCalled(decl, i, make(map[*ast.FuncDecl]bool)) {
				out[fn] = append(out[fn], i)
			}
		}
	}
	return out
}

func predictFile(info *types.Info, decls map[types.Object]*ast.FuncDecl, callbacks Callbacks, file *ast.File, out map[ast.Node]*Func) {
	var visit func(fn ast.Node, body *ast.BlockStmt, generic bool)
	visit = func(fn ast.Node, body *ast.BlockStmt, generic bool) {
		p := &Func{Node: fn, Defers: make(map[*ast.DeferStmt]Strategy), Generic: generic}
		w := &walker{info: info, decls: decls, callbacks: callbacks, p: p, looping: loopingLabels(body)}
		w.block(body.List, 1, false)
		for _, lit := range w.lits {
			visit(lit, lit.Body, generic)
		}
		// Defers in range-over-func bodies belong to this function in the source but
		// are compiled into the body's closure.
		if p.Count == 0 && !w.rangeFuncDefer {
			return
		}
		switch {
		case w.rangeFuncDefer:
			p.Reason = RangeFunc
		case p.Count > 8:
			p.Reason = TooManyDefers
		case w.inLoop:
			p.Reason = InLoop
		case w.heapResult(fn):
			p.Reason = HeapResult
		case p.Returns*p.Count > 15:
			p.Reason = ReturnsTimes
		}
		for d, depth := range w.depth {
			switch {
			case w.rangeBody[d] || depth > 1:
				p.Defers[d] = HeapAllocated
			case p.Reason != None:
				p.Defers[d] = StackAllocated
			default:
				p.Defers[d] = OpenCoded
			}
		}
		out[fn] = p
	}
	for _, decl := range file.Decls {
		if fd, ok := decl.(*ast.FuncDecl); ok && fd.Body != nil {
			visit(fd, fd.Body, isGeneric(fd))
		}
	}
	ast.Inspect(file, func(n ast.Node) bool {
		// Function literals at package level (var f = func() {...}).
		if gd, ok := n.(*ast.GenDecl); ok {
			ast.Inspect(gd, func(m ast.Node) bool {
				if lit, ok := m.(*ast.FuncLit); ok {
					visit(lit, lit.Body, false)
					return false
				}
				return true
			})
			return false
		}
		return true
	})
}

// isGeneric reports whether fd has type parameters, or is a method of a generic type.
func isGeneric(fd *ast.FuncDecl) bool {
	if fd.Type.TypeParams != nil {
		return true
	}
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return false
	}
	t := fd.Recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	switch t.(type) {
	case *ast.IndexExpr, *ast.IndexListExpr:
		return true
	}
	return false
}

type walker struct {
	info           *types.Info
	callbacks      Callbacks
	decls          map[types.Object]*ast.FuncDecl
	p              *Func
	looping        map[string]bool
	depth          map[*ast.DeferStmt]int
	rangeBody      map[*ast.DeferStmt]bool
	lits           []*ast.FuncLit
	inLoop         bool
	rangeFuncDefer bool
	rangeLoops     []*ast.RangeStmt // the range-over-func loops, nested ones included
}

// block walks a statement list at loop depth d; after a looping label the depth rises
// for the rest of the list, as escape analysis does.
func (w *walker) block(list []ast.Stmt, d int, rangeFunc bool) {
	for _, s := range list {
		if ls, ok := s.(*ast.LabeledStmt); ok && w.looping[ls.Label.Name] {
			d++
		}
		w.stmt(s, d, rangeFunc)
	}
}

func (w *walker) stmt(s ast.Stmt, d int, rangeFunc bool) {
	if w.depth == nil {
		w.depth = make(map[*ast.DeferStmt]int)
		w.rangeBody = make(map[*ast.DeferStmt]bool)
	}
	switch s := s.(type) {
	case *ast.DeferStmt:
		w.exprs(d, rangeFunc, s.Call)
		if rangeFunc {
			w.rangeFuncDefer = true
			w.rangeBody[s] = true
			w.depth[s] = d
			w.p.Count++
			return
		}
		w.depth[s] = d
		w.p.Count++
		if d > 1 {
			w.inLoop = true
		}
	case *ast.ReturnStmt:
		// A return in a range-over-func body becomes the body closure's; the loop
		// counts it once (below).
		if !rangeFunc {
			w.p.Returns++
		}
		w.exprs(d, rangeFunc, s.Results...)
	case *ast.BlockStmt:
		w.block(s.List, d, rangeFunc)
	case *ast.LabeledStmt:
		w.stmt(s.Stmt, d, rangeFunc)
	case *ast.IfStmt:
		if s.Init != nil {
			w.stmt(s.Init, d, rangeFunc)
		}
		w.exprs(d, rangeFunc, s.Cond)
		// The compiler drops a branch a constant condition never takes (if debug {...}):
		// its defers and returns do not count.
		v, known := w.constCond(s.Cond)
		if !known || v {
			w.block(s.Body.List, d, rangeFunc)
		}
		if s.Else != nil && (!known || !v) {
			w.stmt(s.Else, d, rangeFunc)
		}
	case *ast.ForStmt:
		if s.Init != nil {
			w.stmt(s.Init, d, rangeFunc)
		}
		w.exprs(d, rangeFunc, s.Cond)
		if s.Post != nil {
			w.stmt(s.Post, d+1, rangeFunc)
		}
		w.block(s.Body.List, d+1, rangeFunc)
	case *ast.RangeStmt:
		w.exprs(d, rangeFunc, s.X)
		isFunc := false
		if t := w.info.TypeOf(s.X); t != nil {
			_, isFunc = t.Underlying().(*types.Signature)
		}
		if isFunc {
			// The body becomes a closure; its defers run through deferrangefunc, and its
			// loop depth starts afresh. The rewrite (rangefunc/rewrite.go) moves the
			// body's returns into the closure and adds one "if #next == -1 { return }"
			// after the outermost loop that holds any.
			w.rangeLoops = append(w.rangeLoops, s)
			if !rangeFunc && len(returnsIn(s.Body)) > 0 {
				w.p.Returns++
			}
			w.block(s.Body.List, 1, true)
			return
		}
		w.block(s.Body.List, d+1, rangeFunc)
	case *ast.SwitchStmt:
		if s.Init != nil {
			w.stmt(s.Init, d, rangeFunc)
		}
		w.exprs(d, rangeFunc, s.Tag)
		for _, c := range s.Body.List {
			cc := c.(*ast.CaseClause)
			w.exprs(d, rangeFunc, cc.List...)
			if w.liveCase(s, cc) {
				w.block(cc.Body, d, rangeFunc)
			}
		}
	case *ast.TypeSwitchStmt:
		if s.Init != nil {
			w.stmt(s.Init, d, rangeFunc)
		}
		w.stmt(s.Assign, d, rangeFunc)
		for _, c := range s.Body.List {
			w.block(c.(*ast.CaseClause).Body, d, rangeFunc)
		}
	case *ast.SelectStmt:
		for _, c := range s.Body.List {
			cc := c.(*ast.CommClause)
			if cc.Comm != nil {
				w.stmt(cc.Comm, d, rangeFunc)
			}
			w.block(cc.Body, d, rangeFunc)
		}
	case *ast.GoStmt:
		w.exprs(d, rangeFunc, s.Call)
	case *ast.ExprStmt:
		w.exprs(d, rangeFunc, s.X)
	case *ast.AssignStmt:
		w.exprs(d, rangeFunc, s.Lhs...)
		w.exprs(d, rangeFunc, s.Rhs...)
	case *ast.DeclStmt:
		ast.Inspect(s, func(n ast.Node) bool {
			if lit, ok := n.(*ast.FuncLit); ok {
				w.lits = append(w.lits, lit)
				return false
			}
			return true
		})
	case *ast.SendStmt:
		w.exprs(d, rangeFunc, s.Chan, s.Value)
	case *ast.IncDecStmt:
		w.exprs(d, rangeFunc, s.X)
	}
}

// liveCase reports whether the compiler keeps a case of a switch: with a constant tag
// (switch runtime.GOOS), only the case that matches it, or default if none does.
func (w *walker) liveCase(s *ast.SwitchStmt, cc *ast.CaseClause) bool {
	if s.Tag == nil {
		return true
	}
	tag := w.info.Types[s.Tag].Value
	if tag == nil {
		return true
	}
	matches := func(c *ast.CaseClause) (match, unknown bool) {
		for _, e := range c.List {
			v := w.info.Types[e].Value
			if v == nil {
				return false, true
			}
			if constant.Compare(v, token.EQL, tag) {
				return true, false
			}
		}
		return false, false
	}
	if cc.List != nil {
		m, unknown := matches(cc)
		return m || unknown
	}
	for _, c := range s.Body.List {
		if m, _ := matches(c.(*ast.CaseClause)); m {
			return false // another case surely takes it: default is dead
		}
	}
	return true
}

// constCond evaluates a condition the compiler folds: a constant, or && and || with a
// constant operand that decides them (boring.Enabled && x is false).
func (w *walker) constCond(e ast.Expr) (value, known bool) {
	e = ast.Unparen(e)
	if tv, ok := w.info.Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.Bool {
		return constant.BoolVal(tv.Value), true
	}
	if b, ok := e.(*ast.BinaryExpr); ok {
		x, xk := w.constCond(b.X)
		y, yk := w.constCond(b.Y)
		switch b.Op {
		case token.LAND:
			if xk && !x || yk && !y {
				return false, true
			}
		case token.LOR:
			if xk && x || yk && y {
				return true, true
			}
		}
	}
	return false, false
}

// exprs collects the function literals in expressions; they are functions of their own.
func (w *walker) exprs(d int, rangeFunc bool, es ...ast.Expr) {
	for _, e := range es {
		if e == nil {
			continue
		}
		ast.Inspect(e, func(n ast.Node) bool {
			if lit, ok := n.(*ast.FuncLit); ok {
				w.lits = append(w.lits, lit)
				return false
			}
			return true
		})
	}
}

// loopingLabels returns the labels that a goto after them jumps back to.
func loopingLabels(body *ast.BlockStmt) map[string]bool {
	seen := make(map[string]bool)
	looping := make(map[string]bool)
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.LabeledStmt:
			seen[n.Label.Name] = true
		case *ast.BranchStmt:
			if n.Tok == token.GOTO && seen[n.Label.Name] {
				looping[n.Label.Name] = true
			}
		}
		return true
	})
	return looping
}

// heapResult reports whether a result parameter of fn may live on the heap: its address
// is taken, or a function literal that is neither deferred directly nor called where it
// stands captures it.
func (w *walker) heapResult(fn ast.Node) bool {
	var ft *ast.FuncType
	var body *ast.BlockStmt
	switch fn := fn.(type) {
	case *ast.FuncDecl:
		ft, body = fn.Type, fn.Body
	case *ast.FuncLit:
		ft, body = fn.Type, fn.Body
	}
	results := make(map[types.Object]bool)
	if ft.Results != nil {
		for _, f := range ft.Results.List {
			for _, id := range f.Names {
				if obj := w.info.Defs[id]; obj != nil {
					results[obj] = true
				}
			}
		}
	}
	uses := func(n ast.Node) bool {
		found := false
		ast.Inspect(n, func(m ast.Node) bool {
			if id, ok := m.(*ast.Ident); ok && results[w.info.Uses[id]] {
				found = true
			}
			return !found
		})
		return found
	}
	if len(results) > 0 && w.literalCaptures(body, results, uses) {
		return true
	}
	// A range-over-func body is a closure. A return with values in it assigns the
	// function's results there (rangefunc/rewrite.go names unnamed results for that), and
	// a named result it mentions is captured: either way the results move to the heap
	// when the closure escapes, that is when the iterator is not one escape analysis sees
	// through.
	hasResults := ft.Results != nil && len(ft.Results.List) > 0
	for _, loop := range w.rangeLoops {
		captures := uses(loop.Body)
		if !captures && hasResults {
			for _, r := range returnsIn(loop.Body) {
				captures = captures || len(r.Results) > 0
			}
		}
		if captures && w.yieldEscapes(body, loop.X, 0) {
			return true
		}
	}
	return false
}

// literalCaptures reports whether a result's address is taken, or a function literal
// escape analysis does not keep on the stack captures a result.
func (w *walker) literalCaptures(body *ast.BlockStmt, results map[types.Object]bool, uses func(ast.Node) bool) bool {
	escapes := false
	safe := w.safeLiterals(body)
	passed := w.pointerArgs(body)
	var visit func(n ast.Node)
	visit = func(n ast.Node) {
		ast.Inspect(n, func(m ast.Node) bool {
			if escapes {
				return false
			}
			switch m := m.(type) {
			case *ast.UnaryExpr:
				if m.Op == token.AND && !passed[m] {
					if id, ok := ast.Unparen(m.X).(*ast.Ident); ok && results[w.info.Uses[id]] {
						escapes = true
					}
				}
			case *ast.DeferStmt:
				// A top-level defer's arguments do not escape (escape analysis sends
				// them to a discard hole), so &r there keeps r on the stack.
				visit(m.Call.Fun)
				for _, a := range m.Call.Args {
					if u, ok := ast.Unparen(a).(*ast.UnaryExpr); ok && u.Op == token.AND {
						if _, ok := ast.Unparen(u.X).(*ast.Ident); ok {
							continue
						}
					}
					visit(a)
				}
				return false
			case *ast.FuncLit:
				if !safe[m] && uses(m) {
					escapes = true
				}
			}
			return true
		})
	}
	visit(body)
	return escapes
}

// pointerArgs returns the &x expressions in body passed straight to a pointer parameter of
// a statically known function (not through a go statement, an interface or a function
// value, whose arguments escape): ioutil.CheckClose(f, &err), atomic.AddInt64(&n, 1),
// json.NewDecoder(r).Decode is not one (its parameter is an interface). Such a parameter
// is taken not to leak — what the callee's escape tag says for functions that write
// through the pointer or read it — so x stays on the stack; a callee that stores the
// pointer is not told apart (not modelled).
func (w *walker) pointerArgs(body *ast.BlockStmt) map[*ast.UnaryExpr]bool {
	out := make(map[*ast.UnaryExpr]bool)
	goCalls := make(map[*ast.CallExpr]bool)
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			goCalls[n.Call] = true
		case *ast.CallExpr:
			fn := typeutil.StaticCallee(w.info, n)
			if fn == nil || goCalls[n] {
				break
			}
			params := fn.Signature().Params()
			for i, a := range n.Args {
				u, ok := ast.Unparen(a).(*ast.UnaryExpr)
				if !ok || u.Op != token.AND || i >= params.Len() || fn.Signature().Variadic() && i >= params.Len()-1 {
					continue
				}
				if _, ok := params.At(i).Type().Underlying().(*types.Pointer); ok {
					out[u] = true
				}
			}
		}
		return true
	})
	return out
}

// returnsIn returns the return statements of body outside function literals.
func returnsIn(body *ast.BlockStmt) []*ast.ReturnStmt {
	var out []*ast.ReturnStmt
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			out = append(out, n)
		}
		return true
	})
	return out
}

// inlinedIterators are the standard library's iterator constructors that the compiler
// inlines, their yield not escaping: ranging over them keeps the body closure on the
// stack (checked with -gcflags=-d=defer, testdata/cases).
var inlinedIterators = []struct {
	pkg   string
	names []string
}{
	{"slices", []string{"All", "Values", "Backward", "Chunk"}},
	{"maps", []string{"All", "Keys", "Values"}},
	{"strings", []string{"Lines", "SplitSeq", "SplitAfterSeq", "FieldsSeq", "FieldsFuncSeq"}},
	{"bytes", []string{"Lines", "SplitSeq", "SplitAfterSeq", "FieldsSeq", "FieldsFuncSeq"}},
}

// yieldEscapes reports whether the body closure of a range over x escapes, as escape
// analysis sees it: unless x is a function whose yield parameter is only called (or
// passed on to such functions of the package) — a function or method of the package, a
// literal, a call of a package function that just returns such a literal (inlined), one of
// the standard library's inlined iterators, or a local variable assigned once from one of
// those — x is an opaque function value (a parameter, a field, an interface method's
// result, another package's function) and the closure escapes.
func (w *walker) yieldEscapes(body *ast.BlockStmt, x ast.Expr, depth int) bool {
	if depth > 4 {
		return true
	}
	switch x := ast.Unparen(x).(type) {
	case *ast.FuncLit:
		return !w.litYieldOnlyCalled(x, nil)
	case *ast.CallExpr:
		fn, _ := typeutilCallee(w.info, x).(*types.Func)
		if fn == nil {
			return true
		}
		fn = fn.Origin()
		for _, it := range inlinedIterators {
			if fn.Pkg() != nil && fn.Pkg().Path() == it.pkg && fn.Signature().Recv() == nil && slices.Contains(it.names, fn.Name()) {
				return false
			}
		}
		decl := w.decls[fn]
		if decl == nil || len(decl.Body.List) != 1 {
			return true
		}
		ret, ok := decl.Body.List[0].(*ast.ReturnStmt)
		if !ok || len(ret.Results) != 1 {
			return true
		}
		lit, ok := ast.Unparen(ret.Results[0]).(*ast.FuncLit)
		return !ok || !w.litYieldOnlyCalled(lit, nil)
	case *ast.Ident, *ast.SelectorExpr:
		var id *ast.Ident
		if sel, ok := x.(*ast.SelectorExpr); ok {
			id = sel.Sel
		} else {
			id = x.(*ast.Ident)
		}
		switch obj := w.info.Uses[id].(type) {
		case *types.Func: // a function or a method value
			decl := w.decls[obj.Origin()]
			return decl == nil || !w.paramOnlyCalled(decl, 0, make(map[*ast.FuncDecl]bool))
		case *types.Var:
			if _, isSel := x.(*ast.SelectorExpr); isSel || obj.Pos() < body.Pos() || obj.Pos() >= body.End() {
				return true // a field, a parameter or a package variable
			}
			var values []ast.Expr
			ast.Inspect(body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.AssignStmt:
					for i, l := range n.Lhs {
						if lid, ok := ast.Unparen(l).(*ast.Ident); ok && w.info.ObjectOf(lid) == obj {
							if len(n.Lhs) == len(n.Rhs) {
								values = append(values, n.Rhs[i])
							} else {
								values = append(values, nil)
							}
						}
					}
				case *ast.ValueSpec:
					for i, vid := range n.Names {
						if w.info.ObjectOf(vid) == obj && len(n.Values) == len(n.Names) {
							values = append(values, n.Values[i])
						}
					}
				}
				return true
			})
			return len(values) != 1 || values[0] == nil || w.yieldEscapes(body, values[0], depth+1)
		}
	}
	return true
}

// litYieldOnlyCalled reports whether an iterator literal only calls its yield parameter
// (or passes it on to a function of the package that does).
func (w *walker) litYieldOnlyCalled(lit *ast.FuncLit, seen map[*ast.FuncDecl]bool) bool {
	params := lit.Type.Params.List
	if len(params) != 1 || len(params[0].Names) != 1 {
		return false
	}
	if seen == nil {
		seen = make(map[*ast.FuncDecl]bool)
	}
	return w.onlyCalledOrPassed(lit.Body, w.info.Defs[params[0].Names[0]], seen)
}

// paramOnlyCalled reports whether the i-th parameter of decl is only called, or passed on
// to functions of the package that only call it.
func (w *walker) paramOnlyCalled(decl *ast.FuncDecl, i int, seen map[*ast.FuncDecl]bool) bool {
	if seen[decl] {
		return true // a recursive pass, as a tree walk does
	}
	seen[decl] = true
	var names []*ast.Ident
	for _, f := range decl.Type.Params.List {
		if len(f.Names) == 0 {
			names = append(names, nil)
		}
		names = append(names, f.Names...)
	}
	if i >= len(names) || names[i] == nil {
		return false
	}
	return w.onlyCalledOrPassed(decl.Body, w.info.Defs[names[i]], seen)
}

func (w *walker) onlyCalledOrPassed(body *ast.BlockStmt, v types.Object, seen map[*ast.FuncDecl]bool) bool {
	if v == nil {
		return false
	}
	ok := true
	ast.PreorderStack(body, nil, func(n ast.Node, stack []ast.Node) bool {
		id, isID := n.(*ast.Ident)
		if !ok || !isID || w.info.Uses[id] != v || len(stack) == 0 {
			return ok
		}
		if b, isCmp := stack[len(stack)-1].(*ast.BinaryExpr); isCmp && (b.Op == token.EQL || b.Op == token.NEQ) {
			return true // f == nil
		}
		call, isCall := stack[len(stack)-1].(*ast.CallExpr)
		if !isCall {
			ok = false
			return false
		}
		if !runsInPlace(stack, nil) {
			ok = false
			return false
		}
		if ast.Unparen(call.Fun) == id {
			return true
		}
		fn, _ := typeutilCallee(w.info, call).(*types.Func)
		i := slices.IndexFunc(call.Args, func(a ast.Expr) bool { return ast.Unparen(a) == id })
		if i < 0 || fn == nil {
			ok = false
		} else if decl := w.decls[fn.Origin()]; decl != nil {
			ok = w.paramOnlyCalled(decl, i, seen)
		} else {
			ok = w.callbacks != nil && w.callbacks(fn.Origin(), i)
		}
		return ok
	})
	return ok
}

// runsInPlace reports whether a call whose enclosing nodes are stack (the call last)
// runs before the function that holds it returns, so that a function value it calls or
// passes on does not escape through it: it is not a go statement's call, and every
// function literal around it is itself called where it stands (deferred included), not
// stored, passed on or started by a go statement. A value called only inside a literal
// that escapes (go func() { fn() }(), t.Cleanup(func() { fn() })) escapes with it. A
// literal of safe (one a callee only calls) runs in place too.
func runsInPlace(stack []ast.Node, safe map[*ast.FuncLit]bool) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		switch n := stack[i].(type) {
		case *ast.CallExpr:
			if i > 0 {
				if _, isGo := stack[i-1].(*ast.GoStmt); isGo {
					return false
				}
			}
		case *ast.FuncLit:
			if i == 0 {
				return false
			}
			if safe[n] {
				continue
			}
			call, ok := stack[i-1].(*ast.CallExpr)
			if !ok || ast.Unparen(call.Fun) != n {
				return false
			}
		}
	}
	return true
}

// safeLiterals returns the function literals in body that escape analysis keeps on the
// stack: deferred or called where they stand (not by a go statement), kept in a local
// variable that is only ever called (not by a go statement), or passed to a function of
// this package whose parameter is only called, or to a standard library function that
// only calls it (callbackFuncs).
func (w *walker) safeLiterals(body *ast.BlockStmt) map[*ast.FuncLit]bool {
	safe := make(map[*ast.FuncLit]bool)
	onlyCalled := func(scope ast.Node, v types.Object) bool {
		ok := true
		ast.PreorderStack(scope, nil, func(n ast.Node, stack []ast.Node) bool {
			id, isID := n.(*ast.Ident)
			if !ok || !isID || w.info.Uses[id] != v || len(stack) == 0 {
				return ok
			}
			if b, isCmp := stack[len(stack)-1].(*ast.BinaryExpr); isCmp && (b.Op == token.EQL || b.Op == token.NEQ) {
				return true // g != nil
			}
			call, isCall := stack[len(stack)-1].(*ast.CallExpr)
			ok = isCall && ast.Unparen(call.Fun) == id && runsInPlace(stack, safe)
			return ok
		})
		return ok
	}
	goCalls := make(map[*ast.CallExpr]bool) // a go statement's literal runs elsewhere: it escapes
	locals := make(map[*ast.FuncLit]types.Object)
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			goCalls[n.Call] = true
		case *ast.CallExpr:
			if lit, ok := ast.Unparen(n.Fun).(*ast.FuncLit); ok && !goCalls[n] {
				safe[lit] = true
			}
			fn, _ := typeutilCallee(w.info, n).(*types.Func)
			if keepsCallbacks(fn) {
				for _, a := range n.Args {
					if lit, ok := ast.Unparen(a).(*ast.FuncLit); ok {
						safe[lit] = true
					}
				}
			}
			if fn == nil || goCalls[n] {
				break
			}
			decl := w.decls[fn.Origin()]
			if decl == nil {
				// Another package's function: its facts say which parameters it only calls.
				for i, a := range n.Args {
					if lit, ok := ast.Unparen(a).(*ast.FuncLit); ok && w.callbacks != nil && w.callbacks(fn.Origin(), i) {
						safe[lit] = true
					}
				}
				break
			}
			var params []*ast.Ident
			for _, f := range decl.Type.Params.List {
				if len(f.Names) == 0 {
					params = append(params, nil)
				}
				params = append(params, f.Names...)
			}
			for i, a := range n.Args {
				lit, ok := ast.Unparen(a).(*ast.FuncLit)
				if !ok || i >= len(params) || params[i] == nil {
					continue
				}
				if w.paramOnlyCalled(decl, i, make(map[*ast.FuncDecl]bool)) {
					safe[lit] = true
				}
			}
		case *ast.DeferStmt:
			if lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); ok {
				safe[lit] = true
			}
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				break
			}
			for i, r := range n.Rhs {
				lit, ok := ast.Unparen(r).(*ast.FuncLit)
				id, ok2 := n.Lhs[i].(*ast.Ident)
				if obj := w.info.ObjectOf(id); ok && ok2 && obj != nil {
					locals[lit] = obj
				}
			}
		}
		return true
	})
	// A local literal called only where it runs in place — inside literals found safe
	// too — is safe: decided once the others are known, until nothing changes.
	for changed := true; changed; {
		changed = false
		for lit, obj := range locals {
			if !safe[lit] && onlyCalled(body, obj) {
				safe[lit] = true
				changed = true
			}
		}
	}
	return safe
}

// callbackFuncs are standard library functions whose function parameters do not escape
// (they are only called, before the function returns): a literal passed to them stays on
// the stack. Checked with -gcflags=-d=defer (testdata/cases); testing.T.Run and
// time.AfterFunc, whose callbacks escape, are not among them.
var callbackFuncs = []struct {
	pkg, typ string
	names    []string
}{
	{"sort", "", []string{"Slice", "SliceStable", "Search", "Find"}},
	{"slices", "", []string{"SortFunc", "SortStableFunc", "IndexFunc", "ContainsFunc", "DeleteFunc", "EqualFunc", "CompareFunc",
		"BinarySearchFunc", "MaxFunc", "MinFunc", "IsSortedFunc", "CompactFunc"}},
	{"strings", "", []string{"Map", "IndexFunc", "LastIndexFunc", "FieldsFunc", "TrimFunc", "TrimLeftFunc", "TrimRightFunc", "ContainsFunc"}},
	{"bytes", "", []string{"Map", "IndexFunc", "LastIndexFunc", "FieldsFunc", "TrimFunc", "TrimLeftFunc", "TrimRightFunc", "ContainsFunc"}},
	{"maps", "", []string{"DeleteFunc", "EqualFunc"}},
	{"path/filepath", "", []string{"Walk", "WalkDir"}},
	{"io/fs", "", []string{"WalkDir"}},
	{"sync", "Once", []string{"Do"}},
	{"sync", "Map", []string{"Range"}},
}

func keepsCallbacks(fn *types.Func) bool {
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	fn = fn.Origin()
	for _, c := range callbackFuncs {
		if fn.Pkg().Path() != c.pkg || !slices.Contains(c.names, fn.Name()) {
			continue
		}
		recv := fn.Signature().Recv()
		if c.typ == "" {
			if recv == nil {
				return true
			}
			continue
		}
		if recv == nil {
			continue
		}
		t := recv.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := types.Unalias(t).(*types.Named); ok && n.Obj().Name() == c.typ {
			return true
		}
	}
	return false
}
