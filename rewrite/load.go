package rewrite

import (
	"context"
	"fmt"
	"go/token"
	"strings"

	"golang.org/x/tools/go/packages"
)

const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedImports | packages.NeedTypes | packages.NeedTypesSizes | packages.NeedSyntax |
	packages.NeedTypesInfo | packages.NeedModule

// load loads the packages matching patterns and returns the ones to analyze: each package
// once (its test variant when tests are included, since that has every file of the
// package), without the generated test mains. Packages that failed to load are returned
// as problems, not packages.
func load(ctx context.Context, cfg *Config, patterns []string) ([]*packages.Package, []Problem, error) {
	pcfg := &packages.Config{
		Context: ctx,
		Mode:    loadMode,
		Dir:     cfg.Dir,
		Tests:   cfg.Tests,
		Fset:    token.NewFileSet(),
	}
	if len(cfg.Tags) > 0 {
		pcfg.BuildFlags = []string{"-tags=" + strings.Join(cfg.Tags, ",")}
	}
	pkgs, err := packages.Load(pcfg, patterns...)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", strings.Join(patterns, " "), err)
	}

	hasTestVariant := make(map[string]bool)
	for _, p := range pkgs {
		if p.ForTest != "" && p.PkgPath == p.ForTest {
			hasTestVariant[p.PkgPath] = true
		}
	}
	var (
		keep     []*packages.Package
		problems []Problem
		seen     = make(map[string]bool)
	)
	for _, p := range pkgs {
		if strings.HasSuffix(p.ID, ".test") || (p.ForTest == "" && hasTestVariant[p.PkgPath]) {
			continue
		}
		if len(p.Errors) > 0 {
			for _, e := range p.Errors {
				key := e.Pos + e.Msg
				if seen[key] {
					continue
				}
				seen[key] = true
				problems = append(problems, Problem{Pos: parsePos(e.Pos), Package: p.PkgPath, Err: fmt.Errorf("%s", e.Msg)})
			}
			continue
		}
		keep = append(keep, p)
	}
	return keep, problems, nil
}

// parsePos turns go/packages' "file:line:col" into a position.
func parsePos(s string) token.Position {
	var p token.Position
	if s == "" || s == "-" {
		return p
	}
	parts := strings.Split(s, ":")
	p.Filename = parts[0]
	if len(parts) > 1 {
		fmt.Sscan(parts[1], &p.Line)
	}
	if len(parts) > 2 {
		fmt.Sscan(parts[2], &p.Column)
	}
	return p
}
