package defercost_test

import (
	"bufio"
	"bytes"
	"fmt"
	"go/token"
	"go/types"
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
	check(t, "testdata/cases", false, "./...")
	check(t, "", false, "std")
}

// TestAgreesOnModules checks the modules in DEFERCOST_MODULES (directories separated by
// the path list separator, e.g. make realworld's copies): every defer of their packages
// and of their tests (the test variants of the packages and the external test packages),
// as the compiler lowers it. make predict runs it on the realworld modules.
func TestAgreesOnModules(t *testing.T) {
	dirs := os.Getenv("DEFERCOST_MODULES")
	if dirs == "" {
		t.Skip("DEFERCOST_MODULES is not set")
	}
	if testing.Short() {
		t.Skip("compiles whole modules")
	}
	for _, dir := range filepath.SplitList(dirs) {
		t.Run(filepath.Base(dir), func(t *testing.T) { check(t, dir, true, "./...") })
	}
}

// check compares the prediction with the compiler's -d=defer output on the packages
// matched by pattern in dir (with tests: their test variants too). go list -export
// compiles every package, test variants included, without linking, and prints (or
// replays from the build cache) each package's compiler output under a "# ID" header, ID
// as go/packages spells it. A defer is matched by package, file and position; one in a
// file of another loaded package is that package's generic code instantiated here, and is
// compared with that package's prediction; one elsewhere (another module's generic code)
// is not ours.
func check(t *testing.T, dir string, tests bool, pattern string) {
	args := []string{"list", "-export", "-gcflags=-d=defer", "-f", "{{.ImportPath}}"}
	if tests {
		args = append(args, "-test")
	}
	cmd := exec.Command("go", append(args, pattern)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list -export: %v\n%s", err, stderr.Bytes())
	}
	cfg := &packages.Config{Mode: packages.LoadSyntax, Dir: dir, Tests: tests, Fset: token.NewFileSet()}
	loaded, err := packages.Load(cfg, pattern)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Dir == "" {
		cfg.Dir, _ = os.Getwd()
	}
	cfg.Dir, _ = filepath.Abs(cfg.Dir)
	abs := func(file string) string {
		if !filepath.IsAbs(file) {
			file = filepath.Join(cfg.Dir, file)
		}
		return filepath.Clean(file)
	}
	type where struct{ pkg, pos string }
	predicted := make(map[where]string)
	anyVariant := make(map[string]string) // file:line:col → prediction, in some package
	generic := make(map[where]bool)       // printed only where instantiated
	owner := make(map[string]bool)        // pkg ID + file
	// What hotdefer's facts tell about the other packages loaded: the parameters their
	// functions only call, found in import order (a package's dependencies first).
	onlyCalled := make(map[string]bool) // types.Func.FullName and index
	callbacks := func(fn *types.Func, i int) bool { return onlyCalled[fmt.Sprint(fn.FullName(), i)] }
	done := make(map[*packages.Package]bool)
	var facts func(p *packages.Package)
	facts = func(p *packages.Package) {
		if done[p] {
			return
		}
		done[p] = true
		for _, q := range p.Imports {
			facts(q)
		}
		if p.TypesInfo == nil {
			return // a dependency outside the pattern (no syntax)
		}
		for fn, params := range defercost.OnlyCalledParams(p.TypesInfo, p.Syntax, callbacks) {
			for _, i := range params {
				onlyCalled[fmt.Sprint(fn.FullName(), i)] = true
			}
		}
	}
	for _, p := range loaded {
		facts(p)
	}
	for _, p := range loaded {
		for _, f := range p.Syntax {
			owner[p.ID+" "+abs(p.Fset.Position(f.FileStart).Filename)] = true
		}
		for _, fn := range defercost.PredictWith(p.TypesInfo, p.Syntax, callbacks) {
			for d, s := range fn.Defers {
				pos := p.Fset.Position(d.Pos())
				k := where{p.ID, fmt.Sprintf("%s:%d:%d", abs(pos.Filename), pos.Line, pos.Column)}
				predicted[k] = s.String()
				anyVariant[k.pos] = s.String()
				generic[k] = fn.Generic
			}
		}
	}
	compiler := make(map[where]string)
	pkg := ""
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "# "); ok {
			pkg = id
		} else if m := lineRE.FindStringSubmatch(sc.Text()); m != nil {
			compiler[where{pkg, abs(m[1]) + ":" + m[2] + ":" + m[3]}] = m[4]
		}
	}
	var bad []string
	counts := make(map[string]int)
	seen := make(map[string]bool) // a file of a package is compiled again in its test variant
	for k, want := range compiler {
		file, _, _ := strings.Cut(k.pos, ":")
		got, ok := predicted[k]
		if !owner[k.pkg+" "+file] {
			if got, ok = anyVariant[k.pos]; !ok {
				continue // another module's generic code, instantiated here
			}
		}
		if !seen[k.pos] {
			seen[k.pos] = true
			counts[want]++
		}
		if got != want {
			bad = append(bad, fmt.Sprintf("%s (%s): compiler %s, predicted %q", rel(cfg.Dir, k.pos), k.pkg, want, got))
		}
	}
	for k, got := range predicted {
		if _, ok := compiler[k]; !ok && !generic[k] {
			bad = append(bad, fmt.Sprintf("%s (%s): predicted %s, compiler printed nothing", rel(cfg.Dir, k.pos), k.pkg, got))
		}
	}
	sort.Strings(bad)
	name := pattern
	if dir != "" && pattern == "./..." {
		name = filepath.Base(dir)
	}
	t.Logf("%s: %d defers (%d open-coded, %d stack-allocated, %d heap-allocated), %d disagreements",
		name, len(seen), counts["open-coded"], counts["stack-allocated"], counts["heap-allocated"], len(bad))
	for _, b := range bad {
		t.Error(b)
	}
}

func rel(dir, file string) string {
	if r, err := filepath.Rel(dir, file); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return file
}
