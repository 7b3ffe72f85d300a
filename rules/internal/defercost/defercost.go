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
//   - ssagen/ssa.go: explicit return statements × defer statements > 15 turns it off, as
//     does a result parameter that lives on the heap;
//   - builds with -N or -race never open-code (not modelled: the default build is).
//
// Escape of a result parameter is approximated: its address is taken (other than as a
// top-level defer's argument), or a function literal captures it that is not deferred or
// called where it stands, nor kept in a local variable that is only called, nor passed to
// a function of the package that only calls that parameter.
package defercost

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

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
		predictFile(info, decls, f, out)
	}
	return out
}

func predictFile(info *types.Info, decls map[types.Object]*ast.FuncDecl, file *ast.File, out map[ast.Node]*Func) {
	var visit func(fn ast.Node, body *ast.BlockStmt, generic bool)
	visit = func(fn ast.Node, body *ast.BlockStmt, generic bool) {
		p := &Func{Node: fn, Defers: make(map[*ast.DeferStmt]Strategy), Generic: generic}
		w := &walker{info: info, decls: decls, p: p, looping: loopingLabels(body)}
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
	decls          map[types.Object]*ast.FuncDecl
	p              *Func
	looping        map[string]bool
	depth          map[*ast.DeferStmt]int
	rangeBody      map[*ast.DeferStmt]bool
	lits           []*ast.FuncLit
	inLoop         bool
	rangeFuncDefer bool
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
		w.p.Returns++
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
			// loop depth starts afresh.
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
	if len(results) == 0 {
		return false
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
	escapes := false
	safe := w.safeLiterals(body)
	var visit func(n ast.Node)
	visit = func(n ast.Node) {
		ast.Inspect(n, func(m ast.Node) bool {
			if escapes {
				return false
			}
			switch m := m.(type) {
			case *ast.UnaryExpr:
				if m.Op == token.AND {
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

// safeLiterals returns the function literals in body that escape analysis keeps on the
// stack: deferred or called where they stand, kept in a local variable that is only ever
// called, or passed to a function of this package whose parameter is only called.
func (w *walker) safeLiterals(body *ast.BlockStmt) map[*ast.FuncLit]bool {
	safe := make(map[*ast.FuncLit]bool)
	onlyCalled := func(scope ast.Node, v types.Object) bool {
		ok := true
		calls := make(map[*ast.Ident]bool)
		ast.Inspect(scope, func(n ast.Node) bool {
			if call, isCall := n.(*ast.CallExpr); isCall {
				if id, isID := ast.Unparen(call.Fun).(*ast.Ident); isID {
					calls[id] = true
				}
			}
			return true
		})
		ast.Inspect(scope, func(n ast.Node) bool {
			if id, isID := n.(*ast.Ident); isID && w.info.Uses[id] == v && !calls[id] {
				ok = false
			}
			return ok
		})
		return ok
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if lit, ok := ast.Unparen(n.Fun).(*ast.FuncLit); ok {
				safe[lit] = true
			}
			fn, _ := typeutilCallee(w.info, n).(*types.Func)
			decl := w.decls[fn]
			if decl == nil {
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
				if obj := w.info.Defs[params[i]]; obj != nil && onlyCalled(decl.Body, obj) {
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
				if ok && ok2 {
					if obj := w.info.ObjectOf(id); obj != nil && onlyCalled(body, obj) {
						safe[lit] = true
					}
				}
			}
		}
		return true
	})
	return safe
}
