package explicit

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"github.com/dave/dst"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/effects"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

// Merging adjacent defers into one.
//
//	defer a.Close()                    defer func() {
//	defer mu.Unlock()          ⇒            defer a.Close()
//	                                        mu.Unlock()
//	                                    }()
//
// The function then has one defer statement where it had several, which is what restores
// open-coding when returns × defers exceeds 15: a few changed lines, where the closure split
// re-indents everything after the defers. The meaning is kept:
//
//   - order: the deferred calls still run last-registered first, and every one but the
//     last-registered stays deferred inside the literal, so a panic in one still runs the
//     others, as before;
//   - values: the calls' functions, receivers and arguments are now evaluated when the
//     literal runs instead of at their defer statements, so each must be stable (Stable,
//     the same proof as explicit calls use, over the rest of the function, the merged
//     defers included: a later deferred literal that assigns an earlier call's operand
//     refuses);
//   - panics at evaluation: a receiver reached through a pointer (p.mu.Unlock) is
//     evaluated at the defer, where a nil p panics; merged, it would panic at the return.
//     Accepted only when a statement before the defers already went through p (p.mu.Lock()
//     at the top level of the function); a method called through an interface, whose nil
//     value would panic at the defer, refuses;
//   - recover: recover stops a panic only when called by a function the panic itself
//     runs; nested in the literal, a deferred call that recovers would no longer, so a
//     deferred literal or function of the package that calls recover refuses, as does a
//     function of a module outside the standard library (it might: HandleCrash does).
//
// Only defers that follow each other at the top level of the function body merge (the
// statements after them are then the whole rest of the function).

// Merge is a plan to merge a run of adjacent defers of a function body.
type Merge struct {
	Pkg    *types.Package
	Info   *types.Info
	Files  []*ast.File // the package's, where its functions are looked up
	Fn     ast.Node    // *ast.FuncDecl or *ast.FuncLit
	Defers []*ast.DeferStmt
	// Effects answers whether a deferred call may recover (the effects Analyzer's result,
	// with facts about other packages); nil asks effects without facts.
	Effects *effects.Result
}

// Check returns why the defers cannot merge, with a position, or "".
func (m *Merge) Check() (string, ast.Node) {
	_, body := deferutil.FuncParts(m.Fn)
	first := -1
	for i, s := range body.List {
		if s == m.Defers[0] {
			first = i
		}
	}
	if first < 0 || len(m.Defers) < 2 || first+len(m.Defers) > len(body.List) {
		return "the defers are not adjacent statements of the function body", m.Defers[0]
	}
	for i, d := range m.Defers {
		if body.List[first+i] != d {
			return "the defers are not adjacent statements of the function body", d
		}
	}
	// The run's own deferred literals run after every operand of the merged calls is
	// evaluated (at the start of the merged literal), so their mentioning an operand does
	// not make it unstable; a later defer's literal, which runs before, does.
	own := make(map[*ast.FuncLit]bool)
	for _, d := range m.Defers {
		if lit, ok := ast.Unparen(d.Call.Fun).(*ast.FuncLit); ok {
			own[lit] = true
		}
	}
	for _, d := range m.Defers {
		r := &Region{Pkg: m.Pkg, Info: m.Info, Fn: m.Fn, Block: body, Defer: d, merged: own, Effects: m.Effects}
		i := first
		for body.List[i] != d {
			i++
		}
		r.stmts = body.List[i+1:]
		var skip []ast.Node
		for lit := range own {
			skip = append(skip, lit)
		}
		r.fn = effects.NewFunc(m.Info, m.Fn, skip...)
		r.span = r.fn.Stmts(r.stmts)
		switch fn := m.Fn.(type) {
		case *ast.FuncDecl:
			r.sig = m.Info.Defs[fn.Name].(*types.Func).Signature()
		case *ast.FuncLit:
			r.sig = m.Info.TypeOf(fn).(*types.Signature)
		}
		if p := r.checkStable(); p.Refused != "" {
			return strings.Replace(p.Refused, "before the region ends", "before the function returns", 1), d
		}
		if p := r.checkScopes(); p.Refused != "" {
			return p.Refused, d
		}
		if r.recovery() != effects.NoRecover {
			return "a deferred call may recover panics, which it could not from inside the merged literal", d
		}
		// Merged, the call's function and arguments are evaluated at the return: a
		// panic there (a method value on a nil interface or pointer) would move.
		if at, why := effects.EvalMayPanic(m.Info, d.Call, r.fn.NonNilAt(m.Defers[0], r.span)); at != nil {
			return why + ": it panics at the defer, and would panic at the return once merged", d
		}
	}
	return "", nil
}

