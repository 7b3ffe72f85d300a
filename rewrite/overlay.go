package rewrite

import (
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
		return pcfg.ParseFile(fset, filename, src)
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
