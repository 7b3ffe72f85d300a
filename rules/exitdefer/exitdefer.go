package exitdefer

import (
	_ "embed"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/effects"
	"github.com/deferfix/deferfix/rules/internal/fixes"
	"github.com/deferfix/deferfix/rules/internal/ruledoc"
)

//go:embed doc.go
var doc string

// Analyzer reports program exits that skip pending deferred calls.
var Analyzer = &analysis.Analyzer{
	Name:      "exitdefer",
	Doc:       ruledoc.Extract(doc, "exitdefer"),
	URL:       "https://pkg.go.dev/github.com/deferfix/deferfix/rules/exitdefer",
	Requires:  []*analysis.Analyzer{inspect.Analyzer, effects.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(noReturn), new(lasting)},
}

func init() { fixes.AllFlag(Analyzer) }

// noReturn marks a function that always ends the program; Failure, that it ends it with
// a failure status (a log Fatal, os.Exit with a non-zero constant). Drivers that carry
// facts between packages (go vet, analysistest) thereby know a logging library's Fatal
// helper; deferfix's own driver knows the functions of the package being analyzed.
type noReturn struct{ Failure bool }

func (*noReturn) AFact()         {}
func (*noReturn) String() string { return "noReturn" }

const titleRun = "Move main's body into run so deferred calls run before the exit"

const message = "%s ends the program before the deferred %s (line %d) runs, so %s"

// exitKind says how a call ends the program.
type exitKind int

const (
	notExit   exitKind = iota
	osExit             // os.Exit(code)
	logFatal           // log.Fatal*(...) or (*log.Logger).Fatal*(...)
	noReturns          // a function of this package that always ends in one of those
)

func run(pass *analysis.Pass) (any, error) {
	info := pass.TypesInfo
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	// Only functions with a defer of their own can have one pending at an exit.
	hasDefer := make(map[ast.Node]bool)
	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		if fn, ok := deferutil.Func(cur); ok {
			hasDefer[fn.Node()] = true
		}
	}
	if len(hasDefer) == 0 && fixes.FactsLocal(pass) {
		return nil, nil // nothing to report, and no other package sees the facts
	}
	noret := noReturnFuncs(pass)  // exports facts, so it runs in every package
	local := newLazyLasting(pass) // likewise, unless the facts stay in this package
	kindOf := func(call *ast.CallExpr) exitKind {
		obj := deferutil.Callee(info, call)
		switch {
		case deferutil.IsFunc(obj, "os", "Exit"):
			return osExit
		case deferutil.IsFunc(obj, "log", "Fatal", "Fatalf", "Fatalln"),
			deferutil.IsMethod(obj, "log", "Logger", "Fatal", "Fatalf", "Fatalln"):
			return logFatal
		}
		if fn, ok := obj.(*types.Func); ok && (noret[fn] != nil || fn.Pkg() != pass.Pkg && pass.ImportObjectFact(fn, new(noReturn))) {
			return noReturns
		}
		return notExit
	}
	failed := func(call *ast.CallExpr) bool { return failure(pass, noret, call) }
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		_, body := deferutil.FuncParts(cur.Node())
		if body == nil || !hasDefer[cur.Node()] {
			continue
		}
		var all []*ast.DeferStmt
		var exits []*ast.ExprStmt
		ast.Inspect(body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.DeferStmt:
				all = append(all, n)
			case *ast.ExprStmt:
				if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok && kindOf(call) != notExit {
					exits = append(exits, n)
				}
			}
			return true
		})
		if len(exits) == 0 {
			continue
		}
		// Only defers whose skipped call loses something that outlives the process.
		var defers []*ast.DeferStmt
		losses := make(map[*ast.DeferStmt]loss)
		for _, d := range all {
			if l := local.callLoss(body, d.Call); l != "" {
				defers = append(defers, d)
				losses[d] = l
			}
		}
		if len(defers) == 0 {
			continue
		}
		g := cfg.New(body, func(call *ast.CallExpr) bool { return kindOf(call) == notExit })
		var pending, intended []pendingExit
		for _, e := range exits {
			ds := pendingAt(g, defers, e)
			if len(ds) == 0 {
				continue
			}
			// The exit is a finding when one of its pending calls loses something that
			// matters there (intent.go); otherwise it looks intended, for the first
			// pending call's reason.
			p := pendingExit{exit: e}
			for _, d := range ds {
				why := excused(pass, local, cur, e, failed(ast.Unparen(e.X).(*ast.CallExpr)), d, losses[d])
				if why == "" {
					p.d, p.loss, p.why = d, losses[d], ""
					break
				}
				if p.d == nil {
					p.d, p.loss, p.why = d, losses[d], why
				}
			}
			if p.why == "" {
				pending = append(pending, p)
			} else {
				intended = append(intended, p)
			}
		}
		switch {
		case len(pending) > 0:
			report(pass, cur, pending, kindOf)
		case len(intended) > 0:
			p := intended[0]
			call := ast.Unparen(p.exit.X).(*ast.CallExpr)
			fixes.Intended(pass, call, p.d.Pos(), exitMessage(pass, p, len(intended)-1), p.why)
		}
	}
	return nil, nil
}

type pendingExit struct {
	exit *ast.ExprStmt
	d    *ast.DeferStmt // a lasting defer that is pending there
	loss loss           // what skipping it loses
	why  string         // why skipping every pending call there looks intended, or ""
}