// Rewrite replaces the defers by one deferred literal.
func (m *Merge) Rewrite(f *fixes.File) error {
	var ds []*dst.DeferStmt
	for _, d := range m.Defers {
		dd, ok := f.Node(d).(*dst.DeferStmt)
		if !ok {
			return fmt.Errorf("defer statement not found in the decorated file")
		}
		ds = append(ds, dd)
	}
	var dbody *dst.BlockStmt
	switch fn := f.Node(m.Fn).(type) {
	case *dst.FuncDecl:
		dbody = fn.Body
	case *dst.FuncLit:
		dbody = fn.Body
	}
	if dbody == nil {
		return fmt.Errorf("function not found in the decorated file")
	}
	i := -1
	for j, s := range dbody.List {
		if s == ds[0] {
			i = j
		}
	}
	if i < 0 {
		return fmt.Errorf("defer statement not found in the function body")
	}
	// The literal's body: the earlier defers in their order, the last one called.
	var inner []dst.Stmt
	for _, d := range ds[:len(ds)-1] {
		nd := &dst.DeferStmt{Call: d.Call}
		nd.Decs.NodeDecs = d.Decs.NodeDecs
		nd.Decs.Defer = d.Decs.Defer
		inner = append(inner, nd)
	}
	last := ds[len(ds)-1]
	if lit, ok := last.Call.Fun.(*dst.FuncLit); ok && len(last.Call.Args) == 0 && len(lit.Type.Params.List) == 0 &&
		(lit.Type.Results == nil || len(lit.Type.Results.List) == 0) && len(lit.Body.List) > 0 && !decorated(last, lit) {
		// The last-registered call is a literal: its statements, not a literal called in
		// place. A return among them ends the merged literal, whose deferred calls run
		// as before.
		lit.Body.List[0].Decorations().Start = append(append(dst.Decorations{}, last.Decs.Start...), lit.Body.List[0].Decorations().Start...)
		end := lit.Body.List[len(lit.Body.List)-1].Decorations()
		end.End = append(end.End, last.Decs.End...)
		inner = append(inner, lit.Body.List...)
	} else {
		call := &dst.ExprStmt{X: last.Call}
		call.Decs.NodeDecs = last.Decs.NodeDecs
		inner = append(inner, call)
	}
	inner[0].Decorations().Before = dst.NewLine
	for _, s := range inner[1:] {
		if s.Decorations().Before == dst.None {
			s.Decorations().Before = dst.NewLine
		}
	}
	merged := &dst.DeferStmt{Call: &dst.CallExpr{Fun: &dst.FuncLit{
		Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}},
		Body: &dst.BlockStmt{List: inner},
	}}}
	// Comments above the first defer stay above the merged one; the first defer's
	// trailing comment goes with it into the literal.
	merged.Decs.Before = ds[0].Decs.Before
	merged.Decs.Start = ds[0].Decs.Start
	inner[0].Decorations().Start = nil
	merged.Decs.After = last.Decs.After
	inner[len(inner)-1].Decorations().After = dst.NewLine
	dbody.List = append(dbody.List[:i:i], append([]dst.Stmt{merged}, dbody.List[i+len(ds):]...)...)
	return nil
}

// decorated reports whether comments sit inside the deferred literal's call outside its
// statements (after defer, func or the braces), where inlining its body would drop them.
func decorated(d *dst.DeferStmt, lit *dst.FuncLit) bool {
	c := d.Call
	for _, ds := range []dst.Decorations{d.Decs.Defer, c.Decs.Start, c.Decs.End, c.Decs.Fun, c.Decs.Lparen, c.Decs.Ellipsis,
		lit.Decs.Start, lit.Decs.End, lit.Decs.Type, lit.Type.Decs.Start, lit.Type.Decs.End, lit.Type.Decs.Func, lit.Type.Decs.Params,
		lit.Body.Decs.Start, lit.Body.Decs.End, lit.Body.Decs.Lbrace} {
		if len(ds) > 0 {
			return true
		}
	}
	return false
}
