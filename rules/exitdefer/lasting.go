package exitdefer

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

// What a skipped deferred call loses.
//
// At process exit the kernel closes every descriptor, releases every lock and frees every
// goroutine, so most deferred calls are moot there: Close of a file (an *os.File is not
// buffered: what was written already reached the kernel), of a connection or a database,
// cancel(), Unlock, wg.Done, Rollback (an uncommitted transaction is rolled back anyway).
// A finding for those is noise. What a skipped call does lose outlives the process:
//
//   - buffered output never flushed: bufio.Writer and csv.Writer Flush, any other
//     Flush() error method (a buffered writer by Go's convention), and another package's
//     Flush() function (glog.Flush, klog.Flush flush buffered logs);
//   - compressed streams and archives never finished: Close (or Flush) of the gzip, zlib,
//     flate and lzw writers, of zip.Writer and tar.Writer (the trailer is never written,
//     so the output cannot be read back);
//   - data never made durable: Sync() error, on an *os.File or a logger (zap's Logger.Sync
//     flushes buffered log entries);
//   - files left on disk: os.Remove and os.RemoveAll (a temporary file or directory);
//     files never renamed into place: os.Rename;
//   - profiles and traces never completed: pprof.StopCPUProfile, pprof.WriteHeapProfile,
//     (*pprof.Profile).WriteTo, trace.Stop;
//   - transactions never committed: (*sql.Tx).Commit.
//
// Callees are identified by object identity (package path, type and method), never by
// the text of the call. A function or method of the package whose body (transitively)
// makes such a call carries a lasting fact, so defer out.Close() counts when out's Close
// flushes a bufio.Writer; importing packages see the fact where the driver carries facts.
// A call through an interface (var w io.WriteCloser = gzip.NewWriter(f); defer w.Close())
// counts when a value assigned to the receiver variable in the function has a concrete
// type whose method counts. A deferred function literal counts when a call in its body
// does.

// How grave a loss is. Data is lost when output, a stream, a sync, a rename or a commit
// is skipped: the program's result is wrong or missing. A profile or trace left
// incomplete is debugging output lost. A file or directory left on disk is litter: the
// result is whole, something is left to delete. intent.go weighs the two lighter grades
// against where the program exits.
const (
	gradeNone = iota
	gradeLitter
	gradeProfile
	gradeData
)

// grade returns how grave loss l is.
func grade(l loss) int {
	switch l {
	case "":
		return gradeNone
	case lossRemove:
		return gradeLitter
	case lossProfile, lossTrace:
		return gradeProfile
	}
	return gradeData
}

// lasting marks a function whose call has an effect that outlives the process.
type lasting struct{ Loss string }

func (*lasting) AFact()           {}
func (f *lasting) String() string { return "lasting" }

// loss is what is lost when a call is skipped at exit: the consequence, as a message
// ends with it.
type loss = string

const (
	lossBuffered = "its buffered output is lost"
	lossStream   = "the compressed stream is left unfinished and cannot be read back"
	lossArchive  = "the archive is left without its trailer and cannot be read back"
	lossSync     = "buffered data is never made durable"
	lossRemove   = "the file or directory is left on disk"
	lossRename   = "the file is never renamed into place"
	lossProfile  = "the profile is left incomplete"
	lossTrace    = "the trace is left incomplete"
	lossCommit   = "the transaction is never committed"
)

// known are the standard library's calls whose loss is known, by package, receiver type
// ("" for functions) and names.
var known = []knownCall{
	{"bufio", "Writer", []string{"Flush"}, lossBuffered},
	{"encoding/csv", "Writer", []string{"Flush"}, lossBuffered},
	{"compress/gzip", "Writer", []string{"Close", "Flush"}, lossStream},
	{"compress/zlib", "Writer", []string{"Close", "Flush"}, lossStream},
	{"compress/flate", "Writer", []string{"Close", "Flush"}, lossStream},
	{"compress/lzw", "Writer", []string{"Close"}, lossStream},
	{"archive/zip", "Writer", []string{"Close", "Flush"}, lossArchive},
	{"archive/tar", "Writer", []string{"Close", "Flush"}, lossArchive},
	{"os", "File", []string{"Sync"}, lossSync},
	{"os", "", []string{"Remove", "RemoveAll"}, lossRemove},
	{"os", "", []string{"Rename"}, lossRename},
	{"runtime/pprof", "", []string{"StopCPUProfile", "WriteHeapProfile"}, lossProfile},
	{"runtime/pprof", "Profile", []string{"WriteTo"}, lossProfile},
	{"runtime/trace", "", []string{"Stop"}, lossTrace},
	{"database/sql", "Tx", []string{"Commit"}, lossCommit},
}

type knownCall struct {
	pkg, typ string
	names    []string
	loss     loss
}