// pendingAt returns the defers, in order, from which the control-flow graph reaches the
// exit.
func pendingAt(g *cfg.CFG, defers []*ast.DeferStmt, exit ast.Stmt) []*ast.DeferStmt {
	where := func(n ast.Node) (*cfg.Block, int) {
		for _, b := range g.Blocks {
			for i, m := range b.Nodes {
				if m == n {
					return b, i
				}
			}
		}
		return nil, -1
	}
	eb, ei := where(exit)
	if eb == nil {
		return nil
	}
	var out []*ast.DeferStmt
	for _, d := range defers {
		if reaches(where, d, eb, ei) {
			out = append(out, d)
		}
	}
	return out
}

// reaches reports whether the control-flow graph reaches the node at index ei of block eb
// from d, where locates a node.
func reaches(where func(ast.Node) (*cfg.Block, int), d *ast.DeferStmt, eb *cfg.Block, ei int) bool {
	db, di := where(d)
	if db == nil {
		return false
	}
	if db == eb && di < ei {
		return true
	}
	seen := map[*cfg.Block]bool{}
	queue := append([]*cfg.Block(nil), db.Succs...)
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		if seen[b] {
			continue
		}
		seen[b] = true
		if b == eb {
			return true
		}
		queue = append(queue, b.Succs...)
	}
	return false
}

// noReturnFuncs returns the package's functions whose body always ends the program: it
// has no return statement and its last statement is a call to os.Exit, a log Fatal, or
// another such function (of this package, or of another through its fact). Each ends it
// with a failure status when that last call does (failure).
func noReturnFuncs(pass *analysis.Pass) map[*types.Func]*noReturn {
	info := pass.TypesInfo
	out := make(map[*types.Func]*noReturn)
	for changed := true; changed; {
		changed = false
		for _, f := range pass.Files {
			for _, decl := range f.Decls {
				fd, ok := decl.(*ast.FuncDecl)
				if !ok || fd.Body == nil || len(fd.Body.List) == 0 {
					continue
				}
				if fd.Recv == nil && (fd.Name.Name == "init" || fd.Name.Name == "main" && pass.Pkg.Name() == "main") {
					continue // never called
				}
				fn, _ := info.Defs[fd.Name].(*types.Func)
				if fn == nil || out[fn] != nil {
					continue
				}
				es, ok := fd.Body.List[len(fd.Body.List)-1].(*ast.ExprStmt)
				if !ok {
					continue
				}
				call, ok := ast.Unparen(es.X).(*ast.CallExpr)
				if !ok {
					continue
				}
				obj := deferutil.Callee(info, call)
				callee, _ := obj.(*types.Func)
				if deferutil.IsFunc(obj, "os", "Exit") ||
					deferutil.IsFunc(obj, "log", "Fatal", "Fatalf", "Fatalln") ||
					deferutil.IsMethod(obj, "log", "Logger", "Fatal", "Fatalf", "Fatalln") ||
					callee != nil && (out[callee] != nil || callee.Pkg() != pass.Pkg && pass.ImportObjectFact(callee, new(noReturn))) {
					if hasReturn(fd.Body) { // the last, as it walks the body
						continue
					}
					nr := &noReturn{Failure: failure(pass, out, call)}
					out[fn] = nr
					changed = true
					pass.ExportObjectFact(fn, nr)
				}
			}
		}
	}
	return out
}

// hasReturn reports whether body returns anywhere (outside function literals).
func hasReturn(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			found = true
		}
		return !found
	})
	return found
}

func report(pass *analysis.Pass, cur inspector.Cursor, pending []pendingExit, kindOf func(*ast.CallExpr) exitKind) {
	fd, isMain := cur.Node().(*ast.FuncDecl)
	isMain = isMain && fd.Name.Name == "main" && fd.Recv == nil && pass.Pkg.Name() == "main"
	var fix *analysis.SuggestedFix
	var noFix string
	if !isMain {
		noFix = "outside func main the exit cannot become a return; return an error and exit in main"
	} else if f, err := mainFix(pass, cur, fd, kindOf); err != nil {
		noFix = err.Error()
	} else {
		fix = &f
	}
	// One finding per function, at its first pending exit: examples and tests often
	// log.Fatal at every step, and the fix (or the advice) is the same for all of them.
	p := pending[0]
	call := ast.Unparen(p.exit.X).(*ast.CallExpr)
	msg := exitMessage(pass, p, len(pending)-1)
	if fix == nil {
		fixes.Refuse(pass, call, token.NoPos, msg, noFix)
		return
	}
	pass.Report(analysis.Diagnostic{Pos: call.Pos(), End: call.End(), Message: msg, SuggestedFixes: []analysis.SuggestedFix{*fix}})
}

// exitMessage states what exit p skips and loses, and how many more exits of the function
// do the same.
func exitMessage(pass *analysis.Pass, p pendingExit, more int) string {
	call := ast.Unparen(p.exit.X).(*ast.CallExpr)
	msg := sprintf(message, calleeName(call), deferredName(p.d.Call), pass.Fset.Position(p.d.Pos()).Line, p.loss)
	switch {
	case more == 1:
		msg += "; 1 more exit in this function does the same"
	case more > 1:
		msg += sprintf("; %d more exits in this function do the same", more)
	}
	return msg
}

func calleeName(call *ast.CallExpr) string {
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

// deferredName names a deferred call in a message: w.Flush, os.RemoveAll, function literal.
func deferredName(call *ast.CallExpr) string {
	if _, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		return "function literal"
	}
	return types.ExprString(call.Fun)
}
