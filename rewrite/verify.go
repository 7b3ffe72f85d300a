package rewrite

import (
	"go/ast"
	goimporter "go/importer"
	"go/parser"
	"go/types"
	"slices"

	"golang.org/x/tools/go/packages"
)

// recheck parses the files of pkg named in content from their new text and type-checks the
// package again, importing dependencies exactly as the load did. It returns the new
// package and its type errors.
func recheck(pkg *packages.Package, content map[string][]byte) (*packages.Package, []types.Error, error) {
	files := make([]*ast.File, len(pkg.Syntax))
	for i, f := range pkg.Syntax {
		name := pkg.Fset.File(f.FileStart).Name()
		src, ok := content[name]
		if !ok {
			files[i] = f
			continue
		}
		nf, err := parser.ParseFile(pkg.Fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, err
		}
		files[i] = nf
	}
	info := &types.Info{
		Types:        make(map[ast.Expr]types.TypeAndValue),
		Defs:         make(map[*ast.Ident]types.Object),
		Uses:         make(map[*ast.Ident]types.Object),
		Implicits:    make(map[ast.Node]types.Object),
		Instances:    make(map[*ast.Ident]types.Instance),
		Scopes:       make(map[ast.Node]*types.Scope),
		Selections:   make(map[*ast.SelectorExpr]*types.Selection),
		FileVersions: make(map[*ast.File]string),
	}
	var errs []types.Error
	conf := types.Config{
		Importer:  importer(pkg),
		Sizes:     pkg.TypesSizes,
		GoVersion: pkg.Types.GoVersion(),
		Error:     func(err error) { errs = append(errs, err.(types.Error)) },
	}
	tpkg, _ := conf.Check(pkg.PkgPath, pkg.Fset, files, info)
	np := *pkg
	np.Syntax, np.Types, np.TypesInfo, np.TypeErrors = files, tpkg, info, errs
	np.IllTyped = len(errs) > 0
	return &np, errs, nil
}

// importer resolves imports to the packages the original load type-checked against. A
// fix may add an import (exitdefer adds "os"): it is looked up among the dependencies'
// own imports, which share the load's type objects, and only then in export data.
func importer(pkg *packages.Package) types.Importer {
	byPath := make(map[string]*types.Package)
	queue := slices.Clone(pkg.Types.Imports())
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		if byPath[t.Path()] == nil {
			byPath[t.Path()] = t
			queue = append(queue, t.Imports()...)
		}
	}
	fallback := goimporter.ForCompiler(pkg.Fset, "gc", nil)
	return importerFunc(func(path string) (*types.Package, error) {
		if path == "unsafe" {
			return types.Unsafe, nil
		}
		if p := pkg.Imports[path]; p != nil {
			if p.Types != nil {
				return p.Types, nil
			}
			if t := byPath[p.PkgPath]; t != nil {
				return t, nil
			}
		}
		if t := byPath[path]; t != nil {
			return t, nil
		}
		return fallback.Import(path)
	})
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
