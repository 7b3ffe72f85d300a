package effects_test

import (
	"go/ast"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deferfix/deferfix/rules/internal/effects"
)

// TestFacts checks the MayRecover fact exported for every function, which drivers that
// carry facts across packages (go vet) give to the importing packages, and what Recover
// answers there: from the fact for a function of another package, from the standard
// library's table, "may recover" for an interface or a function value.
func TestFacts(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), effects.Analyzer, "a")
	analysistest.Run(t, analysistest.TestData(), probe, "b")
}

// probe reports what effects says of each deferred call.
var probe = &analysis.Analyzer{
	Name:     "probe",
	Doc:      "reports Recover for each deferred call",
	Requires: []*analysis.Analyzer{effects.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		res := pass.ResultOf[effects.Analyzer].(*effects.Result)
		for _, f := range pass.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				if d, ok := n.(*ast.DeferStmt); ok {
					pass.Reportf(d.Pos(), "%v", res.Recover(d.Call))
				}
				return true
			})
		}
		return nil, nil
	},
}
