package rewrite

import (
	"context"
	"go/ast"
	"go/token"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"

	"github.com/deferfix/deferfix/rules"
)

// Config says what to load, which rules to run and what to do with their fixes.
type Config struct {
	Dir       string   // where patterns are resolved; "" is the current directory
	Tags      []string // build tags
	Tests     bool     // include _test.go files
	Analyzers []*analysis.Analyzer

	Unsafe           bool // also apply fixes marked unsafe
	IncludeGenerated bool // report and fix in generated files too
	Fix              bool // plan, verify and produce file changes, not only findings
	All              bool // report findings the rules believe intended, as ordinary ones

	// Overlay maps absolute file names to contents that replace the files on disk, for
	// loading, analysis and fixes alike: an editor's unsaved buffers (packages.Config.Overlay).
	Overlay map[string][]byte

	// Logf, if set, receives notes for -v: skipped files, postponed and dropped fixes.
	Logf func(format string, args ...any)
	// Progress, if set, is told what the run is doing: phase "load" (done and total 0,
	// once), "analyse" (packages done of total), "fix" (round done, with total fixes pending).
	// It is called from several goroutines, one call at a time.
	Progress func(phase string, done, total int)

	hostUnsafe bool // each analyzer's own -unsafe flag decides (RunPass), not Unsafe
}

func (c *Config) progress(phase string, done, total int) {
	if c.Progress != nil {
		c.Progress(phase, done, total)
	}
}

func (c *Config) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

// A FileChange is the new content of a file with fixes applied and verified.
type FileChange struct {
	Path     string
	Old, New []byte
	Fixes    int // fixes applied to this file
}

// Result is what a run found and would change.
type Result struct {
	// Findings are the findings on the code as loaded, sorted by position.
	Findings []*Finding
	// Changes are the verified new contents of files, sorted by path (with Config.Fix).
	Changes []*FileChange
	// Remaining are the findings left once Changes are applied (with Config.Fix).
	Remaining []*Finding
	// Problems are packages that did not load, rules that failed and fixes dropped.
	Problems []Problem
	// Intended are the findings the rules believe intended, not reported (without
	// Config.All; with it they are among Findings).
	Intended []*Finding

	cfg   *Config
	pkgs  []*packages.Package
	only  deferFiles
	facts *factStore          // the rules' facts about the packages as loaded
	deps  []*packages.Package // loaded for their facts only (loadFactDeps)
}

// Run loads the packages matching patterns and runs the pipeline up to, not including,
// writing: call Write on the result to apply it.
func Run(ctx context.Context, cfg *Config, patterns ...string) (*Result, error) {
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	cfg.progress("load", 0, 0)
	pkgs, only, problems, err := load(ctx, cfg, patterns)
	if err != nil {
		return nil, err
	}
	res := &Result{Problems: problems, cfg: cfg, pkgs: pkgs, only: only, facts: newFactStore()}
	res.deps = loadFactDeps(ctx, cfg, pkgs, only)
	// The rules report intended findings to deferfix, marked; Run and the plan decide.
	var marked []func()
	for _, p := range pkgs {
		marked = append(marked, rules.ReportIntended(p.Types))
	}
	defer func() {
		for _, done := range marked {
			done()
		}
	}()
	if !cfg.Fix {
		// A report needs the fixes' titles only (held until Run returns).
		var done []func()
		for _, p := range pkgs {
			done = append(done, rules.ReportOnly(p.Types))
		}
		defer func() {
			for _, d := range done {
				d()
			}
		}()
	}
	findings, problems := findAll(cfg, res.facts, slices.Concat(pkgs, res.deps), only, cfg.readFile)
	res.Problems = append(res.Problems, problems...)
	res.Findings = classify(cfg, findings, true)
	if !cfg.All {
		res.Findings, res.Intended = intended(res.Findings)
	}
	if !cfg.Fix {
		res.Remaining = res.Findings
		return res, nil
	}
	p := newPlan(cfg, res.facts, pkgs, res.Findings)
	p.run(ctx)
	res.Changes = p.changes()
	res.Remaining = p.remaining()
	res.Problems = append(res.Problems, p.problems...)
	return res, nil
}

