package rewrite

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// VerifyOptions configure Result.Verify: the proof, by the code's own tests, that the
// rewrite changes no verdict.
type VerifyOptions struct {
	Deps    bool          // also test the packages that import the rewritten ones
	Strict  bool          // drop the fixes of packages that have no tests
	Run     string        // go test -run pattern
	Timeout time.Duration // go test -timeout for each run
	// Progress, if set, is told when a package's tests finish in a run.
	Progress func(phase string, done, total int, pkg string)
}

// VerifyReport says what the tests proved.
type VerifyReport struct {
	Verified   []string `json:"verified"`   // packages whose tests pass before and after
	Rejected   []string `json:"rejected"`   // packages where a fix changed a verdict (their bad fixes dropped)
	Unverified []string `json:"unverified"` // packages without tests (their fixes kept, unless Strict)
	Failing    []string `json:"failing"`    // packages whose tests fail before any rewrite (their fixes dropped)
	Kept       int      `json:"kept"`       // fixes kept
	Dropped    int      `json:"dropped"`    // fixes dropped
	Reasons    []string `json:"reasons"`    // why, one line per dropped fix or package
}

// testRun is what one go test -json run said about one package.
type testRun struct {
	tests    map[string]string // test name → pass, fail, skip
	verdict  string            // pass, fail, or "" if the package never finished
	noTests  bool
	failures []string // tests that failed, or the build error
}

// Verify runs the tests of the packages that have changes before and after the rewrite
// (the rewritten files supplied through go test -overlay; nothing on disk changes), and
// removes from r.Changes every fix that turns a passing test into a failing one, finding
// the guilty fixes by trying each on its own. The result's findings are updated: a
// rejected fix's finding is no longer Fixed and says why in Dropped.
func (r *Result) Verify(ctx context.Context, opt VerifyOptions) (*VerifyReport, error) {
	rep := new(VerifyReport)
	if len(r.Changes) == 0 {
		return rep, nil
	}
	byPkg := r.changesByTestPackage()
	var pkgs []string
	for p := range byPkg {
		pkgs = append(pkgs, p)
	}
	slices.Sort(pkgs)
	testPkgs := pkgs
	if opt.Deps {
		importers, err := r.importers(ctx, pkgs)
		if err != nil {
			return nil, err
		}
		testPkgs = append(slices.Clone(pkgs), importers...)
	}

	before, err := r.goTest(ctx, opt, "before", testPkgs, nil)
	if err != nil {
		return nil, err
	}
	keep := make(map[string][]*FileChange) // verified so far
	for _, p := range pkgs {
		b := before[p]
		switch {
		case b == nil || b.verdict == "":
			rep.drop(r, byPkg[p], p, "go test did not report on the package before the rewrite")
			rep.Failing = append(rep.Failing, p)
		case b.verdict == "fail":
			rep.drop(r, byPkg[p], p, "its tests fail before any rewrite: "+list(b.failures))
			rep.Failing = append(rep.Failing, p)
		case b.noTests && opt.Strict:
			rep.drop(r, byPkg[p], p, "it has no tests to verify the fixes with (-verify=strict)")
			rep.Unverified = append(rep.Unverified, p)
		default:
			keep[p] = byPkg[p]
		}
	}
	if len(keep) == 0 {
		r.Changes = nil
		r.unfixVerified()
		return rep, nil
	}

	after, err := r.goTest(ctx, opt, "after", testPkgs, allChanges(keep))
	if err != nil {
		return nil, err
	}
	var final []*FileChange
	for _, p := range pkgs {
		changes, ok := keep[p]
		if !ok {
			continue
		}
		broken := brokenTests(before, after, p, opt.Deps, testPkgs)
		if len(broken) == 0 {
			if before[p].noTests {
				rep.Unverified = append(rep.Unverified, p)
			} else {
				rep.Verified = append(rep.Verified, p)
			}
			final = append(final, changes...)
			rep.Kept += countFixes(changes)
			continue
		}
		rep.Rejected = append(rep.Rejected, p)
		kept, err := r.bisect(ctx, opt, p, changes, before, testPkgs, rep, broken)
		if err != nil {
			return nil, err
		}
		final = append(final, kept...)
	}
	slices.SortFunc(final, func(a, b *FileChange) int { return strings.Compare(a.Path, b.Path) })
	r.Changes = final
	r.unfixVerified()
	return rep, nil
}

// unfixVerified counts the findings whose fixes verification dropped as remaining.
func (r *Result) unfixVerified() {
	for _, f := range r.Findings {
		if strings.HasPrefix(f.Dropped, "rejected by -verify") || strings.HasPrefix(f.Dropped, "not verified") {
			if !slices.Contains(r.Remaining, f) {
				r.Remaining = append(r.Remaining, f)
			}
		}
	}
}

