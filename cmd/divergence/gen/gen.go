// Package gen writes random, deterministic Go programs that exercise what deferfix
// rewrites, for differential testing (cmd/divergence runs them before and after
// deferfix -w and compares what they print).
//
// A case is one function (package cases of a generated module) or, for exit cases, one
// main package. Case i of seed s is a pure function of (s, i): Generate(s, i) returns the
// same bytes on every machine, so `go run ./cmd/divergence -seed s -case i -out DIR`
// reproduces it. Its Go version is fixed by i (blocks of BlockSize cases share one: 1.21,
// 1.22, 1.23 in turn), so a batch is one block and one module.
//
// Families (see the family functions): defers in loops of every kind (for, range over
// slices, ints, maps, channels and iterator functions) with every early exit (continue,
// break, labelled break and continue, return with values, goto), panics recovered by the
// caller, package state written by iterators, goroutines and closures, field, element and
// slice writes, pointer-method calls on addressable values, closures held in variables,
// nil interfaces and nil func values deferred, named results, several defers per
// iteration (loop); defers before the error check (check); deferred arguments evaluated
// early (args); dropped Flush and Close errors of writers (writer); many returns times
// defers (hot); deferred closures capturing loop variables (capture); os.Exit and
// log.Fatal with defers pending in main (exit).
package gen

import (
	"fmt"
	"go/format"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// BlockSize is the number of consecutive cases that share a Go version (one batch).
const BlockSize = 100

// Versions are the module Go versions, one per block in turn.
var Versions = []string{"1.21", "1.22", "1.23"}

// ModulePath is the module path of generated modules.
const ModulePath = "gen.example/batch"

// Case is one generated case.
type Case struct {
	Index     int
	Name      string // c000042
	Family    string
	GoVersion string
	Source    string // file of package cases, or package main for exit cases
	Exit      bool   // a main program: run on its own, its exit status compared
	Panics    bool   // some path may panic: not run under -unsafe
	// NoOracle: a capture case whose go 1.22 build is no oracle for the loopcapture fix
	// (a closure assigns the loop variable: that fix is refused, the others' apply, and
	// the closures no longer share the variable as they did)
	NoOracle bool
}

// VersionOf returns the Go version of case i.
func VersionOf(i int) string { return Versions[(i/BlockSize)%len(Versions)] }

// Generate returns case i of seed.
func Generate(seed int64, i int) Case { return GenerateNames(seed, i, false) }

// GenerateNames returns case i of seed; with names, some functions also declare local
// variables named like what rewrites write (true, false, pending, held, run), drawn from
// a separate stream so that the rest of the case is the same as without.
func GenerateNames(seed int64, i int, names bool) Case {
	r := rand.New(rand.NewPCG(uint64(seed), uint64(i)*0x9e3779b97f4a7c15+1))
	g := &G{r: r, ver: VersionOf(i), p: fmt.Sprintf("c%06d", i)}
	if names {
		g.names2 = rand.New(rand.NewPCG(uint64(seed)^0x5bd1e995, uint64(i)))
	}
	c := Case{Index: i, Name: g.p, GoVersion: g.ver}
	fams := []struct {
		name string
		w    int
		f    func(*G)
	}{
		{"loop", 45, (*G).loopCase},
		{"check", 12, (*G).checkCase},
		{"args", 10, (*G).argsCase},
		{"writer", 8, (*G).writerCase},
		{"hot", 10, (*G).hotCase},
		{"capture", 7, (*G).captureCase},
		{"exit", 8, (*G).exitCase},
	}
	tot := 0
	for _, f := range fams {
		tot += f.w
	}
	n := r.IntN(tot)
	for _, f := range fams {
		if n < f.w {
			c.Family = f.name
			f.f(g)
			break
		}
		n -= f.w
	}
	c.Exit = g.isExit
	c.Panics = g.panics
	c.NoOracle = g.noOracle
	c.Source = g.source()
	return c
}

// G generates one case.
type G struct {
	r        *rand.Rand
	ver      string
	p        string // prefix of package-level names
	isExit   bool
	panics   bool
	noOracle bool
	names2   *rand.Rand // draws local names that shadow what rewrites write, if set

	imports map[string]bool
	decls   strings.Builder // package-level declarations
	b       strings.Builder // current function
	ind     int
	tmp     int
}

func (g *G) n(k int) int              { return g.r.IntN(k) }
func (g *G) coin(pct int) bool        { return g.r.IntN(100) < pct }
func (g *G) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }
func (g *G) at(v string) bool         { return g.ver >= v }
func (g *G) id(s string) string       { return g.p + "_" + s }
func (g *G) fresh(s string) string    { g.tmp++; return fmt.Sprintf("%s%d", s, g.tmp) }

