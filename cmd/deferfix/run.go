package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rewrite"
	"github.com/deferfix/deferfix/rules"
	"github.com/deferfix/deferfix/rules/hotdefer"
)

// Exit codes, as gofmt and go vet use them.
const (
	exitClean    = 0
	exitError    = 1
	exitFindings = 3
)

const usage = `usage: deferfix [flags] [packages]
       deferfix doc [rule]     (or deferfix -help rule): a rule's documentation
       deferfix lsp [flags]    a language server for editors, beside gopls

deferfix finds misused defer statements and rewrites them. Packages default to ./...

Without -d, -l or -w it lists findings as file:line:col: message (rule).
Exit status: 0 nothing found (or everything fixed), 1 error, 3 findings remain
(with -w -fix-only: 3 only if a fix that could be applied was not).

The same binary runs under go vet -vettool and go fix -fixtool.

Flags:
`

// verifyFlag is -verify, -verify=deps or -verify=strict.
type verifyFlag string

func (v *verifyFlag) String() string   { return string(*v) }
func (v *verifyFlag) IsBoolFlag() bool { return true }
func (v *verifyFlag) Set(s string) error {
	switch s {
	case "true", "tests":
		*v = "tests"
	case "false", "":
		*v = ""
	case "deps", "strict":
		*v = verifyFlag(s)
	default:
		return fmt.Errorf("want -verify, -verify=deps or -verify=strict")
	}
	return nil
}

type options struct {
	verify    verifyFlag
	verifyRun string
	timeout   time.Duration
	profile   string
	hot       float64
	compiler  bool

	diff, list, write, jsonOut, verbose bool
	version                             bool
	cpuprofile, memprofile              string
	format                              string
	enable, disable                     string
	tags                                string
	tests, includeGenerated, unsafe     bool
	fixOnly                             bool
	all                                 bool
	dir                                 string
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(args, stdin, stdout, stderr, nil)
}