// knownIn is known by package path, in known's order: most calls are to none of them.
var knownIn = func() map[string][]knownCall {
	m := make(map[string][]knownCall)
	for _, k := range known {
		m[k.pkg] = append(m[k.pkg], k)
	}
	return m
}()

// lastingSet holds the lasting functions of the package, with what computing them needs.
type lastingSet struct {
	loss map[*types.Func]loss
	// assigned caches assignedTypes by function: the concrete types assigned to each of
	// its variables, from one walk of the function however many calls ask.
	assigned map[ast.Node]map[*types.Var][]types.Type
	// consulted, when not nil, collects the functions of the package whose loss funcLoss
	// looked up: while their losses stay as they were, evaluating the same body again
	// takes the same path to the same result.
	consulted *[]*types.Func
	// raised[fn] is the step at which fn's loss was last raised (0: never).
	raised map[*types.Func]int
}

// lastingFuncs computes and exports the lasting facts of the package's functions: those
// whose body makes a lasting call, to a fixed point. func main and init cannot be called
// and get none.
//
// Each round evaluates, in file and declaration order, the functions whose loss is not
// yet the gravest (data), with the losses found so far (earlier in the same round
// included); a function keeps the gravest loss any evaluation finds. A function is
// evaluated again only when the loss of a function of the package it looked up has since
// been raised: otherwise its evaluation would be the same as the last.
func lastingFuncs(pass *analysis.Pass) *lastingSet {
	local := &lastingSet{loss: make(map[*types.Func]loss), assigned: make(map[ast.Node]map[*types.Var][]types.Type), raised: make(map[*types.Func]int)}
	type candidate struct {
		fn        *types.Func
		body      *ast.BlockStmt
		evaluated int // the step of the last evaluation (0: none)
		consulted []*types.Func
	}
	var cands []*candidate
	for _, f := range pass.Files {
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil || fd.Recv == nil && (fd.Name.Name == "init" || fd.Name.Name == "main" && pass.Pkg.Name() == "main") {
				continue
			}
			if fn, _ := pass.TypesInfo.Defs[fd.Name].(*types.Func); fn != nil {
				cands = append(cands, &candidate{fn: fn, body: fd.Body})
			}
		}
	}
	step := 0
	stale := func(c *candidate) bool {
		if c.evaluated == 0 {
			return true
		}
		for _, g := range c.consulted {
			if local.raised[g] > c.evaluated {
				return true
			}
		}
		return false
	}
	for changed := true; changed; {
		changed = false
		for _, c := range cands {
			if grade(local.loss[c.fn]) == gradeData || !stale(c) {
				continue // nothing graver to find, or the same evaluation as the last
			}
			step++
			c.evaluated, c.consulted = step, c.consulted[:0]
			local.consulted = &c.consulted
			l := bodyLoss(pass, local, c.body)
			local.consulted = nil
			// The gravest loss wins: a helper that removes a temporary file and
			// flushes a writer loses data when skipped, not only litter.
			if grade(l) > grade(local.loss[c.fn]) {
				step++
				local.loss[c.fn], local.raised[c.fn] = l, step
				changed = true
			}
		}
	}
	for fn, l := range local.loss {
		pass.ExportObjectFact(fn, &lasting{Loss: l})
	}
	return local
}

// lazyLasting gives callLoss the package's lasting functions: computed at once, as their
// facts are exported for other packages, unless the facts stay in this package; then only
// once a call's loss depends on them. A call whose loss is found without looking up a
// function of the package (the usual Close of a file) has the same loss whatever the
// package's lasting functions are.
type lazyLasting struct {
	pass  *analysis.Pass
	set   *lastingSet
	probe *lastingSet // empty: its lookups say whether a loss depends on set
}

func newLazyLasting(pass *analysis.Pass) *lazyLasting {
	l := &lazyLasting{pass: pass}
	if fixes.FactsLocal(pass) {
		l.probe = &lastingSet{loss: make(map[*types.Func]loss), assigned: make(map[ast.Node]map[*types.Var][]types.Type)}
	} else {
		l.set = lastingFuncs(pass)
	}
	return l
}

// callLoss is callLoss(pass, the package's lasting functions, fn, call).
func (l *lazyLasting) callLoss(fn ast.Node, call *ast.CallExpr) loss {
	if l.set == nil {
		var consulted []*types.Func
		l.probe.consulted = &consulted
		loss := callLoss(l.pass, l.probe, fn, call)
		l.probe.consulted = nil
		if len(consulted) == 0 {
			return loss
		}
		l.set = lastingFuncs(l.pass)
	}
	return callLoss(l.pass, l.set, fn, call)
}

