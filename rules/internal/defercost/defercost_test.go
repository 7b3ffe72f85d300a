package defercost_test

import (
	"bufio"
	"bytes"
	"fmt"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/deferfix/deferfix/rules/internal/defercost"
)

var lineRE = regexp.MustCompile(`^(.*\.go):(\d+):(\d+): (open-coded|stack-allocated|heap-allocated) defer$`)

// TestAgreesWithCompiler requires the static prediction to equal what the compiler
// prints under -gcflags=-d=defer for every defer of the crafted cases and of the whole
// standard library (non-test files; the first run compiles it, later runs hit the cache).
func TestAgreesWithCompiler(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles part of the standard library")
	}
	check(t, "testdata/cases", []string{"."})
	check(t, "", []string{"std"})
}

// TestAgreesOnModules checks the modules in DEFERCOST_MODULES (directories separated by
// the path list separator, e.g. make realworld's copies): every defer of their packages
// (test files excluded) as the compiler lowers it.
func TestAgreesOnModules(t *testing.T) {
	dirs := os.Getenv("DEFERCOST_MODULES")
	if dirs == "" {
		t.Skip("DEFERCOST_MODULES is not set")
	}
	for _, dir := range filepath.SplitList(dirs) {
		t.Run(filepath.Base(dir), func(t *testing.T) { check(t, dir, []string{"./..."}) })
	}
}

func check(t *testing.T, dir string, pkgs []string) {
	cmd := exec.Command("go", append([]string{"build", "-gcflags=-d=defer"}, pkgs...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	compiler := make(map[string]string)
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if m := lineRE.FindStringSubmatch(sc.Text()); m != nil {
			compiler[key(relTo(dir, m[1]), m[2], m[3])] = m[4]
		}
	}
	cfg := &packages.Config{Mode: packages.LoadSyntax, Dir: dir, Fset: token.NewFileSet()}
	loaded, err := packages.Load(cfg, pkgs...)
	if err != nil {
		t.Fatal(err)
	}
	predicted := make(map[string]string)
	generic := make(map[string]bool) // printed only where instantiated
	files := make(map[string]bool)
	for _, p := range loaded {
		for _, f := range p.Syntax {
			pos := p.Fset.Position(f.FileStart)
			files[key(relTo(dir, pos.Filename), "", "")] = true
		}
		for _, fn := range defercost.Predict(p.TypesInfo, p.Syntax) {
			for d, s := range fn.Defers {
				pos := p.Fset.Position(d.Pos())
				k := key(relTo(dir, pos.Filename), fmt.Sprint(pos.Line), fmt.Sprint(pos.Column))
				predicted[k] = s.String()
				generic[k] = fn.Generic
			}
		}
	}
	for k := range compiler {
		if file, _, _ := strings.Cut(k, ":"); !files[file+":"] {
			delete(compiler, k) // an instantiation of another package's generic code
		}
	}
	var bad []string
	counts := make(map[string]int)
	for k, want := range compiler {
		counts[want]++
		if got := predicted[k]; got != want {
			bad = append(bad, fmt.Sprintf("%s: compiler %s, predicted %q", k, want, got))
		}
	}
	for k, got := range predicted {
		if _, ok := compiler[k]; !ok && !generic[k] {
			bad = append(bad, fmt.Sprintf("%s: predicted %s, compiler printed nothing", k, got))
		}
	}
	sort.Strings(bad)
	t.Logf("%s: %d defers (%d open-coded, %d stack-allocated, %d heap-allocated), %d disagreements",
		strings.Join(pkgs, " "), len(compiler), counts["open-coded"], counts["stack-allocated"], counts["heap-allocated"], len(bad))
	for _, b := range bad {
		t.Error(b)
	}
}

// relTo keys a file of a module of DEFERCOST_MODULES (an absolute dir) by its base name:
// go build prints some packages' files relative to the module, main packages' relative to
// their own directory.
func relTo(dir, file string) string {
	if !filepath.IsAbs(dir) {
		return file
	}
	return filepath.Base(file)
}

func key(file, line, col string) string {
	if i := strings.Index(file, "/testdata/cases/"); i >= 0 {
		file = file[i+len("/testdata/cases/"):]
	} else if i := strings.Index(file, "/src/"); i >= 0 {
		file = file[i+len("/src/"):]
	}
	file = strings.TrimPrefix(file, "./")
	if line == "" {
		return file + ":"
	}
	return file + ":" + line + ":" + col
}