// runWith is run with a hook that tests use to edit a file between planning and writing.
func runWith(args []string, stdin io.Reader, stdout, stderr io.Writer, beforeWrite func()) int {
	if slices.Contains(args, "-V=full") {
		if err := printVersionFull(stdout); err != nil {
			fmt.Fprintf(stderr, "deferfix: %v\n", err)
			return exitError
		}
		return exitClean
	}
	if vetMode(args) {
		vetMain(args) // does not return
	}
	if len(args) > 0 && args[0] == "doc" {
		return doc(args[1:], stdout, stderr)
	}
	if len(args) == 2 && slices.Contains([]string{"-h", "-help", "--help"}, args[0]) && !strings.HasPrefix(args[1], "-") {
		return doc(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "lsp" {
		return runLSP(args[1:], stdin, stdout, stderr)
	}
	var o options
	fs := flag.NewFlagSet("deferfix", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nRules:\n")
		for _, a := range rules.All {
			summary, _, _ := strings.Cut(a.Doc, "\n")
			fmt.Fprintf(stderr, "  %-18s %s\n", a.Name, strings.TrimPrefix(summary, a.Name+": "))
		}
	}
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of this run to `file`")
	fs.StringVar(&o.memprofile, "memprofile", "", "write an allocation profile of this run to `file`")
	fs.BoolVar(&o.version, "version", false, "print the version (module version, VCS revision, Go) and exit")
	fs.BoolVar(&o.diff, "d", false, "print a unified diff of the fixes")
	fs.BoolVar(&o.list, "l", false, "list the files the fixes would change")
	fs.BoolVar(&o.write, "w", false, "apply the fixes in place (atomic; file modes kept)")
	fs.BoolVar(&o.jsonOut, "json", false, "print findings and fixes as JSON (same as -format=json)")
	fs.StringVar(&o.format, "format", "text", "output format: text, json, sarif (code scanning) or rdjson (reviewdog)")
	fs.StringVar(&o.enable, "rules", "", "comma-separated rules to run (default all)")
	fs.StringVar(&o.disable, "disable", "", "comma-separated rules not to run")
	fs.StringVar(&o.tags, "tags", "", "comma-separated build tags")
	fs.BoolVar(&o.tests, "test", true, "include test files")
	fs.BoolVar(&o.includeGenerated, "include-generated", false, "report findings in generated files (they are never rewritten)")
	fs.BoolVar(&o.unsafe, "unsafe", false, "also apply fixes that change behaviour on panic")
	fs.BoolVar(&o.fixOnly, "fix-only", false, "with -w: exit 0 once every fix that could be applied was, though findings without one remain (for //go:generate)")
	fs.BoolVar(&o.verbose, "v", false, "say what -w does about each finding (its fix, the fix that removes it, or why none does), and what was skipped")
	fs.BoolVar(&o.all, "all", false, "also report findings that look intended (-v lists them, not reported)")
	fs.StringVar(&o.dir, "C", "", "change to `dir` before doing anything")
	fs.Var(&o.verify, "verify", "run the rewritten packages' tests before and after (go test -overlay) and keep only fixes that change no verdict; =deps also tests their importers, =strict drops fixes of packages without tests")
	fs.StringVar(&o.verifyRun, "verify-run", "", "with -verify: go test -run `pattern`")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "with -verify: go test -timeout for each run")
	fs.StringVar(&o.profile, "profile", "", "CPU profile (pprof) marking hot `file`; a main package's default.pgo is used when unset (hotdefer)")
	fs.BoolVar(&o.compiler, "compiler", false, "ask the compiler (go build -gcflags=-d=defer) which defers are open-coded instead of predicting it (hotdefer)")
	fs.Float64Var(&o.hot, "hot", 1, "with a profile: a function is hot at this `percent` of samples (hotdefer)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	if o.version {
		fmt.Fprintln(stdout, buildVersion())
		return exitClean
	}
	if o.cpuprofile != "" || o.memprofile != "" {
		stop, err := startProfiles(o.cpuprofile, o.memprofile)
		if err != nil {
			fmt.Fprintf(stderr, "deferfix: %v\n", err)
			return exitError
		}
		defer func() {
			if err := stop(); err != nil {
				fmt.Fprintf(stderr, "deferfix: %v\n", err)
			}
		}()
	}
	if o.jsonOut {
		o.format = "json"
	}
	if !slices.Contains([]string{"text", "json", "sarif", "rdjson"}, o.format) {
		fmt.Fprintf(stderr, "deferfix: unknown -format %q (want text, json, sarif or rdjson)\n", o.format)
		return exitError
	}
	if n := btoi(o.diff) + btoi(o.list) + btoi(o.write); n > 1 {
		fmt.Fprintln(stderr, "deferfix: -d, -l and -w exclude each other")
		return exitError
	}
	if o.fixOnly && !o.write {
		fmt.Fprintln(stderr, "deferfix: -fix-only needs -w")
		return exitError
	}
	analyzers, err := selectRules(o.enable, o.disable)
	if err != nil {
		fmt.Fprintf(stderr, "deferfix: %v\n", err)
		return exitError
	}
	dir := o.dir
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			fmt.Fprintf(stderr, "deferfix: %v\n", err)
			return exitError
		}
	}
	if dir, err = filepath.Abs(dir); err != nil {
		fmt.Fprintf(stderr, "deferfix: %v\n", err)
		return exitError
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "deferfix: -C %s: not a directory\n", o.dir)
		return exitError
	}
	// A rule with options gets an Analyzer of its own for this run: the package-level
	// ones belong to go vet's flags, and runs in one process must not share settings.
	profile := o.profile
	if profile != "" && !filepath.IsAbs(profile) {
		profile = filepath.Join(dir, profile)
	}
	// hotdefer reports without a profile only when asked for by name.
	named := slices.ContainsFunc(strings.Split(o.enable, ","), func(n string) bool { return strings.TrimSpace(n) == hotdefer.Analyzer.Name })
	var tags []string
	if o.tags != "" {
		tags = strings.Split(o.tags, ",")
	}
	for i, a := range analyzers {
		if rules.Unwrap(a) == hotdefer.Analyzer {
			analyzers[i] = hotdefer.New(hotdefer.Options{Profile: profile, HotPercent: o.hot, Compiler: o.compiler, Tags: tags, Unprofiled: named})
		}
	}

	p := &printer{dir: dir, stdout: stdout, stderr: stderr, verbose: o.verbose}
	cfg := &rewrite.Config{
		Dir:              dir,
		Tests:            o.tests,
		Analyzers:        analyzers,
		Unsafe:           o.unsafe,
		IncludeGenerated: o.includeGenerated,
		All:              o.all,
		// -v says what -w would do about each finding: the rounds' final verdict.
		Fix: o.diff || o.list || o.write || o.format != "text" || o.verify != "" || o.verbose,
	}
	cfg.Tags = tags
	if o.verbose {
		cfg.Logf = func(format string, args ...any) {
			fmt.Fprintf(stderr, "deferfix: %s\n", p.rel(fmt.Sprintf(format, args...)))
		}
	}
	var prog *progress
	if isTerminal(stderr) && !o.verbose { // -v's notes would break the line
		prog = newProgress(stderr)
		cfg.Progress = prog.set
	}
	res, err := rewrite.Run(context.Background(), cfg, fs.Args()...)
	if prog != nil {
		prog.end()
	}
	if err != nil {
		fmt.Fprintf(stderr, "deferfix: %v\n", err)
		return exitError
	}
	problems := res.Problems
	var report *rewrite.VerifyReport
	if o.verify != "" {
		opt := rewrite.VerifyOptions{Deps: o.verify == "deps", Strict: o.verify == "strict", Run: o.verifyRun, Timeout: o.timeout}
		if isTerminal(stderr) {
			opt.Progress = func(phase string, done, total int, pkg string) {
				fmt.Fprintf(stderr, "\rdeferfix: verify (%s): %d/%d %s\x1b[K", phase, done, total, pkg)
				if done == total {
					fmt.Fprint(stderr, "\r\x1b[K")
				}
			}
		}
		report, err = res.Verify(context.Background(), opt)
		if err != nil {
			fmt.Fprintf(stderr, "deferfix: %v\n", err)
			return exitError
		}
		if o.format == "text" {
			p.verifyReport(report)
		}
	}
	if o.write {
		if beforeWrite != nil {
			beforeWrite()
		}
		problems = append(problems, res.Write()...)
	}

	code := exitClean
	switch {
	case o.format != "text":
		switch o.format {
		case "json":
			p.json(res, problems, report)
		case "sarif":
			p.sarif(res, analyzers, problems)
		case "rdjson":
			p.rdjson(res)
		}
		// Findings remain unless -w applied their fixes.
		if len(res.Findings) > 0 && !o.write || len(res.Remaining) > 0 {
			code = exitFindings
		}
	case o.diff:
		for _, c := range res.Changes {
			fmt.Fprint(stdout, c.Diff(dir))
		}
		if len(res.Changes) > 0 {
			code = exitFindings
		}
	case o.list:
		for _, c := range res.Changes {
			fmt.Fprintln(stdout, p.relPath(c.Path))
		}
		if len(res.Changes) > 0 {
			code = exitFindings
		}
	case o.write:
		written := 0
		for _, c := range res.Changes {
			if !slices.ContainsFunc(problems, func(pr rewrite.Problem) bool { return pr.Pos.Filename == c.Path && pr.Kind == rewrite.KindError }) {
				written++
				if o.verbose {
					fmt.Fprintf(stderr, "deferfix: %s: %d fixes applied\n", p.relPath(c.Path), c.Fixes)
				}
			}
		}
		for _, f := range res.Remaining {
			p.finding(f)
		}
		if len(res.Remaining) > 0 && !o.fixOnly || slices.ContainsFunc(res.Remaining, unapplied) {
			code = exitFindings
		}
	case o.verify != "":
		// Nothing was written: the findings that remain are those of the files on disk
		// that the kept fixes do not fix, at their positions there. (res.Remaining holds
		// positions in the rewritten files the tests ran on.)
		n := 0
		for _, f := range res.Findings {
			if !f.Fixed {
				p.finding(f)
				n++
			}
		}
		if n > 0 {
			code = exitFindings
		}
	default:
		for _, f := range res.Findings {
			p.finding(f)
		}
		if len(res.Findings) > 0 {
			code = exitFindings
		}
	}
	if o.verbose && o.format == "text" && !o.diff && !o.list {
		for _, f := range res.Intended {
			p.intended(f)
		}
	}
	for _, pr := range problems {
		if o.format != "json" {
			fmt.Fprintf(stderr, "%s\n", p.problem(pr))
		}
		if pr.Kind == rewrite.KindError {
			code = exitError
		}
	}
	return code
}

