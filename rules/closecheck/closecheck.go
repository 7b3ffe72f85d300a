package closecheck

import (
	_ "embed"
	"go/ast"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/fixes"
	"github.com/deferfix/deferfix/rules/internal/ruledoc"
	"github.com/deferfix/deferfix/rules/internal/writes"
)

//go:embed doc.go
var doc string

// Analyzer reports dropped errors from deferred Close and Flush of written resources.
var Analyzer = &analysis.Analyzer{
	Name:     "closecheck",
	Doc:      ruledoc.Extract(doc, "closecheck"),
	URL:      "https://pkg.go.dev/github.com/deferfix/deferfix/rules/closecheck",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func init() { fixes.AllFlag(Analyzer) }

const titleCheck = "Check the error of the deferred call and return it"

const titleTest = "Check the error of the deferred call and report it with %s.Error"

const (
	msgFile  = "deferred %s of a file opened for writing drops its error, so a failed write goes unnoticed"
	msgFlush = "deferred %s drops its error, so buffered data can be lost unnoticed"
)

func run(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		d := cur.Node().(*ast.DeferStmt)
		fn, ok := deferutil.Func(cur)
		if !ok {
			continue
		}
		w, ok := writes.Dropped(pass, fn.Node(), d)
		if !ok {
			continue
		}
		msg := sprintf(msgFlush, w.Name)
		if w.File {
			msg = sprintf(msgFile, "Close")
		}
		if why, at := intent(pass, cur, fn.Node(), d, w); why != "" {
			fixes.Intended(pass, deferutil.Keyword{Defer: d}, at, msg, why)
			continue
		}
		s := &site{pass: pass, cur: cur, fn: fn, d: d, v: w.V, method: w.Method, csv: w.CSV}
		s.report(msg)
	}
	return nil, nil
}