// bisect finds the fixes of package p that break its tests by trying each alone, then
// keeps the others if they pass together. Only first-round fixes are tried, so a fix made
// in a later round (an inner loop wrapped after its outer loop) is dropped with its package.
func (r *Result) bisect(ctx context.Context, opt VerifyOptions, p string, changes []*FileChange, before map[string]*testRun, testPkgs []string, rep *VerifyReport, broken []string) ([]*FileChange, error) {
	files := make(map[string]bool)
	for _, c := range changes {
		files[c.Path] = true
	}
	var candidates, later []*Finding
	for _, f := range r.Findings {
		switch {
		case !f.Fixed || !files[f.Pos.Filename]:
		case f.Fix != nil:
			candidates = append(candidates, f)
		default: // fixed in a later round only: goes with the package's changes
			later = append(later, f)
		}
	}
	for _, f := range later {
		f.unfix("not verified: fixed in a later round, dropped with the package's rejected fix; run deferfix -verify again")
	}
	var good []*Finding
	for _, f := range candidates {
		cs := r.replan(ctx, []*Finding{f})
		after, err := r.goTest(ctx, opt, "bisect", []string{p}, cs)
		if err != nil {
			return nil, err
		}
		if b := brokenTests(before, after, p, false, nil); len(b) > 0 {
			f.unfix("rejected by -verify: " + list(b) + " fails after this fix")
			rep.Dropped++
			rep.Reasons = append(rep.Reasons, fmt.Sprintf("%s: %s fix dropped: %s", f.Pos, f.Rule, f.Dropped))
			continue
		}
		good = append(good, f)
	}
	if len(good) == 0 {
		return nil, nil
	}
	cs := r.replan(ctx, good)
	after, err := r.goTest(ctx, opt, "bisect", []string{p}, cs)
	if err != nil {
		return nil, err
	}
	if b := brokenTests(before, after, p, false, nil); len(b) > 0 {
		for _, f := range good {
			f.unfix("rejected by -verify: the package's other fixes pass alone but break " + list(b) + " together")
			rep.Dropped++
			rep.Reasons = append(rep.Reasons, fmt.Sprintf("%s: %s fix dropped: %s", f.Pos, f.Rule, f.Dropped))
		}
		return nil, nil
	}
	// Fixes of later rounds in this package are not kept: say so.
	if lost := countFixes(changes) - len(candidates); lost > 0 {
		rep.Dropped += lost
		rep.Reasons = append(rep.Reasons, fmt.Sprintf("%s: %d fixes made in later rounds were dropped with the package's rejected fix; run deferfix -verify again", p, lost))
	}
	rep.Kept += len(good)
	return cs, nil
}

// replan applies just the given first-round fixes to fresh copies of the files.
func (r *Result) replan(ctx context.Context, only []*Finding) []*FileChange {
	var copies []*Finding
	allow := make(map[*Finding]bool)
	for _, f := range r.Findings {
		c := *f
		c.unfix("")
		copies = append(copies, &c)
		if slices.Contains(only, f) {
			allow[&c] = true
		}
	}
	p := newPlan(r.cfg, r.facts, r.pkgs, copies)
	p.rounds = 1
	p.allow = func(f *Finding) bool { return allow[f] }
	p.run(ctx)
	return p.changes()
}

func (rep *VerifyReport) drop(r *Result, changes []*FileChange, pkg, why string) {
	n := countFixes(changes)
	rep.Dropped += n
	rep.Reasons = append(rep.Reasons, fmt.Sprintf("%s: %d fixes dropped: %s", pkg, n, why))
	for _, c := range changes {
		for _, f := range r.Findings {
			if f.Fixed && f.Pos.Filename == c.Path {
				f.unfix("not verified: " + why)
			}
		}
	}
}

// list joins names, the first few of them.
func list(names []string) string {
	if len(names) > 5 {
		return fmt.Sprintf("%s and %d more", strings.Join(names[:5], ", "), len(names)-5)
	}
	return strings.Join(names, ", ")
}

func countFixes(cs []*FileChange) int {
	n := 0
	for _, c := range cs {
		n += c.Fixes
	}
	return n
}

func allChanges(m map[string][]*FileChange) []*FileChange {
	var out []*FileChange
	for _, cs := range m {
		out = append(out, cs...)
	}
	return out
}

// brokenTests returns the tests of p (and, with deps, of the importers) that passed before
// and do not pass after; a package that no longer finishes (a timeout, a crash) or no
// longer builds counts as broken.
func brokenTests(before, after map[string]*testRun, p string, deps bool, testPkgs []string) []string {
	pkgs := []string{p}
	if deps {
		pkgs = testPkgs
	}
	var broken []string
	for _, q := range pkgs {
		b, a := before[q], after[q]
		if b == nil || b.verdict != "pass" {
			continue
		}
		if a == nil || a.verdict == "" {
			broken = append(broken, q+" (did not finish)")
			continue
		}
		for name, v := range b.tests {
			if v == "pass" && a.tests[name] != "pass" && a.tests[name] != "skip" {
				broken = append(broken, name)
			}
		}
		if a.verdict == "fail" && len(broken) == 0 {
			broken = append(broken, q+" ("+strings.Join(a.failures, ", ")+")")
		}
	}
	slices.Sort(broken)
	return broken
}

