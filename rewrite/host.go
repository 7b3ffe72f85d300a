package rewrite

import (
	"context"
	"flag"
	"fmt"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"

	"github.com/deferfix/deferfix/rewrite/linediff"
)

// Fixes that compose in every host.
//
// deferfix's rules often fix the same lines (a defer moves after its check, then the loop
// body around it gets a scope, then the Close error is checked inside that scope): the
// command line applies them in rounds, each round's fixes made on the previous round's
// result. A driver that applies the first fix of every diagnostic at once and refuses
// overlapping ones — the unitchecker behind go vet -fix and go fix — would apply a few
// and refuse the rest (and go fix then applies none). Composed gives such a driver the
// rounds already composed: the engine runs on the package the driver loaded (RunPass),
// and per changed file one diagnostic carries the edits that turn the file into what
// deferfix -w writes, while the others carry none. So one run of go fix leaves a package
// exactly as deferfix -w does, verified the same way.
//
// Drivers that apply one fix at a time (gopls, an editor) get the rules' own per-finding
// fixes from rules.All: they never see Composed.

// RunPass runs the engine, up to but not including writing, on the package of pass, which
// another driver loaded and type-checked. Rewritten files are type-checked again with an
// importer built from pass.Pkg.Imports(). A rule's unsafe fixes are applied when the
// host set its analyzer's -unsafe flag (rules.OffersUnsafe); Config.Unsafe is ignored.
// cfg.Analyzers are those of rules.All the driver runs, with their flags.
func RunPass(ctx context.Context, cfg *Config, pass *analysis.Pass) *Result {
	c := *cfg
	c.Fix, c.Unsafe, c.hostUnsafe = true, false, true
	pkg := passPackage(pass)
	res := &Result{cfg: &c, pkgs: []*packages.Package{pkg}, facts: hostFactStore(pass)}
	findings, problems := findAll(&c, res.facts, res.pkgs, nil, os.ReadFile)
	res.Problems = problems
	res.Findings = classify(&c, findings, true)
	p := newPlan(&c, res.facts, res.pkgs, res.Findings)
	p.run(ctx)
	res.Changes = p.changes()
	res.Remaining = p.remaining()
	res.Problems = append(res.Problems, p.problems...)
	return res
}

// passPackage presents a pass's package as go/packages would have loaded it.
func passPackage(pass *analysis.Pass) *packages.Package {
	pkg := &packages.Package{
		ID:           pass.Pkg.Path(),
		Name:         pass.Pkg.Name(),
		PkgPath:      pass.Pkg.Path(),
		Fset:         pass.Fset,
		Syntax:       pass.Files,
		OtherFiles:   pass.OtherFiles,
		IgnoredFiles: pass.IgnoredFiles,
		Types:        pass.Pkg,
		TypesInfo:    pass.TypesInfo,
		TypesSizes:   pass.TypesSizes,
		TypeErrors:   pass.TypeErrors,
		Imports:      make(map[string]*packages.Package),
	}
	for _, f := range pass.Files {
		name := pass.Fset.File(f.FileStart).Name()
		pkg.GoFiles = append(pkg.GoFiles, name)
		pkg.CompiledGoFiles = append(pkg.CompiledGoFiles, name)
	}
	for _, imp := range pass.Pkg.Imports() {
		pkg.Imports[imp.Path()] = &packages.Package{ID: imp.Path(), Name: imp.Name(), PkgPath: imp.Path(), Types: imp}
	}
	if m := pass.Module; m != nil && m.Path != "" {
		pkg.Module = &packages.Module{Path: m.Path, Version: m.Version, GoVersion: m.GoVersion}
	}
	return pkg
}

