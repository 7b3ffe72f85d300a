package deferbeforecheck

import (
	_ "embed"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/effects"
	"github.com/deferfix/deferfix/rules/internal/fixes"
	"github.com/deferfix/deferfix/rules/internal/ruledoc"
)

//go:embed doc.go
var doc string

// Analyzer reports deferred cleanups registered before their value's error is checked.
var Analyzer = &analysis.Analyzer{
	Name:      "deferbeforecheck",
	Doc:       ruledoc.Extract(doc, "deferbeforecheck"),
	URL:       "https://pkg.go.dev/github.com/deferfix/deferfix/rules/deferbeforecheck",
	Requires:  []*analysis.Analyzer{inspect.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(effects.NilOnError), new(effects.NilInert)},
}

// Fix titles.
const (
	titleMove       = "Move the defer after the error check"
	titleMoveUnsafe = titleMove + fixes.UnsafeSuffix
)

const message = "deferred %s is registered before %s is checked, so it also runs when the call failed, on an invalid value"

func run(pass *analysis.Pass) (any, error) {
	// ExportNilOnError exports facts, so it runs in every package, unless they stay in
	// this one: then only when a finding needs it.
	var nilOnErr *effects.NilOnErrorFuncs
	if !fixes.FactsLocal(pass) {
		nilOnErr = effects.ExportNilOnError(pass)
		effects.ExportNilInert(pass)
	}
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for cur := range ins.Root().Preorder((*ast.BlockStmt)(nil), (*ast.CaseClause)(nil), (*ast.CommClause)(nil)) {
		list, _ := deferutil.StmtList(cur.Node())
		for i, s := range list {
			if m := match(pass, list, i, s); m != nil {
				if nilOnErr == nil {
					nilOnErr = effects.ExportNilOnError(pass)
				}
				report(pass, cur, m, nilOnErr)
			}
		}
	}
	return nil, nil
}

// A pair is a defer registered before the check of the error from its value's call.
type pair struct {
	list      []ast.Stmt
	call_     *ast.CallExpr // the call that returns the value and the error
	defer_    int           // index of the defer in list
	check     int           // index of the if err != nil
	errName   string
	valueName string     // the value the deferred call releases
	value     *types.Var // and its variable
	call      string     // the deferred method's name
}

// match reports the pair that starts with the assignment list[i], if any.
func match(pass *analysis.Pass, list []ast.Stmt, i int, s ast.Stmt) *pair {
	info := pass.TypesInfo
	as, ok := s.(*ast.AssignStmt)
	if !ok || len(as.Rhs) != 1 || len(as.Lhs) < 2 {
		return nil
	}
	call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
	if !ok {
		return nil
	}
	errVar := varOf(info, as.Lhs[len(as.Lhs)-1])
	if errVar == nil || !types.Identical(errVar.Type(), types.Universe.Lookup("error").Type()) {
		return nil
	}
	values := make(map[*types.Var]bool)
	for _, l := range as.Lhs[:len(as.Lhs)-1] {
		if v := varOf(info, l); v != nil {
			values[v] = true
		}
	}
	if len(values) == 0 {
		return nil
	}
	p := &pair{list: list, call_: call, defer_: -1, errName: errVar.Name()}
	for j := i + 1; j < len(list); j++ {
		switch s := list[j].(type) {
		case *ast.DeferStmt:
			if p.defer_ < 0 {
				if name, v, ok := methodOf(info, s.Call, values); ok {
					p.defer_, p.call, p.valueName, p.value = j, name, v.Name(), v
				}
			}
		case *ast.IfStmt:
			if s.Init == nil && deferutil.IsNotNil(info, s.Cond, errVar) {
				if p.defer_ < 0 || !leaves(info, s.Body) {
					return nil
				}
				p.check = j
				return p
			}
		}
		if assigns(info, list[j], errVar) || anyAssigned(info, list[j], values) {
			return nil
		}
	}
	return nil
}

