package hotdefer

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"
	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rules/internal/defercost"
	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/effects"
	"github.com/deferfix/deferfix/rules/internal/explicit"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

// maxMoved is the most lines the closure split moves into a literal.
const maxMoved = 40

// split plans the closure split of one function (see doc.go for the shape and its
// safety argument).
type split struct {
	pass *analysis.Pass
	fn   *defercost.Func
}

func (s *split) fix() (analysis.SuggestedFix, token.Pos, string) {
	var ft *ast.FuncType
	var body *ast.BlockStmt
	switch fn := s.fn.Node.(type) {
	case *ast.FuncDecl:
		ft, body = fn.Type, fn.Body
	case *ast.FuncLit:
		ft, body = fn.Type, fn.Body
	}
	// Split after the top-level statement holding the last defer (a defer may sit in an
	// if: if p.trace { defer un(trace(p, "x")) }); the returns in the statements before
	// the split stay the function's own.
	last := -1
	for d := range s.fn.Defers {
		i := slices.IndexFunc(body.List, func(st ast.Stmt) bool { return st.Pos() <= d.Pos() && d.End() <= st.End() })
		if i < 0 {
			return analysis.SuggestedFix{}, d.Pos(), "a defer is outside the function's statements"
		}
		last = max(last, i)
	}
	head, rest := body.List[:last+1], body.List[last+1:]
	if len(rest) == 0 {
		return analysis.SuggestedFix{}, token.NoPos, "nothing follows the last defer"
	}
	before := 0
	for _, st := range head {
		before += countReturns(st)
	}
	if (before+1)*s.fn.Count > 15 {
		return analysis.SuggestedFix{}, token.NoPos, fmt.Sprintf("%d returns come before the last defer; the split would still leave %d × %d > 15", before, before+1, s.fn.Count)
	}
	// The split re-indents every moved line: a diff that size to save a few nanoseconds
	// per call is not a change a maintainer merges, nor one a reviewer can check at a
	// glance. Up to maxMoved lines (a screenful) it is.
	first, end := s.pass.Fset.Position(rest[0].Pos()), s.pass.Fset.Position(rest[len(rest)-1].End())
	if n := end.Line - first.Line + 1; n > maxMoved {
		return analysis.SuggestedFix{}, token.NoPos, fmt.Sprintf("the split would move and re-indent %d lines (more than %d) to save a few nanoseconds per call; return from fewer places or merge the defers by hand", n, maxMoved)
	}
	if at := crossingJump(head, rest); at != nil {
		return analysis.SuggestedFix{}, at.Pos(), "a label or goto crosses the split point"
	}
	for _, st := range rest {
		if call := effects.DirectRecover(s.pass.TypesInfo, st); call != nil {
			return analysis.SuggestedFix{}, call.Pos(), "the code after the defers calls recover: moved into a literal, it would no longer be called by the deferred function, and would stop no panic"
		}
	}
	var names []string
	if ft.Results != nil {
		for _, f := range ft.Results.List {
			for _, id := range f.Names {
				names = append(names, id.Name)
			}
		}
	}
	bare := hasBareReturn(rest)
	if bare && slices.Contains(names, "_") {
		return analysis.SuggestedFix{}, token.NoPos, "a bare return of a result named _ cannot be written out"
	}
	// The literal repeats the result types after the head, where a local declaration may
	// shadow a name they use.
	if ft.Results != nil {
		for _, field := range ft.Results.List {
			if err := deferutil.TypeSpelledAt(s.pass, rest[0].Pos(), types.ExprString(field.Type), s.pass.TypesInfo.TypeOf(field.Type)); err != nil {
				return analysis.SuggestedFix{}, field.Type.Pos(), err.Error()
			}
		}
	}
	fix, err := fixes.FixAt(s.pass, fileOf(s.pass, s.fn.Node), s.fn.Node, titleSplit, func(f *fixes.File) error {
		return s.rewrite(f, ft, body, rest, names)
	})
	if err != nil {
		return analysis.SuggestedFix{}, token.NoPos, err.Error()
	}
	return fix, token.NoPos, ""
}