// Composed returns analyzers for a driver that applies every diagnostic's first fix at
// once (the unitchecker's -fix): one per analyzer in all, with its name, doc and flags.
// enabled returns, when they run, the analyzers the driver's flags selected; the engine
// runs those, once per package, and each composed analyzer reports its rule's findings.
// Problems (dropped fixes, failed rules) are written to stderr.
func Composed(all []*analysis.Analyzer, enabled func() []*analysis.Analyzer) []*analysis.Analyzer {
	c := &composer{enabled: enabled, runs: make(map[*types.Package]*composition)}
	out := make([]*analysis.Analyzer, len(all))
	for i, a := range all {
		w := &analysis.Analyzer{
			Name:      a.Name,
			Doc:       a.Doc,
			URL:       a.URL,
			FactTypes: a.FactTypes, // so the driver can decode the facts of dependencies
		}
		a.Flags.VisitAll(func(f *flag.Flag) { w.Flags.Var(f.Value, f.Name, f.Usage) })
		w.Run = func(pass *analysis.Pass) (any, error) { return nil, c.report(pass, a) }
		out[i] = w
	}
	// The analyzers the rules require (effects, with its MayRecover and NilOnError facts)
	// left facts in the dependencies' vet files; the driver decodes them only for fact
	// types some analyzer of its own declares, and each type may be declared once.
	seen := make(map[string]bool)
	for _, a := range all {
		seen[a.Name] = true
	}
	var visit func(a *analysis.Analyzer)
	visit = func(a *analysis.Analyzer) {
		for _, r := range a.Requires {
			if seen[r.Name] {
				continue
			}
			seen[r.Name] = true
			if len(r.FactTypes) > 0 {
				out = append(out, &analysis.Analyzer{
					Name:      r.Name,
					Doc:       r.Doc,
					FactTypes: r.FactTypes,
					Run:       func(*analysis.Pass) (any, error) { return nil, nil },
				})
			}
			visit(r)
		}
	}
	for _, a := range all {
		visit(a)
	}
	return out
}

type composer struct {
	enabled func() []*analysis.Analyzer
	mu      sync.Mutex
	runs    map[*types.Package]*composition
}

type composition struct {
	once    sync.Once
	res     *Result
	rules   []*analysis.Analyzer
	carrier map[string]*Finding // per changed file, the finding that carries its edits
}

func (c *composer) get(pass *analysis.Pass) *composition {
	c.mu.Lock()
	run := c.runs[pass.Pkg]
	if run == nil {
		run = new(composition)
		c.runs[pass.Pkg] = run
	}
	c.mu.Unlock()
	run.once.Do(func() {
		run.rules = c.enabled()
		run.res = RunPass(context.Background(), &Config{Analyzers: run.rules, Tests: true}, pass)
		for _, pr := range run.res.Problems {
			fmt.Fprintf(os.Stderr, "deferfix: %s\n", pr.Error())
		}
		// The carrier of a file's edits is its finding of the earliest rule, the first
		// of that rule in the file: any finding will do, but the same one every time.
		rank := func(f *Finding) int {
			return slices.IndexFunc(run.rules, func(a *analysis.Analyzer) bool { return a.Name == f.Rule })
		}
		run.carrier = make(map[string]*Finding)
		for _, ch := range run.res.Changes {
			for _, f := range run.res.Findings {
				if f.Pos.Filename != ch.Path || rank(f) < 0 {
					continue
				}
				if cur := run.carrier[ch.Path]; cur == nil || rank(f) < rank(cur) {
					run.carrier[ch.Path] = f
				}
			}
		}
	})
	return run
}

// report reports a's findings on pass's package; the carrier of a file's edits gets them.
func (c *composer) report(pass *analysis.Pass, a *analysis.Analyzer) error {
	run := c.get(pass)
	files := make(map[string]*token.File)
	for _, f := range pass.Files {
		tf := pass.Fset.File(f.FileStart)
		files[tf.Name()] = tf
	}
	for _, f := range run.res.Findings {
		tf := files[f.Pos.Filename]
		if f.Rule != a.Name || tf == nil {
			continue
		}
		d := analysis.Diagnostic{Pos: tf.Pos(f.Pos.Offset), Message: f.Message}
		if f.End.IsValid() && f.End.Filename == f.Pos.Filename {
			d.End = tf.Pos(f.End.Offset)
		}
		for _, ch := range run.res.Changes {
			if run.carrier[ch.Path] == f {
				d.SuggestedFixes = []analysis.SuggestedFix{{
					Message:   fmt.Sprintf("Apply deferfix's %d composed fixes to %s", ch.Fixes, filepath.Base(ch.Path)),
					TextEdits: fileEdits(tf, ch.Old, ch.New),
				}}
			}
		}
		pass.Report(d)
	}
	return nil
}

// fileEdits returns line edits that turn before, the content of tf, into after.
func fileEdits(tf *token.File, before, after []byte) []analysis.TextEdit {
	var edits []analysis.TextEdit
	for _, e := range linediff.Lines(string(before), string(after)) {
		edits = append(edits, analysis.TextEdit{Pos: tf.Pos(e.Start), End: tf.Pos(e.End), NewText: []byte(e.New)})
	}
	return edits
}