// methodOf reports whether call is a method call on one of values (or a field of one),
// and the method's name.
func methodOf(info *types.Info, call *ast.CallExpr, values map[*types.Var]bool) (string, *types.Var, bool) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return "", nil, false
	}
	if s := info.Selections[sel]; s == nil || s.Kind() != types.MethodVal {
		return "", nil, false
	}
	x := ast.Unparen(sel.X)
	for {
		if inner, ok := x.(*ast.SelectorExpr); ok {
			if s := info.Selections[inner]; s != nil && s.Kind() == types.FieldVal {
				x = ast.Unparen(inner.X)
				continue
			}
		}
		break
	}
	id, ok := x.(*ast.Ident)
	if !ok {
		return "", nil, false
	}
	v, _ := info.Uses[id].(*types.Var)
	return sel.Sel.Name, v, v != nil && values[v]
}

// calleeText names the function call calls, as written.
func calleeText(call *ast.CallExpr) string {
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok {
			return id.Name + "." + f.Sel.Name
		}
		return f.Sel.Name
	case *ast.Ident:
		return f.Name
	}
	return "the call"
}

func varOf(info *types.Info, e ast.Expr) *types.Var {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	v, _ := info.ObjectOf(id).(*types.Var)
	return v
}

// leaves reports whether the block ends by leaving it: return, panic, a branch, or a call
// that does not return (os.Exit, log.Fatal...).
func leaves(info *types.Info, b *ast.BlockStmt) bool {
	if len(b.List) == 0 {
		return false
	}
	switch s := b.List[len(b.List)-1].(type) {
	case *ast.ReturnStmt, *ast.BranchStmt:
		return true
	case *ast.ExprStmt:
		call, ok := ast.Unparen(s.X).(*ast.CallExpr)
		if !ok {
			return false
		}
		obj := deferutil.Callee(info, call)
		return deferutil.IsBuiltin(info, call, "panic") ||
			deferutil.IsFunc(obj, "os", "Exit") ||
			deferutil.IsFunc(obj, "log", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln") ||
			deferutil.IsMethod(obj, "log", "Logger", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln") ||
			deferutil.IsMethod(obj, "testing", "common", "Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow")
	}
	return false
}

func assigns(info *types.Info, s ast.Stmt, v *types.Var) bool {
	return anyAssigned(info, s, map[*types.Var]bool{v: true})
}

// anyAssigned reports whether s assigns one of vars (outside function literals).
func anyAssigned(info *types.Info, s ast.Stmt, vars map[*types.Var]bool) bool {
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if v := varOf(info, l); v != nil && vars[v] {
					found = true
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				if v := varOf(info, n.X); v != nil && vars[v] {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// between classifies the statements strictly between the defer and the check: another
// defer forbids the move (their order would change); a deferred call whose receiver or
// arguments may change before the check forbids it too (effects.Span.MayChange: the
// moved defer would evaluate them later), and so does a return or a branch (the value is
// valid on that path, which the moved defer would miss); a statement that may panic
// (effects.MayPanic: the deferred call would no longer run on that panic) makes it unsafe.
func between(pass *analysis.Pass, fn ast.Node, p *pair) (blocked ast.Node, why string, unsafe ast.Node, unsafeWhy string) {
	info := pass.TypesInfo
	stmts := p.list[p.defer_+1 : p.check]
	for _, s := range stmts {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.DeferStmt:
				if blocked == nil {
					blocked, why = n, "another defer stands between them; moving this one would change the order the deferred calls run in"
				}
			case *ast.ReturnStmt, *ast.BranchStmt:
				// Not a panic path: the moved defer would miss a return on which the
				// value is valid, a leak even without a panic (-unsafe does not allow it).
				if blocked == nil {
					blocked, why = n, "a statement between them may leave before the check, where the moved defer would no longer run"
				}
			}
			return true
		})
		if unsafe == nil {
			if at, w := effects.MayPanic(info, s, nil); at != nil {
				unsafe, unsafeWhy = at, w+", and the deferred call would then no longer run"
			}
		}
	}
	if blocked != nil || len(stmts) == 0 {
		return blocked, why, unsafe, unsafeWhy
	}
	d := p.list[p.defer_].(*ast.DeferStmt)
	span := effects.NewFunc(info, fn, nil).Stmts(stmts)
	if sel, ok := ast.Unparen(d.Call.Fun).(*ast.SelectorExpr); ok {
		if at, w := span.RecvMayChange(sel); at != nil {
			return at, "moving the defer after the check would evaluate its receiver later: " + w, unsafe, unsafeWhy
		}
	}
	for _, a := range d.Call.Args {
		if at, w := span.MayChange(a); at != nil {
			return at, "moving the defer after the check would evaluate its argument later: " + w, unsafe, unsafeWhy
		}
	}
	return nil, "", unsafe, unsafeWhy
}

// The move is exact only on the paths it covers; it is refused when
//   - another defer stands between the defer and the check (their order would change);
//   - the check has an else if: the value is valid there, and the defer would have to be
//     registered before the else-if's condition, which is not a place for a statement
//     (a plain else gets the defer as its first statement instead: with the check's own
//     branch leaving, the else is exactly the path past the check, and any defer in it
//     is still registered after this one);
//   - the call that returned the value is not known to return a zero value whenever its
//     error is non-nil (effects.NilOnError): the original then released a live value on
//     the error path, which the moved defer no longer does;
//   - the deferred call, made on that nil value, is not known to do nothing but panic
//     (effects.NilCallInert): the original made it on the error path, the move does not.
func report(pass *analysis.Pass, cur inspector.Cursor, p *pair, nilOnErr *effects.NilOnErrorFuncs) {
	d := p.list[p.defer_].(*ast.DeferStmt)
	msg := sprintf(message, p.call, p.errName)
	rng := analysis.Range(deferutil.Keyword{Defer: d})
	fn, ok := deferutil.Func(cur)
	if !ok {
		return
	}
	blocked, why, unsafe, unsafeWhy := between(pass, fn.Node(), p)
	if blocked != nil {
		fixes.Refuse(pass, rng, blocked.Pos(), msg, why)
		return
	}
	check := p.list[p.check].(*ast.IfStmt)
	if elif, ok := check.Else.(*ast.IfStmt); ok {
		fixes.Refuse(pass, rng, elif.Pos(), msg, "the check has an else if, where the value is valid; moving the defer after the if would skip it on the paths that return from there")
		return
	}
	if !nilOnErr.Call(p.call_) {
		fixes.Refuse(pass, rng, p.call_.Pos(), msg, sprintf("%s is not known to return a nil %s whenever %s is not nil; the deferred %s may release a live value on that path, which the moved defer would skip", calleeText(p.call_), p.valueName, p.errName, p.call))
		return
	}
	if !effects.NilCallInert(pass, d.Call, p.value) {
		fixes.Refuse(pass, rng, d.Call.Pos(), msg, sprintf("%s on a nil %s is not known to do nothing; the original makes that call when %s is not nil, the moved defer would not", p.call, p.valueName, p.errName))
		return
	}
	title := titleMove
	var related []analysis.RelatedInformation
	if unsafe != nil {
		title = titleMoveUnsafe
		related = append(related, analysis.RelatedInformation{Pos: unsafe.Pos(), End: unsafe.Pos(), Message: fixes.UnsafePrefix + unsafeWhy})
	}
	var file *ast.File
	for c := range cur.Enclosing((*ast.File)(nil)) {
		file = c.Node().(*ast.File)
	}
	fix, err := fixes.FixAt(pass, file, d, title, func(f *fixes.File) error { return move(f, cur.Node(), d, check) })
	if err != nil {
		fixes.Refuse(pass, rng, token.NoPos, msg, err.Error())
		return
	}
	pass.Report(analysis.Diagnostic{Pos: rng.Pos(), End: rng.End(), Message: msg, Related: related, SuggestedFixes: []analysis.SuggestedFix{fix}})
}
