package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/objectpath"

	"github.com/deferfix/deferfix/rules"
)

// A Finding is one thing a rule found, with what deferfix can do about it.
type Finding struct {
	Rule    string
	Pos     token.Position
	End     token.Position
	Message string
	// Fix is the fix deferfix would apply: the rule's first fix, if allowed (safe, or unsafe
	// with Config.Unsafe). Nil when there is none; NoFix says why.
	Fix   *Fix
	NoFix string
	// Fixed is set when the rewritten file no longer has the finding; Dropped says why a
	// fix was not applied after all. With Config.Fix these are the final verdict, after
	// every round (verdict.go), and a finding not Fixed says why in NoFix or Dropped.
	Fixed   bool
	Dropped string
	// FixedBy says how a Fixed finding was fixed when not by Fix as reported: by the fix
	// for another finding, at FixedAt, whose rewrite covered it ("the fix for loopdefer at
	// f.go:26:3 (Wrap loop body ...)"), or by a fix found in a later round, once the
	// fixes before it had changed the code (FixedAt not valid).
	FixedBy string
	FixedAt token.Position
	// Intended says why the rule believes the finding intended; such findings are
	// reported only with Config.All, and never fixed.
	Intended string

	pkg *packages.Package
}

// A Fix is a rule's fix as edits to files.
type Fix struct {
	Title  string
	Unsafe bool
	Edits  []Edit
}

// An Edit replaces the bytes [Start, End) of File.
type Edit struct {
	File       string
	Start, End int
	New        []byte
}

// analyze runs the analyzers on pkg and returns their findings. readFile supplies file
// contents (the rewritten ones in later rounds). A rule that fails or panics yields a
// problem, and the other rules' findings are kept.
//
// files, when not nil, are the package's files that mention defer, and the inspector the
// rules get holds only those: every rule reports a defer statement, or an exit or a loop
// in a function that has one, and finds them through the inspector, so the files without
// one have nothing to report (TestShortcuts checks this on real code). Building the
// inspector walks every node given, and most files of a large tree have no defer. What a
// rule computes from pass.Files (facts, hotdefer's predictions) still sees every file.
//
// Facts about pkg's own objects stay in the package until every rule ran; those about
// objects of other packages come from store (see factStore).
func analyze(cfg *Config, store *factStore, pkg *packages.Package, files []*ast.File, readFile func(string) ([]byte, error)) ([]*Finding, []Problem) {
	var (
		results  = make(map[*analysis.Analyzer]any)
		failed   = make(map[*analysis.Analyzer]error)
		findings []*Finding
		problems []Problem
		facts    = make(map[factKey]analysis.Fact)
		enc      objectpath.Encoder
		local    = localFacts && !store.isImported(pkg.Types.Path())
	)
	// The engine runs the rules' own analyzers: those of rules.All withhold unsafe fixes
	// and those that overlap, while the engine makes its own rounds and decides itself
	// whether to apply an unsafe fix.
	if files != nil {
		results[inspect.Analyzer] = inspector.New(files)
	}
	hostOf := make(map[*analysis.Analyzer]*analysis.Analyzer)
	for _, a := range cfg.Analyzers {
		hostOf[rules.Unwrap(a)] = a
	}
	var exec func(a *analysis.Analyzer) error
	exec = func(a *analysis.Analyzer) error {
		if err, ok := failed[a]; ok {
			return err
		}
		if _, ok := results[a]; ok {
			return nil
		}
		for _, req := range a.Requires {
			if err := exec(req); err != nil {
				failed[a] = err
				return err
			}
		}
		inputs := make(map[*analysis.Analyzer]any, len(a.Requires))
		for _, req := range a.Requires {
			inputs[req] = results[req]
		}
		var diags []analysis.Diagnostic
		pass := &analysis.Pass{
			Analyzer:     a,
			Fset:         pkg.Fset,
			Files:        pkg.Syntax,
			OtherFiles:   pkg.OtherFiles,
			IgnoredFiles: pkg.IgnoredFiles,
			Pkg:          pkg.Types,
			TypesInfo:    pkg.TypesInfo,
			TypesSizes:   pkg.TypesSizes,
			TypeErrors:   pkg.TypeErrors,
			Module:       module(pkg),
			ResultOf:     inputs,
			Report:       func(d analysis.Diagnostic) { diags = append(diags, d) },
			ReadFile:     readFile,
			ImportObjectFact: func(obj types.Object, f analysis.Fact) bool {
				if obj.Pkg() != nil && obj.Pkg() != pkg.Types {
					return store.lookup(obj, &enc, f, modulePath(pkg))
				}
				return copyFact(facts[factKey{obj, reflect.TypeOf(f)}], f)
			},
			ExportObjectFact:  func(obj types.Object, f analysis.Fact) { facts[factKey{obj, reflect.TypeOf(f)}] = f },
			ImportPackageFact: func(*types.Package, analysis.Fact) bool { return false },
			ExportPackageFact: func(analysis.Fact) {},
			AllObjectFacts:    func() []analysis.ObjectFact { return nil },
			AllPackageFacts:   func() []analysis.PackageFact { return nil },
		}
		// When the facts stay in this package, the rules skip those they do not use themselves.
		done := func() {}
		if local {
			done = rules.LocalFacts(pass)
		}
		res, err := runPass(pass)
		done()
		if err != nil {
			err = fmt.Errorf("rule %s on %s: %w", a.Name, pkg.PkgPath, err)
			failed[a] = err
			return err
		}
		results[a] = res
		if h, ok := hostOf[a]; ok {
			for _, d := range diags {
				findings = append(findings, newFinding(cfg, pkg, h, d))
			}
		}
		return nil
	}
	for _, h := range cfg.Analyzers {
		a := rules.Unwrap(h)
		if err := exec(a); err != nil && !isPrereqFailure(err, failed, a) {
			problems = append(problems, Problem{Package: pkg.PkgPath, Err: err})
		}
	}
	if !local {
		store.publish(pkg.Types, modulePath(pkg), facts)
	}
	return findings, problems
}