// unapplied reports whether f has a fix that -w would apply but did not (it failed
// verification or did not converge): -fix-only fails only for those.
func unapplied(f *rewrite.Finding) bool { return f.Fix != nil && !f.Fixed }

// vetMode reports whether go vet or go fix is driving us (the unitchecker protocol).
func vetMode(args []string) bool {
	for _, a := range args {
		if a == "-V=full" || a == "-flags" || strings.HasPrefix(a, "-V=") {
			return true
		}
	}
	return len(args) > 0 && strings.HasSuffix(args[len(args)-1], ".cfg")
}

func selectRules(enable, disable string) ([]*analysis.Analyzer, error) {
	byName := make(map[string]*analysis.Analyzer)
	for _, a := range rules.All {
		byName[a.Name] = a
	}
	names := func(list string) ([]string, error) {
		var out []string
		for _, n := range strings.Split(list, ",") {
			if n = strings.TrimSpace(n); n == "" {
				continue
			}
			if byName[n] == nil {
				return nil, fmt.Errorf("unknown rule %q", n)
			}
			out = append(out, n)
		}
		return out, nil
	}
	on, err := names(enable)
	if err != nil {
		return nil, err
	}
	off, err := names(disable)
	if err != nil {
		return nil, err
	}
	var out []*analysis.Analyzer
	for _, a := range rules.All {
		if (len(on) == 0 || slices.Contains(on, a.Name)) && !slices.Contains(off, a.Name) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no rules selected")
	}
	return out, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// printer writes findings and problems with paths relative to the working directory.
type printer struct {
	dir            string
	stdout, stderr io.Writer
	verbose        bool
}

func (p *printer) relPath(path string) string {
	if rel, err := filepath.Rel(p.dir, path); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return path
}

// rel rewrites absolute paths below dir in s; used for free-form notes.
func (p *printer) rel(s string) string {
	return strings.ReplaceAll(s, p.dir+string(filepath.Separator), "")
}

func (p *printer) pos(f string, line, col int) string {
	if line == 0 {
		return p.relPath(f)
	}
	return fmt.Sprintf("%s:%d:%d", p.relPath(f), line, col)
}

func (p *printer) finding(f *rewrite.Finding) {
	fmt.Fprintf(p.stdout, "%s: %s (%s)\n", p.pos(f.Pos.Filename, f.Pos.Line, f.Pos.Column), f.Message, f.Rule)
	if !p.verbose {
		return
	}
	switch {
	case f.Dropped != "":
		fmt.Fprintf(p.stdout, "\tfix dropped: %s\n", p.rel(f.Dropped))
	case f.FixedBy != "":
		fmt.Fprintf(p.stdout, "\tfix: %s\n", p.rel(f.FixedBy))
	case f.Fix != nil:
		fmt.Fprintf(p.stdout, "\tfix: %s\n", f.Fix.Title)
	case f.NoFix != "":
		fmt.Fprintf(p.stdout, "\tnot fixed: %s\n", p.rel(f.NoFix))
	}
}

// intended prints, for -v, a finding that is not reported because it looks intended.
func (p *printer) intended(f *rewrite.Finding) {
	fmt.Fprintf(p.stdout, "%s: not reported: %s (%s)\n", p.pos(f.Pos.Filename, f.Pos.Line, f.Pos.Column), f.Message, f.Rule)
	fmt.Fprintf(p.stdout, "\tlooks intended: %s (-all reports it)\n", p.rel(f.Intended))
}

func (p *printer) problem(pr rewrite.Problem) string {
	msg := p.rel(pr.Err.Error())
	if pr.Pos.Filename != "" {
		return fmt.Sprintf("%s: %s", p.pos(pr.Pos.Filename, pr.Pos.Line, pr.Pos.Column), msg)
	}
	if pr.Package != "" {
		return fmt.Sprintf("%s: %s", pr.Package, msg)
	}
	return "deferfix: " + msg
}

type jsonFinding struct {
	Rule    string `json:"rule"`
	Posn    string `json:"posn"`
	End     string `json:"end,omitempty"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
	Unsafe  bool   `json:"unsafe,omitempty"`
	Fixed   bool   `json:"fixed"`
	FixedBy string `json:"fixed_by,omitempty"`
	NotFix  string `json:"not_fixed,omitempty"`
	// FixAt is the finding whose fix (Fix) also fixes this one, which has none of its own.
	FixAt string `json:"fix_offered_at,omitempty"`
}

// verdict is what the fixes do about f, for -json, SARIF and rdjson: how they remove it
// when not by its own fix as reported (FixedBy), or why they do not (NotFixed); and which
// finding offers the fix that makes its own, when it offers none (FixOfferedAt).
func (p *printer) verdict(f *rewrite.Finding, o *offered) sarifVerdict {
	var v sarifVerdict
	if s := o.partOf[f]; s != nil {
		v.FixOfferedAt = p.pos(s.By.Pos.Filename, s.By.Pos.Line, s.By.Pos.Column)
	}
	switch {
	case f.Dropped != "":
		v.NotFixed = p.rel(f.Dropped)
	case f.FixedBy != "":
		v.FixedBy = p.rel(f.FixedBy)
	case f.NoFix != "":
		v.NotFixed = p.rel(f.NoFix)
	}
	return v
}

type jsonChange struct {
	File  string `json:"file"`
	Fixes int    `json:"fixes"`
	Diff  string `json:"diff"`
}

type jsonReport struct {
	Findings  []jsonFinding         `json:"findings"`
	Changes   []jsonChange          `json:"changes"`
	Remaining int                   `json:"remaining"`
	Verify    *rewrite.VerifyReport `json:"verify,omitempty"`
	Errors    []string              `json:"errors"`
}

func (p *printer) json(res *rewrite.Result, problems []rewrite.Problem, verify *rewrite.VerifyReport) {
	r := jsonReport{Findings: []jsonFinding{}, Changes: []jsonChange{}, Errors: []string{}, Remaining: len(res.Remaining), Verify: verify}
	offers := p.offers(res)
	for _, f := range res.Findings {
		v := p.verdict(f, offers)
		jf := jsonFinding{
			Rule:    f.Rule,
			Posn:    p.pos(f.Pos.Filename, f.Pos.Line, f.Pos.Column),
			Message: f.Message,
			Fixed:   f.Fixed,
			FixedBy: v.FixedBy,
			NotFix:  v.NotFixed,
			FixAt:   v.FixOfferedAt,
		}
		if f.End.IsValid() {
			jf.End = p.pos(f.End.Filename, f.End.Line, f.End.Column)
		}
		// The fix a finding offers, as in SARIF and rdjson: the part of -w's rewrite it
		// stands for, none when another finding's offer holds its fix or none was applied.
		if s := offers.own[f]; s != nil {
			jf.Fix = s.Title
			jf.Unsafe = slices.ContainsFunc(s.Fixes, func(g *rewrite.Finding) bool { return g.Fix != nil && g.Fix.Unsafe })
		}
		r.Findings = append(r.Findings, jf)
	}
	for _, c := range res.Changes {
		r.Changes = append(r.Changes, jsonChange{File: p.relPath(c.Path), Fixes: c.Fixes, Diff: c.Diff(p.dir)})
	}
	for _, pr := range problems {
		r.Errors = append(r.Errors, p.problem(pr))
	}
	enc := json.NewEncoder(p.stdout)
	enc.SetIndent("", "\t")
	enc.Encode(r)
}

// verifyReport prints what -verify proved, on stderr.
func (p *printer) verifyReport(r *rewrite.VerifyReport) {
	fmt.Fprintf(p.stderr, "deferfix: verify: %d packages verified, %d rejected, %d unverified (no tests), %d failing before; %d fixes kept, %d dropped\n",
		len(r.Verified), len(r.Rejected), len(r.Unverified), len(r.Failing), r.Kept, r.Dropped)
	for _, why := range r.Reasons {
		fmt.Fprintf(p.stderr, "deferfix: verify: %s\n", p.rel(why))
	}
}

// isTerminal reports whether w is a terminal, for progress lines.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// doc prints the documentation of the named rules (what they report, what their fixes do,
// before and after), or the list of rules.
func doc(names []string, stdout, stderr io.Writer) int {
	if len(names) == 0 {
		for _, a := range rules.All {
			summary, _, _ := strings.Cut(a.Doc, "\n")
			fmt.Fprintf(stdout, "%-18s %s\n", a.Name, strings.TrimPrefix(summary, a.Name+": "))
		}
		return exitClean
	}
	code := exitClean
	for n, name := range names {
		i := slices.IndexFunc(rules.All, func(a *analysis.Analyzer) bool { return a.Name == name })
		if i < 0 {
			fmt.Fprintf(stderr, "deferfix: unknown rule %q (deferfix doc lists them)\n", name)
			code = exitError
			continue
		}
		if n > 0 {
			fmt.Fprintln(stdout)
		}
		a := rules.All[i]
		fmt.Fprintf(stdout, "%s\n\n%s\n", a.Doc, a.URL)
	}
	return code
}
