package loopdefer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"
	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

// The rewrite gives the loop body B a scope of its own: a function literal called once
// per iteration, so the iteration's deferred calls run when it ends. Three shapes, the
// simplest that fits:
//
//  1. B leaves only by reaching its end or by continue:
//
//     for ... { B }  ⇒  for ... { func() { B' }() }
//
//     where B' is B with each continue of the loop turned into return.
//
//  2. B returns from the function, and every return returns leading zero literals
//     (0, "", nil, false) and a provably non-nil error — err inside if err != nil,
//     fmt.Errorf, errors.New, &T{...}; there is no break:
//
//     for ... { B }  ⇒  for ... {
//     	if err := func() error { B'; return nil }(); err != nil {
//     		return 0, err
//     	}
//     }
//
//     A return nil in B would mean "continue" in this shape, hence the proof.
//
//  3. Otherwise the literal returns a flag for each kind of exit B uses — return (exit),
//     break of the loop (brk), each break or continue of an outer label — followed, if B
//     returns values, by the function's results. Returned values are evaluated inside the
//     literal, before the iteration's deferred calls run, as in the original. After the
//     call, the flags are acted on.
//
// Safety: the literal captures variables by reference, so assignments in B act as before;
// per-iteration loop variables (Go 1.22) stay the loop's. What would change — and is
// refused in scope.go — is what a deferred call observes at the end of the iteration
// rather than at the function's return: recovering (a panic would no longer end the
// loop), named results, variables assigned after the iteration, released values kept
// beyond it; a goto leaving B cannot leave a literal. Fresh names never shadow a name the
// function uses. The refused cases are reported with the reason.

// fix returns the fix for the scope, or where and why there is none (or why the defers
// look intended).
func (s *scope) fix() (analysis.SuggestedFix, *refusal) {
	if r := s.analyze(); r != nil {
		return analysis.SuggestedFix{}, r
	}
	title := titleScope
	if s.unsafe {
		title += fixes.UnsafeSuffix
	}
	fix, err := fixes.FixAt(s.pass, s.file(), s.loop.Node(), title, s.rewrite)
	if err != nil {
		return analysis.SuggestedFix{}, &refusal{reason: err.Error()}
	}
	return fix, nil
}

// plainLiteral reports whether the literal takes shape 1 or 2: it wraps the body and
// nothing more, with no flags saying how the iteration was left. Valid after analyze.
func (s *scope) plainLiteral() bool {
	if !s.has(exitReturn) && !s.has(exitBreak) && !s.has(exitOuter) {
		return true
	}
	return (&rewriter{scope: s}).errorIdiom()
}

func (s *scope) rewrite(f *fixes.File) error {
	var body **dst.BlockStmt
	switch l := f.Node(s.loop.Node()).(type) {
	case *dst.ForStmt:
		body = &l.Body
	case *dst.RangeStmt:
		body = &l.Body
	default:
		return fmt.Errorf("loop not found in the decorated file")
	}
	r := &rewriter{scope: s, f: f, old: *body}
	var err error
	switch {
	case !s.has(exitReturn) && !s.has(exitBreak) && !s.has(exitOuter):
		*body, err = r.simple()
	case r.errorIdiom():
		*body, err = r.errorForm()
	default:
		*body, err = r.general()
	}
	if err != nil {
		return err
	}
	// A comment after the loop's { is about the loop: it stays on the loop's line, not
	// on the literal's.
	(*body).Decs.Lbrace, r.old.Decs.Lbrace = r.old.Decs.Lbrace, nil
	return r.dropUnusedLabel()
}

