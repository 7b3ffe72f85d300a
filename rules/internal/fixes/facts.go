package fixes

import (
	"sync"

	"golang.org/x/tools/go/analysis"
)

// localFacts holds the passes whose facts no other package will see: deferfix's own
// driver loads dependencies from export data and keeps facts within the package being
// analysed. Keyed by pass, not package: go vet runs the engine (rewrite.RunPass) inside
// one analyzer's pass while the same package's other passes export facts for importers.
var localFacts sync.Map // *analysis.Pass → bool

// LocalFacts marks pass's facts as seen by no other package, until the returned func is
// called.
func LocalFacts(pass *analysis.Pass) (done func()) {
	localFacts.Store(pass, true)
	return func() { localFacts.Delete(pass) }
}

// FactsLocal reports whether the pass's facts stay within its package: a rule may then
// skip computing facts it does not use itself. Other drivers (go vet, go fix, gopls)
// carry facts to the importing packages, so there every fact is still exported.
func FactsLocal(pass *analysis.Pass) bool {
	_, ok := localFacts.Load(pass)
	return ok
}
