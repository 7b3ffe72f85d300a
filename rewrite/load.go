package rewrite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"
)

const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedImports | packages.NeedTypes | packages.NeedTypesSizes | packages.NeedSyntax |
	packages.NeedTypesInfo | packages.NeedModule | packages.NeedForTest

// parseMode is go/packages' own mode without object resolution: nothing in deferfix reads
// ast.Object or ast.Scope (go/types and the rules resolve names with types.Info, and the
// rewritten files verify.go parses have none either), and resolving costs a tenth of the
// parse and memory held until the run ends.
const parseMode = parser.AllErrors | parser.ParseComments | parser.SkipObjectResolution

// deferFiles holds, for each package load returned, the files that mention defer: the
// others hold no defer statement, and no rule reports anything outside the functions that
// do (see analyze). A package missing from it (one the plan type-checked again) is
// analyzed whole.
type deferFiles map[*packages.Package][]*ast.File

// A fileScan records, as the loader parses each file, whether its text mentions defer:
// the bytes are at hand then, and a look at them costs nothing beside the parse.
type fileScan struct {
	noDefer sync.Map // *ast.File → struct{}: the word defer is nowhere in its text
}

func (s *fileScan) parse(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
	f, err := parser.ParseFile(fset, filename, src, parseMode)
	if f != nil && !bytes.Contains(src, []byte("defer")) {
		s.noDefer.Store(f, struct{}{})
	}
	return f, err
}

// files returns those of pkg's files that mention defer.
func (s *fileScan) files(pkg *packages.Package) []*ast.File {
	var out []*ast.File
	for _, f := range pkg.Syntax {
		if _, ok := s.noDefer.Load(f); !ok {
			out = append(out, f)
		}
	}
	return out
}

// load loads the packages matching patterns and returns the ones to analyze: each package
// once (its test variant when tests are included, since that has every file of the
// package), without the generated test mains, and the files of each that mention defer.
// Packages that failed to load are returned as problems, not packages.
func load(ctx context.Context, cfg *Config, patterns []string) ([]*packages.Package, deferFiles, []Problem, error) {
	scan := new(fileScan)
	pcfg := &packages.Config{
		Context:   ctx,
		Mode:      loadMode,
		Dir:       cfg.Dir,
		Tests:     cfg.Tests,
		Fset:      token.NewFileSet(),
		ParseFile: scan.parse,
	}
	if len(cfg.Tags) > 0 {
		pcfg.BuildFlags = []string{"-tags=" + strings.Join(cfg.Tags, ",")}
	}
	pkgs, err := loadOverlay(pcfg, cfg.Overlay, patterns)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load %s: %w", strings.Join(patterns, " "), err)
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
		only     = make(deferFiles)
	)
	for _, p := range pkgs {
		if strings.HasSuffix(p.ID, ".test") || (p.ForTest == "" && hasTestVariant[p.PkgPath]) {
			continue
		}
		if len(p.Errors) > 0 {
			problems = append(problems, loadProblems(p, seen)...)
			continue
		}
		keep = append(keep, p)
		only[p] = scan.files(p)
	}
	return keep, only, problems, nil
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

// loadProblems turns a package's load errors into problems: the first error of each file
// (parse errors cascade), and the package-level ones only when no error has a position,
// since the go command's summary repeats what the positioned errors say.
func loadProblems(p *packages.Package, seen map[string]bool) []Problem {
	var out []Problem
	more := make(map[string]int)
	positioned := false
	for _, e := range p.Errors {
		positioned = positioned || parsePos(e.Pos).Filename != ""
	}
	for _, e := range p.Errors {
		pos := parsePos(e.Pos)
		if pos.Filename == "" && positioned {
			continue
		}
		if pos.Filename != "" && more[pos.Filename] > 0 {
			more[pos.Filename]++
			continue
		}
		more[pos.Filename]++
		key := e.Pos + "\x00" + e.Msg
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, Problem{Pos: pos, Package: p.PkgPath, Err: errors.New(importError(p, e.Msg))})
	}
	for i := range out {
		if n := more[out[i].Pos.Filename] - 1; n > 0 && out[i].Pos.Filename != "" {
			out[i].Err = fmt.Errorf("%w (and %d more errors in this file)", out[i].Err, n)
		}
	}
	return out
}

// importError replaces the type checker's vague "could not import X (...)" with the reason
// the go command gave for X.
func importError(p *packages.Package, msg string) string {
	for path, imp := range p.Imports {
		if len(imp.Errors) > 0 && strings.HasPrefix(msg, "could not import "+path+" ") {
			return "could not import " + path + ": " + imp.Errors[0].Msg
		}
	}
	return msg
}

// maxFactDepth bounds the rounds of loadFactDeps: each costs a go list.
const maxFactDepth = 4

// loadFactDeps loads, from source and for their facts only, the packages of the roots' own
// modules that the roots import but the patterns did not name, and theirs in turn (up to
// maxFactDepth levels). deferfix -w . then proves a fix from the facts of a sibling
// package as deferfix -w ./... and go vet do, instead of calling its functions unknown.
// They are analysed with an empty inspector (only holds no file for them): nothing is
// reported in them, but their facts are computed from all their files. A package that
// fails to load is left out: its functions stay unknown, which only refuses more.
func loadFactDeps(ctx context.Context, cfg *Config, roots []*packages.Package, only deferFiles) []*packages.Package {
	have := make(map[string]bool)
	modules := make(map[string]bool) // the roots' modules: facts cross no other (factStore)
	for _, p := range roots {
		have[p.PkgPath] = true
		modules[modulePath(p)] = true
	}
	var out []*packages.Package
	from := roots
	for range maxFactDepth {
		var want []string
		for _, p := range from {
			if p.Module == nil || p.Module.Path == "" {
				continue
			}
			for path := range p.Imports {
				if !have[path] && (path == p.Module.Path || strings.HasPrefix(path, p.Module.Path+"/")) {
					have[path] = true
					want = append(want, path)
				}
			}
		}
		if len(want) == 0 {
			break
		}
		slices.Sort(want)
		pcfg := &packages.Config{
			Context: ctx,
			Mode:    loadMode,
			Dir:     cfg.Dir,
			Fset:    token.NewFileSet(),
			ParseFile: func(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
				return parser.ParseFile(fset, filename, src, parseMode)
			},
		}
		if len(cfg.Tags) > 0 {
			pcfg.BuildFlags = []string{"-tags=" + strings.Join(cfg.Tags, ",")}
		}
		pkgs, err := loadOverlay(pcfg, cfg.Overlay, want)
		if err != nil {
			break
		}
		from = from[:0:0]
		for _, p := range pkgs {
			if len(p.Errors) > 0 || p.Types == nil || !modules[modulePath(p)] {
				continue // a nested module's package shares the path prefix
			}
			out = append(out, p)
			from = append(from, p)
			only[p] = []*ast.File{}
		}
	}
	return out
}