func (g *G) imp(path string) {
	if g.imports == nil {
		g.imports = map[string]bool{}
	}
	g.imports[path] = true
}

// l writes a line of the current function at the current indentation; "{" at the end
// indents what follows, "}" at the start outdents.
func (g *G) l(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if strings.HasPrefix(s, "}") {
		g.ind--
	}
	g.b.WriteString(strings.Repeat("\t", max(g.ind, 0)) + s + "\n")
	if strings.HasSuffix(s, "{") {
		g.ind++
	}
}

func (g *G) decl(format string, args ...any) { fmt.Fprintf(&g.decls, format+"\n", args...) }

// flush moves the current function to the declarations.
func (g *G) flush() {
	g.decls.WriteString(g.b.String() + "\n")
	g.b.Reset()
	g.ind = 0
}

func (g *G) source() string {
	var s strings.Builder
	pkg := "cases"
	if g.isExit {
		pkg = "main"
	}
	fmt.Fprintf(&s, "// Code for case %s (go %s).\n\npackage %s\n\n", g.p, g.ver, pkg)
	g.imp(ModulePath + "/rt")
	var paths []string
	for p := range g.imports {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	s.WriteString("import (\n")
	for _, p := range paths {
		fmt.Fprintf(&s, "\t%q\n", p)
	}
	s.WriteString(")\n\n")
	s.WriteString(g.decls.String())
	out, err := format.Source([]byte(s.String()))
	if err != nil {
		panic(fmt.Sprintf("gen: case %s does not parse: %v\n%s", g.p, err, s.String()))
	}
	return string(out)
}

// WriteModule writes a module holding cases (all of one Go version) to dir: rt, package
// cases with a registry, a main that runs every non-exit case in order, and exit/<name>
// for each exit case.
func WriteModule(dir, goVersion string, cases []Case) error {
	files := Harness()
	files["go.mod"] = fmt.Sprintf("module %s\n\ngo %s\n", ModulePath, goVersion)
	var reg strings.Builder
	reg.WriteString("package cases\n\n// All lists the cases in order.\nvar All = []struct {\n\tName string\n\tF    func()\n}{\n")
	for _, c := range cases {
		if c.Exit {
			files["exit/"+c.Name+"/main.go"] = c.Source
			continue
		}
		files["cases/"+c.Name+".go"] = c.Source
		fmt.Fprintf(&reg, "\t{%q, %s},\n", c.Name, exported(c.Name))
	}
	reg.WriteString("}\n")
	files["cases/all.go"] = reg.String()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(src), 0o666); err != nil {
			return err
		}
	}
	return nil
}

// Harness returns the files every generated module shares, by path in the module: package
// rt and the main that runs the cases. A module kept as a test (testdata/programs) holds
// only its cases; the test adds these.
func Harness() map[string]string {
	return map[string]string{"rt/rt.go": rtSource, "main.go": mainSource}
}

func exported(name string) string { return "C" + name[1:] }

const mainSource = `// Command batch runs every generated case under recover and prints what it did.
package main

import (
	"fmt"
	"os"

	"gen.example/batch/cases"
	"gen.example/batch/rt"
)

func main() {
	for _, c := range cases.All {
		if len(os.Args) > 1 && os.Args[1] != c.Name {
			continue
		}
		runCase(c.Name, c.F)
	}
}

func runCase(name string, f func()) {
	fmt.Printf("=== %s\n", name)
	defer rt.End(name)
	defer func() {
		if p := recover(); p != nil {
			fmt.Printf("panic: %v\n", p)
		}
	}()
	f()
}
`