// bodyLoss returns the gravest loss of the lasting calls in body, function literals
// included (a literal deferred or called in the body runs with it), or "".
func bodyLoss(pass *analysis.Pass, local *lastingSet, body ast.Node) loss {
	var l loss
	ast.Inspect(body, func(n ast.Node) bool {
		if grade(l) == gradeData {
			return false
		}
		if call, ok := n.(*ast.CallExpr); ok {
			if m := callLoss(pass, local, body, call); grade(m) > grade(l) {
				l = m
			}
		}
		return true
	})
	return l
}

// callLoss returns what is lost when call, in the function whose body is fn, is skipped
// at exit, or "" when nothing outlives the process.
func callLoss(pass *analysis.Pass, local *lastingSet, fn ast.Node, call *ast.CallExpr) loss {
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		return bodyLoss(pass, local, lit.Body)
	}
	obj, _ := deferutil.Callee(pass.TypesInfo, call).(*types.Func)
	if obj == nil {
		return ""
	}
	if l := funcLoss(pass, local, obj); l != "" {
		return l
	}
	// A method called through an interface: the concrete types assigned to the receiver
	// variable in this function decide.
	sig := obj.Signature()
	if sig.Recv() == nil || !types.IsInterface(sig.Recv().Type()) {
		return ""
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	id, ok := ast.Unparen(sel.X).(*ast.Ident)
	if !ok {
		return ""
	}
	v, _ := pass.TypesInfo.Uses[id].(*types.Var)
	if v == nil {
		return ""
	}
	var l loss
	for _, t := range local.assignedTypes(pass.TypesInfo, fn, v) {
		m, _, _ := types.LookupFieldOrMethod(t, true, obj.Pkg(), obj.Name())
		if m, ok := m.(*types.Func); ok {
			if ml := funcLoss(pass, local, m); grade(ml) > grade(l) {
				l = ml
			}
		}
	}
	return l
}

// funcLoss returns the loss of calling fn (a concrete function or method) and skipping
// it, or "".
func funcLoss(pass *analysis.Pass, local *lastingSet, fn *types.Func) loss {
	fn = fn.Origin()
	if fn.Pkg() != nil {
		for _, k := range knownIn[fn.Pkg().Path()] {
			if k.typ == "" && deferutil.IsFunc(fn, k.pkg, k.names...) || k.typ != "" && deferutil.IsMethod(fn, k.pkg, k.typ, k.names...) {
				return k.loss
			}
		}
	}
	// Only the package's own functions are in local.
	if fn.Pkg() == pass.Pkg {
		if local.consulted != nil {
			*local.consulted = append(*local.consulted, fn)
		}
		if l := local.loss[fn]; l != "" {
			return l
		}
	}
	if fn.Pkg() != nil && fn.Pkg() != pass.Pkg {
		var f lasting
		if pass.ImportObjectFact(fn, &f) {
			return f.Loss
		}
	}
	// Go's conventions: a concrete Flush() error flushes a buffer, a Sync() error makes
	// data durable (zap's loggers, zapcore.WriteSyncer, files). Only concrete methods:
	// an interface's method says nothing about the value behind it.
	sig := fn.Signature()
	if recv := sig.Recv(); recv != nil && !types.IsInterface(recv.Type()) && sig.Params().Len() == 0 &&
		sig.Results().Len() == 1 && deferutil.IsError(sig.Results().At(0).Type()) {
		switch fn.Name() {
		case "Flush":
			return lossBuffered
		case "Sync":
			return lossSync
		}
	}
	// A package's Flush() flushes its buffered output: glog.Flush, klog.Flush.
	if sig.Recv() == nil && sig.Params().Len() == 0 && fn.Name() == "Flush" && fn.Pkg() != pass.Pkg {
		return lossBuffered
	}
	return ""
}

// assignedTypes returns the concrete types of the values assigned to v in fn (its
// declaration included).
func (s *lastingSet) assignedTypes(info *types.Info, fn ast.Node, v *types.Var) []types.Type {
	byVar, ok := s.assigned[fn]
	if !ok {
		byVar = make(map[*types.Var][]types.Type)
		add := func(id *ast.Ident, e ast.Expr) {
			if v, ok := info.ObjectOf(id).(*types.Var); ok {
				if t := info.TypeOf(e); t != nil && !types.IsInterface(t) {
					byVar[v] = append(byVar[v], t)
				}
			}
		}
		ast.Inspect(fn, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if len(n.Lhs) == len(n.Rhs) {
					for i, l := range n.Lhs {
						if id, ok := ast.Unparen(l).(*ast.Ident); ok {
							add(id, n.Rhs[i])
						}
					}
				}
			case *ast.ValueSpec:
				if len(n.Names) == len(n.Values) {
					for i, id := range n.Names {
						add(id, n.Values[i])
					}
				}
			}
			return true
		})
		s.assigned[fn] = byVar
	}
	return byVar[v]
}
