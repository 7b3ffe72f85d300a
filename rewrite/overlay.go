package rewrite

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"golang.org/x/tools/go/packages"
)

// readFile returns a file's content: the overlay's, if it has the file, else the disk's.
// A nil Config has no overlay.
func (c *Config) readFile(name string) ([]byte, error) {
	if c == nil {
		return os.ReadFile(name)
	}
	if src, ok := c.Overlay[name]; ok {
		return src, nil
	}
	return os.ReadFile(name)
}

// loadOverlay is packages.Load with the overlay's contents in place of the files on disk.
//
// packages.Config.Overlay makes go/packages type-check every dependency from source, the
// whole standard library below the package included (its export data might be stale), which
// costs seconds an editor waits on every keystroke. So the first load lets go list read
// the disk and only substitutes the overlay's contents when the files are parsed: the
// dependencies come from export data. That is exact when go list's view of the package
// still holds: every overlaid file in the loaded packages' directories is one of their
// files, and imports nothing the package does not already import. Otherwise (a new file,
// a new import, an added build constraint's file) the load is done again with
// Config.Overlay, which go list sees too.
func loadOverlay(pcfg *packages.Config, overlay map[string][]byte, patterns []string) ([]*packages.Package, error) {
	if len(overlay) == 0 {
		return packages.Load(pcfg, patterns...)
	}
	fast := *pcfg
	fast.ParseFile = func(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
		if o, ok := overlay[filename]; ok {
			src = o
		}
		return parser.ParseFile(fset, filename, src, parser.AllErrors|parser.ParseComments)
	}
	pkgs, err := packages.Load(&fast, patterns...)
	if err == nil && overlayFits(pkgs, overlay) {
		return pkgs, nil
	}
	slow := *pcfg
	slow.Overlay = overlay
	return packages.Load(&slow, patterns...)
}

// overlayFits reports whether go list's file lists and imports of pkgs, read from disk,
// are right for the overlay's contents too.
func overlayFits(pkgs []*packages.Package, overlay map[string][]byte) bool {
	dirs := make(map[string]bool)
	listed := make(map[string]bool)
	for _, p := range pkgs {
		for _, f := range slices.Concat(p.GoFiles, p.CompiledGoFiles, p.IgnoredFiles) {
			dirs[filepath.Dir(f)] = true
			listed[f] = true
		}
	}
	for name, src := range overlay {
		if !dirs[filepath.Dir(name)] || filepath.Ext(name) != ".go" {
			continue // not in these packages: their dependencies come from export data
		}
		if !listed[name] {
			return false
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			continue // the package gets the parse error either way
		}
		for _, p := range pkgs {
			if !slices.Contains(p.CompiledGoFiles, name) {
				continue
			}
			if f.Name.Name != p.Name {
				return false
			}
			for _, imp := range f.Imports {
				path, err := strconv.Unquote(imp.Path.Value)
				if err != nil {
					return false
				}
				if _, ok := p.Imports[path]; !ok && path != "unsafe" && path != "C" {
					return false
				}
			}
		}
	}
	return true
}

// FixOne returns the changes f's fix alone makes, applied and verified as a round of Run
// is (formatted, comments kept, the package type-checked again), without the fixes of
// later rounds: an editor's quick fix for one finding. f must be one of r.Findings, from a
// run with Config.Fix; nil if the fix was dropped. r is not modified.
func (r *Result) FixOne(ctx context.Context, f *Finding) []*FileChange {
	return r.replan(ctx, []*Finding{f})
}

// WithFixes returns, for the result of a report (a Run without Config.Fix), its findings
// with their fixes, as a Run with Config.Fix finds them before it applies them, without
// loading the packages again: the rules run once more and make their fixes this time. The
// changes are left to FixOne and FixAll. An editor shows the report's findings first;
// making the fixes costs the rules about as much again as the load and report together.
func (r *Result) WithFixes() *Result {
	cfg := *r.cfg
	cfg.Fix = true
	findings, problems := findAll(&cfg, r.pkgs, cfg.readFile)
	res := &Result{Problems: problems, cfg: &cfg, pkgs: r.pkgs}
	res.Findings = classify(&cfg, findings, false)
	res.Remaining = res.Findings
	return res
}

// FixAll returns the changes Run with Config.Fix makes, in all its rounds, for the result
// of WithFixes: what -w writes. r is not modified, so FixOne and FixAll
// may run at the same time.
func (r *Result) FixAll(ctx context.Context) []*FileChange {
	var copies []*Finding
	for _, f := range r.Findings {
		c := *f
		c.Fixed, c.Dropped = false, ""
		copies = append(copies, &c)
	}
	p := newPlan(r.cfg, r.pkgs, copies)
	p.run(ctx)
	return p.changes()
}
