package fixes

import (
	"go/types"
	"sync"

	"golang.org/x/tools/go/analysis"
)

// localFacts holds the packages whose facts no other package will see: deferfix's own
// driver loads dependencies from export data and keeps facts within the package being
// analysed. Keyed by package, so concurrent runs in one process do not interfere.
var localFacts sync.Map // *types.Package → bool

// LocalFacts marks pkg's facts as seen by no other package, until the returned func is
// called.
func LocalFacts(pkg *types.Package) (done func()) {
	localFacts.Store(pkg, true)
	return func() { localFacts.Delete(pkg) }
}

// FactsLocal reports whether the pass's facts stay within its package: a rule may then
// skip computing facts it does not use itself. Other drivers (go vet, go fix, gopls)
// carry facts to the importing packages, so there every fact is still exported.
func FactsLocal(pass *analysis.Pass) bool {
	_, ok := localFacts.Load(pass.Pkg)
	return ok
}