// dropUnusedLabel removes the loop's label when every use of it was a break or continue
// in the body that the rewrite turned into a return: Go rejects an unused label. Comments
// on the label move to the loop.
func (r *rewriter) dropUnusedLabel() error {
	if r.label == nil {
		return nil
	}
	translated := make(map[*ast.Ident]bool)
	for _, e := range r.exits {
		if b, ok := e.stmt.(*ast.BranchStmt); ok && b.Label != nil && e.kind != exitOuter {
			translated[b.Label] = true
		}
	}
	for id, obj := range r.pass.TypesInfo.Uses {
		if obj == r.label && !translated[id] {
			return nil // still used, by a goto or a jump the rewrite kept
		}
	}
	ls, ok := r.f.Node(r.loop.Parent().Node()).(*dst.LabeledStmt)
	if !ok {
		return fmt.Errorf("labelled loop not found in the decorated file")
	}
	loop := ls.Stmt
	decs := loop.Decorations()
	decs.Before = ls.Decs.Before
	decs.Start = append(append(dst.Decorations{}, ls.Decs.Start...), decs.Start...)
	replaced := false
	dstutil.Apply(r.f.Dst, func(c *dstutil.Cursor) bool {
		if c.Node() == ls {
			c.Replace(loop)
			replaced = true
			return false
		}
		return !replaced
	}, nil)
	if !replaced {
		return fmt.Errorf("labelled loop not found in the decorated file")
	}
	return nil
}

type rewriter struct {
	*scope
	f   *fixes.File
	old *dst.BlockStmt
}

// replace swaps each exit statement of the body for what build returns.
func (r *rewriter) replace(build func(e exit, n dst.Stmt) dst.Stmt) error {
	repl := make(map[dst.Node]dst.Stmt)
	for _, e := range r.exits {
		n, ok := r.f.Node(e.stmt).(dst.Stmt)
		if !ok {
			return fmt.Errorf("exit statement not found in the decorated file")
		}
		repl[n] = build(e, n)
	}
	dstutil.Apply(r.old, func(c *dstutil.Cursor) bool {
		if to, ok := repl[c.Node()]; ok && to != c.Node() {
			c.Replace(to)
		}
		return true
	}, nil)
	return nil
}

// returnFor builds a return statement that keeps the decorations of the statement n.
func returnFor(n dst.Stmt, results ...dst.Expr) *dst.ReturnStmt {
	ret, ok := n.(*dst.ReturnStmt)
	if !ok {
		ret = &dst.ReturnStmt{}
		ret.Decs.NodeDecs = *n.Decorations()
	}
	ret.Results = results
	return ret
}

func literal(results *dst.FieldList, body *dst.BlockStmt) *dst.CallExpr {
	return &dst.CallExpr{Fun: &dst.FuncLit{
		Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}, Results: results},
		Body: body,
	}}
}

func (r *rewriter) simple() (*dst.BlockStmt, error) {
	if err := r.replace(func(e exit, n dst.Stmt) dst.Stmt { return returnFor(n) }); err != nil {
		return nil, err
	}
	return &dst.BlockStmt{List: []dst.Stmt{&dst.ExprStmt{X: literal(nil, r.old)}}}, nil
}

// errorIdiom reports whether shape 2 applies.
func (r *rewriter) errorIdiom() bool {
	res := r.sig.Results()
	if r.has(exitBreak) || r.has(exitOuter) || res.Len() == 0 || !deferutil.IsError(res.At(res.Len()-1).Type()) {
		return false
	}
	for _, e := range r.exits {
		ret, ok := e.stmt.(*ast.ReturnStmt)
		if !ok {
			continue
		}
		if len(ret.Results) != res.Len() {
			return false
		}
		for _, z := range ret.Results[:len(ret.Results)-1] {
			if !isZeroLiteral(r.pass.TypesInfo, z) {
				return false
			}
		}
		if !r.nonNil(ret, ret.Results[len(ret.Results)-1]) {
			return false
		}
	}
	return true
}

func isZeroLiteral(info *types.Info, e ast.Expr) bool {
	switch x := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		return x.Value == "0" || x.Value == `""` || x.Value == "``"
	case *ast.Ident:
		_, isNil := info.Uses[x].(*types.Nil)
		return isNil || info.Uses[x] == types.Universe.Lookup("false")
	}
	return false
}