// changesByTestPackage groups the changes by the package go test must run for them.
func (r *Result) changesByTestPackage() map[string][]*FileChange {
	out := make(map[string][]*FileChange)
	for _, c := range r.Changes {
		for _, p := range r.pkgs {
			if slices.ContainsFunc(p.Syntax, func(f *ast.File) bool { return p.Fset.File(f.FileStart).Name() == c.Path }) {
				path := p.PkgPath
				if p.ForTest != "" {
					path = p.ForTest
				}
				out[path] = append(out[path], c)
				break
			}
		}
	}
	return out
}

// importers lists the packages of the main module that import one of pkgs.
func (r *Result) importers(ctx context.Context, pkgs []string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}} {{join .TestImports \" \"}} {{join .XTestImports \" \"}}", "./...")
	cmd.Dir = r.cfg.Dir
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("verify: go list: %w", err)
	}
	var found []string
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || slices.Contains(pkgs, fields[0]) {
			continue
		}
		for _, imp := range fields[1:] {
			if slices.Contains(pkgs, imp) && !slices.Contains(found, fields[0]) {
				found = append(found, fields[0])
			}
		}
	}
	return found, nil
}

// goTest runs go test -json on pkgs, with changes supplied as an overlay, and returns
// what it said per package. An error means the run itself could not be made or was
// interrupted; failing tests are results, not errors.
func (r *Result) goTest(ctx context.Context, opt VerifyOptions, phase string, pkgs []string, changes []*FileChange) (map[string]*testRun, error) {
	args := []string{"test", "-json", "-count=1"}
	if opt.Run != "" {
		args = append(args, "-run", opt.Run)
	}
	if opt.Timeout > 0 {
		args = append(args, "-timeout", opt.Timeout.String())
	}
	if len(changes) > 0 {
		overlay, cleanup, err := writeOverlay(changes)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		args = append(args, "-overlay", overlay)
	}
	args = append(args, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = r.cfg.Dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("verify: go test: %w", err)
	}
	runs := make(map[string]*testRun)
	get := func(p string) *testRun {
		if runs[p] == nil {
			runs[p] = &testRun{tests: make(map[string]string)}
		}
		return runs[p]
	}
	done := 0
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var ev struct {
			Action, Package, Test, Output string
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.Package == "" {
			continue
		}
		run := get(ev.Package)
		switch {
		case ev.Action == "output" && ev.Test == "" && strings.Contains(ev.Output, "[no test files]"):
			run.noTests = true
		case ev.Test != "" && (ev.Action == "pass" || ev.Action == "fail" || ev.Action == "skip"):
			run.tests[ev.Test] = ev.Action
			if ev.Action == "fail" {
				run.failures = append(run.failures, ev.Test)
			}
		case ev.Test == "" && (ev.Action == "pass" || ev.Action == "fail" || ev.Action == "skip"):
			run.verdict = ev.Action
			if ev.Action == "skip" {
				run.verdict, run.noTests = "pass", true
			}
			if ev.Action == "fail" && len(run.failures) == 0 {
				run.failures = append(run.failures, "the package does not build or its test binary failed")
			}
			done++
			if opt.Progress != nil {
				opt.Progress(phase, done, len(pkgs), ev.Package)
			}
		}
	}
	err = cmd.Wait()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("verify: go test interrupted: %w", ctx.Err())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, fmt.Errorf("verify: go test: %w", err)
	}
	if exit != nil && !exit.Exited() {
		return nil, fmt.Errorf("verify: go test was killed (%v); nothing is written", exit)
	}
	// Build failures of packages are reported on stderr with no JSON for some versions.
	for _, p := range pkgs {
		if runs[p] == nil && strings.Contains(stderr.String(), p) {
			get(p).verdict = "fail"
			runs[p].failures = []string{"build failed: " + firstLine(stderr.String())}
		}
	}
	return runs, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// writeOverlay writes the new contents to temporary files and a go build -overlay file
// naming them; cleanup removes them.
func writeOverlay(changes []*FileChange) (string, func(), error) {
	dir, err := os.MkdirTemp("", "deferfix-overlay-")
	if err != nil {
		return "", nil, fmt.Errorf("verify: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	replace := make(map[string]string)
	for i, c := range changes {
		name := filepath.Join(dir, fmt.Sprintf("%d-%s", i, filepath.Base(c.Path)))
		if err := os.WriteFile(name, c.New, 0o666); err != nil {
			cleanup()
			return "", nil, fmt.Errorf("verify: %w", err)
		}
		replace[c.Path] = name
	}
	data, _ := json.Marshal(map[string]any{"Replace": replace})
	overlay := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlay, data, 0o666); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("verify: %w", err)
	}
	return overlay, cleanup, nil
}
