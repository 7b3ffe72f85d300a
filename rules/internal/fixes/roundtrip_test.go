package fixes

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dave/dst/decorator"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"
)

// roundTripDirs are the standard-library trees whose every file must survive
// decorate + restore byte for byte: the promise that an untouched region of a file we
// rewrite comes back as it was.
var roundTripDirs = []string{"net/http", "go/parser", "encoding/json", "os", "sync"}

// TestRoundTripStd decorates and restores, unchanged, every gofmt-clean .go file under
// roundTripDirs: with type information and the import-aware decorator for the files the
// go command builds here (the configuration rules use), and without import management for
// files of other platforms or build tags, which deferfix never rewrites on this machine.
func TestRoundTripStd(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("type-checks and prints part of the standard library; make test runs it without -race")
	}
	var patterns []string
	for _, d := range roundTripDirs {
		patterns = append(patterns, d+"/...")
	}
	cfg := &packages.Config{Mode: packages.LoadSyntax, Tests: true}
	t0 := time.Now()
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("load: %v", time.Since(t0))
	t0 = time.Now()
	defer func() { t.Logf("round trips: %v", time.Since(t0)) }()
	typed := make(map[string]bool)
	for _, p := range pkgs {
		if len(p.Errors) > 0 || strings.HasSuffix(p.ID, ".test") {
			continue
		}
		pass := &analysis.Pass{Fset: p.Fset, Pkg: p.Types, TypesInfo: p.TypesInfo, ReadFile: os.ReadFile}
		for _, f := range p.Syntax {
			name := p.Fset.File(f.FileStart).Name()
			if typed[name] || !strings.HasSuffix(name, ".go") || !isGofmtClean(t, name) {
				continue
			}
			typed[name] = true
			df, err := Decorate(pass, f)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			out, err := df.Restore()
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if !bytes.Equal(out, df.src) {
				t.Errorf("%s: decorate + restore changed the file:\n%s", name, firstDiff(df.src, out))
			}
			// Each top-level declaration that holds a defer, alone as FixAt decorates it,
			// must print as its own lines of the file.
			for _, decl := range f.Decls {
				if !holdsDefer(decl) || p.Fset.Position(decl.Pos()).Line == p.Fset.Position(decl.End()).Line {
					continue
				}
				dd, err := DecorateDecl(pass, f, decl)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				edits, err := dd.Edits()
				if err != nil {
					t.Errorf("%s: %v", name, err)
				} else if len(edits) > 0 {
					pos := p.Fset.Position(decl.Pos())
					t.Errorf("%s: declaration at line %d changes when printed alone: %q", name, pos.Line, edits[0].NewText)
				}
			}
		}
	}
	if len(typed) < 250 {
		t.Fatalf("only %d files checked with types; the load went wrong", len(typed))
	}

	untyped := 0
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(strings.TrimSpace(string(goroot)), "src")
	for _, d := range roundTripDirs {
		filepath.WalkDir(filepath.Join(root, d), func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() && e.Name() == "testdata" {
				return filepath.SkipDir
			}
			if e.IsDir() || !strings.HasSuffix(path, ".go") || typed[path] || !isGofmtClean(t, path) {
				return nil
			}
			untyped++
			src, _ := os.ReadFile(path)
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, src, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				return nil
			}
			df, err := decorator.NewDecorator(fset).DecorateFile(f)
			if err != nil {
				t.Errorf("%s: %v", path, err)
				return nil
			}
			var buf bytes.Buffer
			if err := decorator.NewRestorer().Fprint(&buf, df); err != nil {
				t.Errorf("%s: %v", path, err)
				return nil
			}
			if !bytes.Equal(buf.Bytes(), src) {
				t.Errorf("%s (untyped): decorate + restore changed the file:\n%s", path, firstDiff(src, buf.Bytes()))
			}
			return nil
		})
	}
	t.Logf("%d files round-tripped with types, %d without", len(typed), untyped)
}

// isGofmtClean reports whether the file at path is already gofmt-formatted; only such
// files can round-trip, since the restorer prints gofmt style.
func isGofmtClean(t *testing.T, path string) bool {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := format.Source(src)
	return err == nil && bytes.Equal(out, src)
}

func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n-%s\n+%s", i+1, al[i], bl[i])
		}
	}
	return "length differs"
}

func holdsDefer(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		_, isDefer := m.(*ast.DeferStmt)
		found = found || isDefer
		return !found
	})
	return found
}