// nonNil reports whether e, returned by ret, is provably a non-nil error.
func (r *rewriter) nonNil(ret *ast.ReturnStmt, e ast.Expr) bool {
	info := r.pass.TypesInfo
	switch x := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		return deferutil.IsFunc(deferutil.Callee(info, x), "fmt", "Errorf") ||
			deferutil.IsFunc(deferutil.Callee(info, x), "errors", "New")
	case *ast.UnaryExpr:
		_, ok := ast.Unparen(x.X).(*ast.CompositeLit)
		return x.Op == token.AND && ok
	case *ast.Ident:
		v, ok := info.Uses[x].(*types.Var)
		if !ok {
			return false
		}
		// ret must sit in the body of if v != nil, with no assignment to v before it there.
		cur, ok := r.loop.FindNode(ret)
		if !ok {
			return false
		}
		for c := range cur.Enclosing((*ast.IfStmt)(nil), (*ast.FuncLit)(nil)) {
			ifs, ok := c.Node().(*ast.IfStmt)
			if !ok {
				return false
			}
			if !(ifs.Body.Pos() <= ret.Pos() && ret.End() <= ifs.Body.End()) || !deferutil.IsNotNil(info, ifs.Cond, v) {
				continue
			}
			// v must still hold what the condition tested when the return reads it: no
			// assignment to it in the body (anywhere: a loop in the body may run one
			// after the return's position), and, when anything but this function's own
			// statements can write v (a closure captures it, its address is taken, it is
			// not a local), no call or channel operation in the body either.
			return !assigns(info, ifs.Body, v, ifs.Body.End()) && !(r.shared(v) && runsCode(info, ifs.Body))
		}
	}
	return false
}

// shared reports whether code other than the function's own statements may write v: it
// is not a variable of the function, a function literal in it refers to v, or its
// address is taken.
func (r *rewriter) shared(v *types.Var) bool {
	_, body := deferutil.FuncParts(r.fn.Node())
	if body == nil || !(body.Pos() <= v.Pos() && v.Pos() < body.End()) {
		if sig := r.sig; sig == nil || !declaredIn(sig, v) {
			return true
		}
	}
	info := r.pass.TypesInfo
	found := false
	var walk func(n ast.Node, inLit bool)
	walk = func(root ast.Node, inLit bool) {
		ast.Inspect(root, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				if n != root {
					walk(n, true)
					return false
				}
			case *ast.Ident:
				if inLit && info.Uses[n] == v {
					found = true
				}
			case *ast.UnaryExpr:
				if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND && info.Uses[id] == v {
					found = true
				}
			}
			return !found
		})
	}
	walk(r.fn.Node(), false)
	return found
}

// declaredIn reports whether v is a parameter or result of sig.
func declaredIn(sig *types.Signature, v *types.Var) bool {
	for _, t := range []*types.Tuple{sig.Params(), sig.Results()} {
		for i := range t.Len() {
			if t.At(i) == v {
				return true
			}
		}
	}
	return false
}

// runsCode reports whether n calls a function (conversions and builtins other than
// panic aside) or operates on a channel, letting other code run.
func runsCode(info *types.Info, n ast.Node) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if tv, ok := info.Types[m.Fun]; ok && tv.IsType() {
				return true
			}
			if _, ok := deferutil.Callee(info, m).(*types.Builtin); !ok {
				found = true
			}
		case *ast.SendStmt, *ast.SelectStmt:
			found = true
		case *ast.UnaryExpr:
			found = found || m.Op == token.ARROW
		case *ast.RangeStmt:
			if _, ok := info.TypeOf(m.X).Underlying().(*types.Signature); ok {
				found = true // range over func runs the iterator
			}
			if _, ok := info.TypeOf(m.X).Underlying().(*types.Chan); ok {
				found = true
			}
		}
		return !found
	})
	return found
}