func isPrereqFailure(err error, failed map[*analysis.Analyzer]error, a *analysis.Analyzer) bool {
	for _, req := range a.Requires {
		if failed[req] == err {
			return true
		}
	}
	return false
}

// localFacts lets analyze tell the rules that a package's facts stay in it when no other
// package of the run imports it. Only tests turn it off, to check that the rules find the
// same either way.
var localFacts = true

// runPass runs one analyzer, turning a panic into an error: one broken rule on one
// package must not stop the run.
func runPass(pass *analysis.Pass) (res any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return pass.Analyzer.Run(pass)
}

// modulePath returns the path of pkg's module, "" outside any.
func modulePath(pkg *packages.Package) string {
	if pkg.Module == nil {
		return ""
	}
	return pkg.Module.Path
}

func module(pkg *packages.Package) *analysis.Module {
	m := new(analysis.Module)
	if pkg.Module != nil {
		m.Path, m.Version, m.GoVersion = pkg.Module.Path, pkg.Module.Version, pkg.Module.GoVersion
	}
	return m
}

// newFinding converts a diagnostic into a finding and chooses its fix.
func newFinding(cfg *Config, pkg *packages.Package, a *analysis.Analyzer, d analysis.Diagnostic) *Finding {
	f := &Finding{
		Rule:    a.Name,
		Pos:     pkg.Fset.Position(d.Pos),
		Message: d.Message,
		pkg:     pkg,
	}
	if d.End.IsValid() {
		f.End = pkg.Fset.Position(d.End)
	}
	if why := rules.IntendedWhy(d); why != "" {
		f.Intended, f.NoFix = why, "looks intended: "+why
		return f
	}
	if len(d.SuggestedFixes) == 0 {
		f.NoFix = rules.Refusal(d)
		if f.NoFix == "" {
			f.NoFix = "the rule offers no fix"
		}
		return f
	}
	for _, sf := range d.SuggestedFixes {
		unsafe := rules.IsUnsafe(sf)
		if unsafe && !cfg.Unsafe && !(cfg.hostUnsafe && rules.OffersUnsafe(a)) {
			f.NoFix = "the fix changes behaviour on panic; apply it with -unsafe"
			if why := rules.UnsafeWhy(d); why != "" {
				f.NoFix = "the fix changes behaviour on panic (" + why + "); apply it with -unsafe"
			}
			continue
		}
		fix := &Fix{Title: sf.Message, Unsafe: unsafe}
		for _, e := range sf.TextEdits {
			tf := pkg.Fset.File(e.Pos)
			end := e.End
			if !end.IsValid() {
				end = e.Pos
			}
			fix.Edits = append(fix.Edits, Edit{File: tf.Name(), Start: tf.Offset(e.Pos), End: tf.Offset(end), New: e.NewText})
		}
		f.Fix, f.NoFix = fix, ""
		break
	}
	return f
}

