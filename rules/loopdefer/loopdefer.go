package loopdefer

import (
	_ "embed"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/effects"
	"github.com/deferfix/deferfix/rules/internal/fixes"
	"github.com/deferfix/deferfix/rules/internal/ruledoc"
	"github.com/deferfix/deferfix/rules/internal/writes"
)

//go:embed doc.go
var doc string

// Analyzer reports defer statements whose function returns only after the loop around
// them has run many iterations.
var Analyzer = &analysis.Analyzer{
	Name:     "loopdefer",
	Doc:      ruledoc.Extract(doc, "loopdefer"),
	URL:      "https://pkg.go.dev/github.com/deferfix/deferfix/rules/loopdefer",
	Requires: []*analysis.Analyzer{inspect.Analyzer, effects.Analyzer},
	Run:      run,
}

func init() { fixes.AllFlag(Analyzer) }

// Fix title.
const titleScope = "Wrap loop body in a closure so each iteration releases what it acquires"

// Diagnostics, by what the deferred call releases.
const (
	msgUnlock = "deferred %s in loop body runs only when the function returns, so the next iteration's lock deadlocks"
	msgClose  = "deferred %s in loop body runs only when the function returns, so resources pile up until then"
	msgHeld   = "deferred %s in loop body runs only when the function returns, so every iteration's lock is held until then"
	msgOther  = "defer in loop body runs only when the function returns, so deferred calls pile up until then"
)

func run(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	// Group the defers by the loop whose body will be wrapped: one fix per body.
	type group struct {
		loop, fn inspector.Cursor
		defers   []inspector.Cursor
	}
	var groups []*group
	byLoop := make(map[ast.Node]*group)
	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		fn, ok := deferutil.Func(cur)
		if !ok {
			continue
		}
		loops := deferutil.Loops(cur, fn)
		if len(loops) == 0 {
			continue
		}
		g := byLoop[loops[0].Node()]
		if g == nil {
			g = &group{loop: loops[0], fn: fn}
			byLoop[loops[0].Node()] = g
			groups = append(groups, g)
		}
		g.defers = append(g.defers, cur)
	}
	taken := make(map[ast.Node]map[string]bool) // by function: names earlier guards declare
	tables := make(map[*types.Var]*ast.CompositeLit)
	bounds := make(map[*types.Var]tableBound)
	for _, g := range groups {
		var defers []*ast.DeferStmt
		for _, d := range g.defers {
			defers = append(defers, d.Node().(*ast.DeferStmt))
		}
		if taken[g.fn.Node()] == nil {
			taken[g.fn.Node()] = make(map[string]bool)
		}
		s := &scope{pass: pass, loop: g.loop, fn: g.fn, defers: defers, taken: taken[g.fn.Node()], tables: tables, bounds: bounds}
		fix, r := s.fix()
		if r == nil && !s.dropsWrite() && !s.unsafe {
			// The forms in the order a person would write them (doc.go): explicit calls
			// where package explicit proves them safe; else the literal, when it only
			// wraps the body (no flags to carry exits out of it); else the guard, which
			// keeps the body's control flow as written; else the literal with flags.
			if calls, ok := s.explicitFix(); ok {
				fix = calls
			} else if !s.plainLiteral() {
				if guarded, ok := s.guardFix(); ok {
					fix = guarded
				}
			}
		}
		for _, d := range defers {
			msg := message(pass.TypesInfo, g.loop.Node(), d)
			rng := deferutil.Keyword{Defer: d}
			if r != nil {
				why := r.reason
				if r.at.IsValid() && !(d.Pos() <= r.at && r.at < d.End()) {
					if other := enclosingDefer(defers, r.at); other != nil {
						why = sprintf("%s (the defer on line %d, in the same loop body)", r.reason, pass.Fset.Position(other.Pos()).Line)
					}
				}
				if r.intended {
					fixes.Intended(pass, rng, r.at, msg, why)
				} else {
					fixes.Refuse(pass, rng, r.at, msg, why)
				}
				continue
			}
			if s.movesPanic && !fixes.IsUnsafe(fix) {
				fix.Message += fixes.UnsafeSuffix
			}
			pass.Report(analysis.Diagnostic{
				Pos:            rng.Pos(),
				End:            rng.End(),
				Message:        msg,
				Related:        s.unsafeWhy,
				SuggestedFixes: []analysis.SuggestedFix{fix},
			})
		}
	}
	return nil, nil
}

// dropsWrite reports whether one of the body's defers finishes a write and drops its
// error (closecheck's finding). It stays deferred, in the literal, where closecheck can
// make it report the error; explicit calls would drop it for good, past closecheck's
// reach.
func (s *scope) dropsWrite() bool {
	for _, d := range s.defers {
		if _, ok := writes.Dropped(s.pass, s.fn.Node(), d); ok {
			return true
		}
	}
	return false
}

// message states the consequence, by what the deferred call does.
func message(info *types.Info, loop ast.Node, d *ast.DeferStmt) string {
	obj := deferutil.Callee(info, d.Call)
	switch {
	case deferutil.IsMethod(obj, "sync", "Mutex", "Unlock"),
		deferutil.IsMethod(obj, "sync", "RWMutex", "Unlock", "RUnlock"):
		if sameEachIteration(info, loop, d.Call.Fun) {
			return sprintf(msgUnlock, obj.Name())
		}
		return sprintf(msgHeld, obj.Name())
	case isCloser(obj):
		return sprintf(msgClose, obj.Name())
	}
	return msgOther
}

// sameEachIteration reports whether the mutex that fun (m.Unlock) unlocks is the same in
// every iteration: its operand names no variable declared in the loop (a range variable
// or one of the body's own).
func sameEachIteration(info *types.Info, loop ast.Node, fun ast.Expr) bool {
	sel, ok := ast.Unparen(fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	same := true
	ast.Inspect(sel.X, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := info.Uses[id].(*types.Var); ok && !v.IsField() && loop.Pos() <= v.Pos() && v.Pos() < loop.End() {
				same = false
			}
		}
		return same
	})
	return same
}

// isCloser reports whether obj is a method with the signature of io.Closer's Close, or
// the Close/Stop/Release method of a resource by that shape.
func isCloser(obj types.Object) bool {
	fn, ok := obj.(*types.Func)
	if !ok || fn.Signature().Recv() == nil || !slices.Contains([]string{"Close", "Release", "Stop"}, fn.Name()) {
		return false
	}
	sig := fn.Signature()
	return sig.Params().Len() == 0 && sig.Results().Len() <= 1
}

// enclosingDefer returns the defer among defers that contains pos.
func enclosingDefer(defers []*ast.DeferStmt, pos token.Pos) *ast.DeferStmt {
	for _, d := range defers {
		if d.Pos() <= pos && pos < d.End() {
			return d
		}
	}
	return nil
}