// assigns reports whether n assigns v before pos.
func assigns(info *types.Info, n ast.Node, v *types.Var, pos token.Pos) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if as, ok := m.(*ast.AssignStmt); ok && as.Pos() < pos {
			for _, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok && info.ObjectOf(id) == v {
					found = true
				}
			}
		}
		if u, ok := m.(*ast.UnaryExpr); ok && u.Op == token.AND {
			if id, ok := u.X.(*ast.Ident); ok && info.Uses[id] == v {
				found = true
			}
		}
		return !found
	})
	return found
}

func (r *rewriter) errorForm() (*dst.BlockStmt, error) {
	if err := deferutil.Predeclared(r.pass, r.fn.Node(), "nil", "error"); err != nil {
		return nil, err
	}
	var zeros []dst.Expr
	for _, e := range r.exits {
		if ret, ok := e.stmt.(*ast.ReturnStmt); ok {
			for _, z := range ret.Results[:len(ret.Results)-1] {
				zeros = append(zeros, dst.Clone(r.f.Node(z)).(dst.Expr))
			}
			break
		}
	}
	err := r.replace(func(e exit, n dst.Stmt) dst.Stmt {
		if ret, ok := n.(*dst.ReturnStmt); ok {
			return returnFor(ret, ret.Results[len(ret.Results)-1])
		}
		return returnFor(n, dst.NewIdent("nil"))
	})
	if err != nil {
		return nil, err
	}
	if !r.terminates() {
		r.old.List = append(r.old.List, &dst.ReturnStmt{Results: []dst.Expr{dst.NewIdent("nil")}})
	}
	results := &dst.FieldList{List: []*dst.Field{{Type: dst.NewIdent("error")}}}
	name := "err"
	ifs := &dst.IfStmt{
		Init: &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(name)}, Tok: token.DEFINE, Rhs: []dst.Expr{literal(results, r.old)}},
		Cond: &dst.BinaryExpr{X: dst.NewIdent(name), Op: token.NEQ, Y: dst.NewIdent("nil")},
		Body: &dst.BlockStmt{List: []dst.Stmt{&dst.ReturnStmt{Results: append(zeros, dst.NewIdent(name))}}},
	}
	return &dst.BlockStmt{List: []dst.Stmt{ifs}}, nil
}

// A flag is one result of the literal saying how the iteration was left.
type flag struct {
	name string
	kind exitKind
	jump *ast.BranchStmt // for exitOuter: the jump to repeat after the call
}