// classify drops findings in generated files (unless asked for) and withholds fixes in
// files deferfix must not rewrite.
// Notes for -v are logged only when first is set, not again when later rounds re-analyze.
func classify(cfg *Config, findings []*Finding, first bool) []*Finding {
	logf := func(format string, args ...any) {
		if first {
			cfg.logf(format, args...)
		}
	}
	type fileInfo struct{ generated, cgo, mapped, vendored bool }
	infos := make(map[string]fileInfo)
	info := func(f *Finding) fileInfo {
		if fi, ok := infos[f.Pos.Filename]; ok {
			return fi
		}
		fi := fileInfo{vendored: vendored(f.Pos.Filename)}
		if af := fileOf(f.pkg, f.Pos.Filename); af != nil {
			fi.generated = ast.IsGenerated(af)
			fi.cgo = importsC(af)
		} else {
			fi.mapped = true // the position maps out of the parsed file: cgo or //line
		}
		if fi.mapped && slices.Contains(f.pkg.GoFiles, f.Pos.Filename) && usesCgo(f.pkg.GoFiles, f.pkg.CompiledGoFiles) {
			fi.cgo, fi.mapped = true, false
		}
		infos[f.Pos.Filename] = fi
		return fi
	}
	var keep []*Finding
	for _, f := range findings {
		fi := info(f)
		switch {
		case fi.generated && !cfg.IncludeGenerated:
			logf("%s: skipped: generated file (use -include-generated)", f.Pos)
			continue
		case fi.generated:
			f.Fix, f.NoFix = nil, "generated file: deferfix never rewrites generated files"
		case fi.vendored:
			f.Fix, f.NoFix = nil, "vendored file: deferfix never rewrites vendor/; fix it upstream"
		case fi.cgo && !fi.mapped:
			f.Fix, f.NoFix = nil, "cgo file: deferfix does not rewrite files that import \"C\""
			logf("%s: not rewritten: cgo file", f.Pos)
		case fi.mapped:
			f.Fix, f.NoFix = nil, "the position comes from a //line directive: deferfix rewrites only the file it reads"
		}
		keep = append(keep, f)
	}
	return suppress(cfg, keep)
}

// vendored reports whether file lies in a directory named vendor: a copy of another
// module's code that go mod vendor would overwrite, even when its package was named on
// the command line.
func vendored(file string) bool {
	return slices.Contains(strings.Split(filepath.ToSlash(filepath.Dir(file)), "/"), "vendor")
}

// intended splits off the findings the rules believe intended: they are not reported,
// do not count for the exit status and are never fixed.
func intended(findings []*Finding) (report, not []*Finding) {
	for _, f := range findings {
		if f.Intended != "" {
			not = append(not, f)
		} else {
			report = append(report, f)
		}
	}
	return report, not
}

// usesCgo reports whether the go command compiled files other than the package's own:
// cgo's processed copies.
func usesCgo(goFiles, compiled []string) bool {
	for _, c := range compiled {
		if !slices.Contains(goFiles, c) {
			return true
		}
	}
	return false
}

func importsC(f *ast.File) bool {
	for _, imp := range f.Imports {
		if imp.Path.Value == `"C"` {
			return true
		}
	}
	return false
}

// Write applies the changes to disk; a file that cannot be written is reported and left
// as it was, and the others are still written.
func (r *Result) Write() []Problem {
	var problems []Problem
	for _, c := range r.Changes {
		if err := writeFile(c.Path, c.Old, c.New); err != nil {
			problems = append(problems, Problem{Pos: token.Position{Filename: c.Path}, Err: err})
		}
	}
	return problems
}
