package rewrite

import (
	"go/types"
	"reflect"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/objectpath"
)

// Facts across the packages of a run.
//
// The rules prove a fix safe from facts about the functions it calls (effects.MayRecover,
// effects.NilOnError, exitdefer's noReturn, hotdefer's onlyCalled). A callee in another
// package of the same run must answer as it does under go vet, or the proof calls it
// "unknown" and refuses a fix go vet would make (a concrete method of a sibling package
// "may recover"). deferfix loads each root package from source and its imports from
// export data, so an imported object is not the one its own package's pass saw: facts
// cross packages keyed by the object's name within its package (objKey).
// findAll analyses a package once the root packages it imports are done; one that nobody
// in the run imports keeps its facts to itself (rules.LocalFacts), which lets the rules
// skip facts they do not use themselves.
//
// Facts cross packages of one module only. Another module's code (a nested module
// replaced by a directory, the other modules of a go.work workspace) is the one the build
// compiles only while that replace or workspace applies: a module that requires it gets
// the version it names, whose functions may recover. Its functions stay unknown, with
// whatever patterns name them, as they do when deferfix -w . does not load them.
//
// Facts are those of the code as loaded. A later round re-analyses the rewritten packages
// and publishes their facts again, to its own plan only (child): a fix elsewhere in the
// same round was proven from the facts before it. No rule's fix changes a fact its
// callers' proofs read (none adds a recover or makes a function exit; a deferred call
// whose error closecheck would return already fails NilOnError), so the two agree.
type factStore struct {
	parent *factStore

	mu       sync.Mutex
	byPkg    map[string]map[pathFactKey]analysis.Fact // by types path: facts of its objects
	module   map[string]string                        // by types path: its module's path
	imported map[string]bool                          // types paths a root package imports

	// host, when the engine runs inside another driver's pass (RunPass), carries facts
	// from that driver's other packages, and, unless the store is a plan's child, to them.
	host       *analysis.Pass
	hostExport bool
}

type pathFactKey struct {
	path string
	typ  reflect.Type
}

// objKey names obj within its package, the same for the object a package's own pass sees
// and for the one its importers read from export data. The rules put facts on functions
// and methods only: those are named by their full name ("(*T).M"; methods belong to
// package-level types), which costs nothing beside objectpath's search of the package's
// scope; anything else by its objectpath, if it has one.
func objKey(obj types.Object, enc *objectpath.Encoder) (string, bool) {
	if fn, ok := obj.(*types.Func); ok {
		return fn.Origin().FullName(), true
	}
	path, err := enc.For(obj)
	return "\x00" + string(path), err == nil
}

type factKey struct {
	obj types.Object
	typ reflect.Type
}

func newFactStore() *factStore {
	return &factStore{byPkg: make(map[string]map[pathFactKey]analysis.Fact), module: make(map[string]string), imported: make(map[string]bool)}
}

// hostFactStore returns the store of the engine running inside pass (RunPass).
func hostFactStore(pass *analysis.Pass) *factStore {
	s := newFactStore()
	s.host, s.hostExport = pass, true
	return s
}

// child returns a store that reads s and keeps what it is given to itself.
func (s *factStore) child() *factStore {
	c := newFactStore()
	c.parent, c.host = s, s.host
	return c
}

// importer records that the root packages among pkg's imports (roots, by types path) are
// read by pkg, and returns them.
func (s *factStore) importer(pkg *packages.Package, roots map[string]*packages.Package) []*packages.Package {
	var deps []*packages.Package
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, imp := range pkg.Imports {
		if d := roots[imp.PkgPath]; d != nil && d != pkg {
			s.imported[imp.PkgPath] = true
			deps = append(deps, d)
		}
	}
	return deps
}

// isImported reports whether a root package of this run (or, inside a host, any package)
// may read the facts of the package at path.
func (s *factStore) isImported(path string) bool {
	if s.host != nil {
		return true
	}
	for ; s != nil; s = s.parent {
		s.mu.Lock()
		ok := s.imported[path]
		s.mu.Unlock()
		if ok {
			return true
		}
	}
	return false
}

// lookup copies into f the fact of its type about obj, an object of another package, for
// a package of the module at modPath.
func (s *factStore) lookup(obj types.Object, enc *objectpath.Encoder, f analysis.Fact, modPath string) bool {
	if s.host != nil && s.host.ImportObjectFact(obj, f) {
		return true
	}
	path, ok := objKey(obj, enc)
	if !ok {
		return false
	}
	key := pathFactKey{path, reflect.TypeOf(f)}
	for ; s != nil; s = s.parent {
		s.mu.Lock()
		src, ok := s.byPkg[obj.Pkg().Path()][key]
		mod := s.module[obj.Pkg().Path()]
		s.mu.Unlock()
		if ok && mod != modPath {
			return false // another module's code: see factStore
		}
		if ok {
			return copyFact(src, f)
		}
	}
	return false
}

// publish makes the facts a package's passes exported its facts for the packages that
// import it, replacing what an earlier analysis of it published.
func (s *factStore) publish(pkg *types.Package, modPath string, facts map[factKey]analysis.Fact) {
	if s.host != nil {
		if !s.hostExport {
			return // the rewritten code's facts: the driver has those of the code it loaded
		}
		for k, f := range facts {
			s.host.ExportObjectFact(k.obj, f)
		}
		return
	}
	var enc objectpath.Encoder
	out := make(map[pathFactKey]analysis.Fact, len(facts))
	for k, f := range facts {
		if path, ok := objKey(k.obj, &enc); ok {
			out[pathFactKey{path, k.typ}] = f
		}
	}
	s.mu.Lock()
	s.byPkg[pkg.Path()] = out
	s.module[pkg.Path()] = modPath
	s.mu.Unlock()
}

// copyFact copies src into dst (both pointers to the same fact type); false if src is nil.
func copyFact(src, dst analysis.Fact) bool {
	if src == nil {
		return false
	}
	reflect.ValueOf(dst).Elem().Set(reflect.ValueOf(src).Elem())
	return true
}