// findAll analyzes the packages in parallel, each once the packages among them that it
// imports are done, so that their facts are known (see factStore); only, if not nil, holds
// the files of each that mention defer (see analyze).
func findAll(cfg *Config, store *factStore, pkgs []*packages.Package, only deferFiles, readFile func(string) ([]byte, error)) ([]*Finding, []Problem) {
	var (
		mu       sync.Mutex
		findings []*Finding
		problems []Problem
		wg       sync.WaitGroup
		sem      = make(chan struct{}, runtime.GOMAXPROCS(0))
		done     int
	)
	deps := importOrder(store, pkgs)
	finished := make(map[*packages.Package]chan struct{}, len(pkgs))
	for _, pkg := range pkgs {
		finished[pkg] = make(chan struct{})
	}
	cfg.progress("analyse", 0, len(pkgs))
	for _, pkg := range pkgs {
		wg.Go(func() {
			defer close(finished[pkg])
			for _, d := range deps[pkg] {
				<-finished[d]
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			files, ok := only[pkg]
			if ok && files == nil {
				files = []*ast.File{}
			}
			fs, ps := analyze(cfg, store, pkg, files, readFile)
			mu.Lock()
			findings = append(findings, fs...)
			problems = append(problems, ps...)
			done++
			cfg.progress("analyse", done, len(pkgs))
			mu.Unlock()
		})
	}
	wg.Wait()
	return dedupe(findings), problems
}

// importOrder returns, for each of pkgs, those of pkgs it imports, with the edges that
// would close a cycle left out (a test variant and the packages importing it; go build
// forbids real cycles), so that waiting for them always ends. It records the imports in
// store before any package is analysed.
func importOrder(store *factStore, pkgs []*packages.Package) map[*packages.Package][]*packages.Package {
	roots := make(map[string]*packages.Package, len(pkgs))
	for _, p := range pkgs {
		if _, dup := roots[p.PkgPath]; !dup {
			roots[p.PkgPath] = p
		}
	}
	deps := make(map[*packages.Package][]*packages.Package, len(pkgs))
	for _, p := range pkgs {
		deps[p] = store.importer(p, roots)
	}
	const (
		visiting = 1
		visited  = 2
	)
	state := make(map[*packages.Package]int, len(pkgs))
	var visit func(p *packages.Package)
	visit = func(p *packages.Package) {
		state[p] = visiting
		kept := deps[p][:0]
		for _, d := range deps[p] {
			switch state[d] {
			case visiting:
				continue // a back edge: waiting on it would never end
			case 0:
				visit(d)
			}
			kept = append(kept, d)
		}
		deps[p] = kept
		state[p] = visited
	}
	for _, p := range pkgs {
		if state[p] == 0 {
			visit(p)
		}
	}
	return deps
}

// dedupe drops repeated findings (a file analyzed in two package variants) and sorts.
func dedupe(fs []*Finding) []*Finding {
	slices.SortStableFunc(fs, func(a, b *Finding) int {
		if c := strings.Compare(a.Pos.Filename, b.Pos.Filename); c != 0 {
			return c
		}
		if c := a.Pos.Offset - b.Pos.Offset; c != 0 {
			return c
		}
		if c := strings.Compare(a.Rule, b.Rule); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	return slices.CompactFunc(fs, func(a, b *Finding) bool {
		return a.Pos == b.Pos && a.Rule == b.Rule && a.Message == b.Message
	})
}

// fileOf returns the syntax of the named file in pkg.
func fileOf(pkg *packages.Package, name string) *ast.File {
	for _, f := range pkg.Syntax {
		if pkg.Fset.File(f.FileStart).Name() == name {
			return f
		}
	}
	return nil
}