func (s *split) rewrite(f *fixes.File, ft *ast.FuncType, body *ast.BlockStmt, rest []ast.Stmt, names []string) error {
	dbody, ok := f.Node(body).(*dst.BlockStmt)
	dft, ok2 := f.Node(ft).(*dst.FuncType)
	if !ok || !ok2 {
		return fmt.Errorf("function not found in the decorated file")
	}
	n := len(dbody.List) - len(rest)
	moved := slices.Clone(dbody.List[n:])
	lit := &dst.BlockStmt{List: moved}
	// Bare returns of named results become explicit: the literal's results are unnamed.
	if len(names) > 0 {
		dstutil.Apply(lit, func(c *dstutil.Cursor) bool {
			switch n := c.Node().(type) {
			case *dst.FuncLit:
				return false
			case *dst.ReturnStmt:
				if len(n.Results) == 0 {
					for _, name := range names {
						n.Results = append(n.Results, dst.NewIdent(name))
					}
				}
			}
			return true
		}, nil)
	}
	var results *dst.FieldList
	if dft.Results != nil && len(dft.Results.List) > 0 {
		results = &dst.FieldList{}
		for _, field := range dft.Results.List {
			for range max(1, len(field.Names)) {
				results.List = append(results.List, &dst.Field{Type: dst.Clone(field.Type).(dst.Expr)})
			}
		}
	}
	call := &dst.CallExpr{Fun: &dst.FuncLit{Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}, Results: results}, Body: lit}}
	var tail dst.Stmt = &dst.ExprStmt{X: call}
	if results != nil {
		tail = &dst.ReturnStmt{Results: []dst.Expr{call}}
	}
	tail.Decorations().Before = moved[0].Decorations().Before
	moved[0].Decorations().Before = dst.NewLine
	dbody.List = append(dbody.List[:n:n], tail)
	return nil
}

// countReturns counts the return statements of st outside function literals.
func countReturns(st ast.Stmt) int {
	n := 0
	ast.Inspect(st, func(x ast.Node) bool {
		switch x.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			n++
		}
		return true
	})
	return n
}

func hasBareReturn(stmts []ast.Stmt) bool {
	found := false
	for _, st := range stmts {
		ast.Inspect(st, func(x ast.Node) bool {
			switch x := x.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				found = found || len(x.Results) == 0
			}
			return !found
		})
	}
	return found
}

// crossingJump returns a goto in one part whose label is in the other, or nil.
func crossingJump(head, rest []ast.Stmt) ast.Node {
	labels := func(stmts []ast.Stmt) map[string]bool {
		m := make(map[string]bool)
		for _, st := range stmts {
			ast.Inspect(st, func(x ast.Node) bool {
				if _, ok := x.(*ast.FuncLit); ok {
					return false
				}
				if l, ok := x.(*ast.LabeledStmt); ok {
					m[l.Label.Name] = true
				}
				return true
			})
		}
		return m
	}
	var at ast.Node
	jumps := func(stmts []ast.Stmt, other map[string]bool) {
		for _, st := range stmts {
			ast.Inspect(st, func(x ast.Node) bool {
				if _, ok := x.(*ast.FuncLit); ok {
					return false
				}
				if b, ok := x.(*ast.BranchStmt); ok && b.Label != nil && other[b.Label.Name] && at == nil {
					at = b
				}
				return true
			})
		}
	}
	jumps(head, labels(rest))
	jumps(rest, labels(head))
	return at
}

// fileOf returns the file of the pass that holds n.
func fileOf(pass *analysis.Pass, n ast.Node) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= n.Pos() && n.Pos() < f.FileEnd {
			return f
		}
	}
	return nil
}

// noRun is mergeFix's reason when no run of adjacent defers is long enough.
const noRun = "no adjacent defers to merge"

// mergeFix merges the longest run of adjacent defers at the top level of the function
// when that brings returns × defers to 15 or below (the safety argument is in
// rules/internal/explicit, merge.go). It returns why not otherwise.
func mergeFix(pass *analysis.Pass, p *defercost.Func) (analysis.SuggestedFix, string) {
	_, body := deferutil.FuncParts(p.Node)
	var best []*ast.DeferStmt
	var run []*ast.DeferStmt
	for _, st := range append(slices.Clone(body.List), nil) {
		if d, ok := st.(*ast.DeferStmt); ok && st != nil {
			run = append(run, d)
			continue
		}
		if len(run) > len(best) {
			best = run
		}
		run = nil
	}
	if len(best) < 2 {
		return analysis.SuggestedFix{}, noRun
	}
	count := p.Count - len(best) + 1
	if p.Returns*count > 15 {
		return analysis.SuggestedFix{}, fmt.Sprintf("merged, %d returns × %d defers would still exceed 15", p.Returns, count)
	}
	eff, _ := pass.ResultOf[effects.Analyzer].(*effects.Result)
	m := &explicit.Merge{Pkg: pass.Pkg, Info: pass.TypesInfo, Files: pass.Files, Fn: p.Node, Defers: best, Effects: eff}
	if why, _ := m.Check(); why != "" {
		return analysis.SuggestedFix{}, why
	}
	fix, err := fixes.FixAt(pass, fileOf(pass, p.Node), best[0], titleMerge, m.Rewrite)
	if err != nil {
		return analysis.SuggestedFix{}, err.Error()
	}
	return fix, ""
}