func (r *rewriter) general() (*dst.BlockStmt, error) {
	names := deferutil.NewNames(r.pass.TypesInfo, r.fn.Node(), r.pass.TypesInfo.Scopes[r.body], r.body.Pos())
	var flags []*flag
	if r.has(exitReturn) {
		flags = append(flags, &flag{name: names.Fresh("exit"), kind: exitReturn})
	}
	if r.has(exitBreak) {
		flags = append(flags, &flag{name: names.Fresh("brk"), kind: exitBreak})
	}
	outer := make(map[string]*flag)
	for _, e := range r.exits {
		if e.kind != exitOuter {
			continue
		}
		b := e.stmt.(*ast.BranchStmt)
		key := b.Tok.String() + " " + b.Label.Name
		if outer[key] == nil {
			base := "brk"
			if b.Tok == token.CONTINUE {
				base = "cont"
			}
			outer[key] = &flag{name: names.Fresh(base + capitalize(b.Label.Name)), kind: exitOuter, jump: b}
			flags = append(flags, outer[key])
		}
	}
	flagFor := func(e exit) *flag {
		switch e.kind {
		case exitOuter:
			b := e.stmt.(*ast.BranchStmt)
			return outer[b.Tok.String()+" "+b.Label.Name]
		case exitContinue:
			return nil
		}
		for _, f := range flags {
			if f.kind == e.kind {
				return f
			}
		}
		return nil
	}
	flagValues := func(set *flag) []dst.Expr {
		var out []dst.Expr
		for _, f := range flags {
			out = append(out, dst.NewIdent(fmt.Sprint(f == set)))
		}
		return out
	}

	// Result slots: the function's results, when the body returns values.
	var slotTypes []dst.Expr
	var zeros []dst.Expr
	if r.valuedReturns() {
		types, err := r.resultTypes()
		if err != nil {
			return nil, err
		}
		if err := r.resultTypesVisible(); err != nil {
			return nil, err
		}
		for i, t := range types {
			z, err := zero(r.sig.Results().At(i).Type(), t)
			if err != nil {
				return nil, err
			}
			slotTypes, zeros = append(slotTypes, t), append(zeros, z)
		}
	}
	// The names the shape writes must be the predeclared ones: the flags' type and
	// values, and those the zero values are spelled with.
	emitted := []string{}
	if len(flags) > 0 {
		emitted = append(emitted, "bool", "true", "false")
	}
	for _, z := range zeros {
		dst.Inspect(z, func(n dst.Node) bool {
			if id, ok := n.(*dst.Ident); ok && id.Path == "" && (id.Name == "nil" || id.Name == "false" || id.Name == "new") {
				emitted = append(emitted, id.Name)
			}
			return true
		})
	}
	if err := deferutil.Predeclared(r.pass, r.fn.Node(), emitted...); err != nil {
		return nil, err
	}
	cloneZeros := func() []dst.Expr {
		out := make([]dst.Expr, len(zeros))
		for i, z := range zeros {
			out[i] = dst.Clone(z).(dst.Expr)
		}
		return out
	}
	err := r.replace(func(e exit, n dst.Stmt) dst.Stmt {
		vals := flagValues(flagFor(e))
		if ret, ok := n.(*dst.ReturnStmt); ok && len(ret.Results) > 0 {
			return returnFor(ret, append(vals, ret.Results...)...)
		}
		return returnFor(n, append(vals, cloneZeros()...)...)
	})
	if err != nil {
		return nil, err
	}
	if !r.terminates() {
		r.old.List = append(r.old.List, &dst.ReturnStmt{Results: append(flagValues(nil), cloneZeros()...)})
	}

	// The literal's results: named flags, then the slots as blanks.
	results := &dst.FieldList{}
	if len(flags) > 0 {
		field := &dst.Field{Type: dst.NewIdent("bool")}
		for _, f := range flags {
			field.Names = append(field.Names, dst.NewIdent(f.name))
		}
		results.List = append(results.List, field)
	}
	for _, t := range slotTypes {
		results.List = append(results.List, &dst.Field{Names: []*dst.Ident{dst.NewIdent("_")}, Type: dst.Clone(t).(dst.Expr)})
	}

	// Variables for the results after the call, and what is done with them.
	var lhs []dst.Expr
	for _, f := range flags {
		lhs = append(lhs, dst.NewIdent(f.name))
	}
	var resultVars []dst.Expr
	taken := make(map[string]bool)
	for _, f := range flags {
		taken[f.name] = true
	}
	for i := range slotTypes {
		// The variables live in the new loop body, which holds only the generated
		// statements, so err (and a named result's own name) may shadow harmlessly; other
		// names are fresh in the function, for a reader's sake.
		v := r.sig.Results().At(i)
		var name string
		switch {
		case v.Name() != "" && v.Name() != "_":
			name = v.Name()
		case deferutil.IsError(v.Type()):
			name = "err"
		default:
			name = names.Fresh(fmt.Sprintf("r%d", i))
		}
		for n := 2; taken[name] || mentionsName(zeros, name) || mentionsName(slotTypes, name); n++ {
			name = fmt.Sprintf("%s%d", strings.TrimRight(name, "0123456789"), n)
		}
		taken[name] = true
		lhs = append(lhs, dst.NewIdent(name))
		resultVars = append(resultVars, dst.NewIdent(name))
	}
	stmts := []dst.Stmt{&dst.AssignStmt{Lhs: lhs, Tok: token.DEFINE, Rhs: []dst.Expr{literal(results, r.old)}}}
	for _, f := range flags {
		var then dst.Stmt
		switch f.kind {
		case exitReturn:
			then = &dst.ReturnStmt{Results: resultVars}
		case exitBreak:
			then = &dst.BranchStmt{Tok: token.BREAK}
		case exitOuter:
			then = &dst.BranchStmt{Tok: f.jump.Tok, Label: dst.NewIdent(f.jump.Label.Name)}
		}
		stmts = append(stmts, &dst.IfStmt{Cond: dst.NewIdent(f.name), Body: &dst.BlockStmt{List: []dst.Stmt{then}}})
	}
	return &dst.BlockStmt{List: stmts}, nil
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// mentionsName reports whether an identifier called name occurs in exprs.
func mentionsName(exprs []dst.Expr, name string) bool {
	found := false
	for _, e := range exprs {
		dst.Inspect(e, func(n dst.Node) bool {
			if id, ok := n.(*dst.Ident); ok && id.Name == name {
				found = true
			}
			return !found
		})
	}
	return found
}

// resultTypes returns the function's result types as written in its signature, one per
// result.
func (r *rewriter) resultTypes() ([]dst.Expr, error) {
	var ft *dst.FuncType
	switch fn := r.f.Node(r.fn.Node()).(type) {
	case *dst.FuncDecl:
		ft = fn.Type
	case *dst.FuncLit:
		ft = fn.Type
	}
	if ft == nil || ft.Results == nil {
		return nil, fmt.Errorf("function signature not found in the decorated file")
	}
	var out []dst.Expr
	for _, field := range ft.Results.List {
		for range max(1, len(field.Names)) {
			out = append(out, field.Type)
		}
	}
	return out, nil
}

// resultTypesVisible checks that the function's result types, written again as the
// literal's results at the start of the loop body, still denote the same types there: a
// type, package or variable declared in the function before the loop (or a loop
// variable) may shadow a name the signature uses.
func (r *rewriter) resultTypesVisible() error {
	ft, _ := deferutil.FuncParts(r.fn.Node())
	if ft == nil || ft.Results == nil {
		return fmt.Errorf("function signature not found")
	}
	i := 0
	for _, field := range ft.Results.List {
		for range max(1, len(field.Names)) {
			if err := deferutil.TypeSpelledAt(r.pass, r.body.Lbrace+1, types.ExprString(field.Type), r.sig.Results().At(i).Type()); err != nil {
				return err
			}
			i++
		}
	}
	return nil
}

// zero returns an expression for the zero value of t, whose type is spelled texpr.
func zero(t types.Type, texpr dst.Expr) (dst.Expr, error) {
	if _, ok := t.(*types.TypeParam); ok {
		return &dst.StarExpr{X: &dst.CallExpr{Fun: dst.NewIdent("new"), Args: []dst.Expr{dst.Clone(texpr).(dst.Expr)}}}, nil
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			return dst.NewIdent("false"), nil
		case u.Info()&types.IsString != 0:
			return &dst.BasicLit{Kind: token.STRING, Value: `""`}, nil
		case u.Info()&types.IsNumeric != 0:
			return &dst.BasicLit{Kind: token.INT, Value: "0"}, nil
		case u.Kind() == types.UnsafePointer:
			return dst.NewIdent("nil"), nil
		}
	case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		return dst.NewIdent("nil"), nil
	case *types.Struct, *types.Array:
		return &dst.CompositeLit{Type: dst.Clone(texpr).(dst.Expr)}, nil
	}
	return nil, fmt.Errorf("cannot spell the zero value of %s", t)
}

// terminates reports whether the body ends in a terminating statement once its exits
// have become returns, so that no final return is needed (or allowed: vet would call it
// unreachable).
func (r *rewriter) terminates() bool {
	exits := make(map[ast.Stmt]bool)
	for _, e := range r.exits {
		exits[e.stmt] = true
	}
	return deferutil.Terminating(r.pass.TypesInfo, r.body, exits)
}
