package hotdefer

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/google/pprof/profile"
	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rules/internal/defercost"
	"github.com/deferfix/deferfix/rules/internal/deferutil"
	"github.com/deferfix/deferfix/rules/internal/effects"
	"github.com/deferfix/deferfix/rules/internal/explicit"
	"github.com/deferfix/deferfix/rules/internal/fixes"
	"github.com/deferfix/deferfix/rules/internal/ruledoc"
)

//go:embed doc.go
var doc string

// Analyzer reports defers that are not open-coded, and defers in hot functions. go vet
// sets its options through its flags (-hotdefer.profile and so on).
var Analyzer = New(Options{HotPercent: 1})

// Options are what hotdefer needs beyond the code.
type Options struct {
	Profile    string  // CPU profile marking hot functions; "" uses a main package's default.pgo
	HotPercent float64 // a function is hot when its stacks hold at least this percent of the samples
	Compiler   bool    // ask the compiler instead of predicting
	// Tags are the build tags the packages were loaded with: the compiler must compile the
	// files analysed (a package of integration tests behind a tag has no others).
	Tags []string
	// Unprofiled reports defers that are not open-coded when there is no profile. Without
	// a profile nothing says a function runs often enough for a few nanoseconds per
	// defer to matter, so by default hotdefer is silent then; deferfix sets this when
	// -rules names hotdefer.
	Unprofiled bool
}

// New returns a hotdefer Analyzer with options of its own, bound to its flags. The command
// line makes one per run, so runs in one process (tests, servers) never share settings.
func New(o Options) *analysis.Analyzer {
	a := &analysis.Analyzer{
		Name: "hotdefer",
		Doc:  ruledoc.Extract(doc, "hotdefer"),
		URL:  "https://pkg.go.dev/github.com/deferfix/deferfix/rules/hotdefer",
		Run:  func(pass *analysis.Pass) (any, error) { return run(pass, &o) },
		// effects says whether a deferred call may recover, for the explicit-call proof.
		Requires:  []*analysis.Analyzer{effects.Analyzer},
		FactTypes: []analysis.Fact{new(onlyCalled)},
	}
	a.Flags.BoolVar(&o.Compiler, "compiler", o.Compiler, "ask the compiler (go build -gcflags=-d=defer) which defers are open-coded instead of predicting it")
	a.Flags.Func("tags", "with -compiler: comma-separated build tags to compile with (those the packages were loaded with)", func(v string) error {
		o.Tags = strings.Split(v, ",")
		return nil
	})
	a.Flags.StringVar(&o.Profile, "profile", o.Profile, "CPU profile (pprof) marking hot functions; a main package's default.pgo is used when unset")
	a.Flags.Float64Var(&o.HotPercent, "hot", o.HotPercent, "a function is hot when its stacks hold at least this percent of the profile's samples")
	a.Flags.BoolVar(&o.Unprofiled, "unprofiled", o.Unprofiled, "without a profile, report every function whose defers are not open-coded (by default nothing is reported without one)")
	return a
}

const titleExplicit = "Call %s explicitly at each exit instead of deferring it"

const titleSplit = "Move the code after the defers into a literal so the function has one exit"

const titleMerge = "Merge the adjacent defers into one so the function's defers are open-coded"

const (
	msgStack = "defers in %s are stack-allocated, not open-coded, because of %s; each costs about 3× an open-coded one"
	msgHot   = "%s is hot (%.1f%% of CPU samples) and defers %d calls"
)

// onlyCalled is the fact that a function only calls the function values it gets as these
// parameters (defercost.OnlyCalledParams): a literal passed there stays on the stack, and
// so do the named results it captures.
type onlyCalled struct{ Params []int }

func (*onlyCalled) AFact()           {}
func (f *onlyCalled) String() string { return fmt.Sprint("onlyCalled", f.Params) }

func run(pass *analysis.Pass, o *Options) (any, error) {
	// Without a profile, nothing is reported unless asked (see below): skip predicting,
	// and, where no other package reads the facts, computing them. -compiler still asks
	// the compiler, whose failure is an error either way.
	quiet := !o.Unprofiled && !o.Compiler && o.Profile == "" && pass.Pkg.Name() != "main"
	if quiet && fixes.FactsLocal(pass) {
		return nil, nil
	}
	callbacks := func(fn *types.Func, i int) bool {
		var f onlyCalled
		return pass.ImportObjectFact(fn, &f) && slices.Contains(f.Params, i)
	}
	for fn, params := range defercost.OnlyCalledParams(pass.TypesInfo, pass.Files, callbacks) {
		pass.ExportObjectFact(fn, &onlyCalled{params})
	}
	if quiet {
		return nil, nil
	}
	preds := defercost.PredictWith(pass.TypesInfo, pass.Files, callbacks)
	if o.Compiler {
		if err := askCompiler(pass, preds, o.Tags); err != nil {
			return nil, err
		}
	}
	var fns []*defercost.Func
	for _, p := range preds {
		fns = append(fns, p)
	}
	slices.SortFunc(fns, func(a, b *defercost.Func) int { return int(a.Node.Pos() - b.Node.Pos()) })
	hot, err := hotFuncs(pass, o.Profile)
	if err != nil {
		return nil, err
	}
	// With a profile, only hot functions are worth a change; without one, nothing is
	// reported unless asked (Unprofiled): a defer costs nanoseconds, which matter only
	// where a function runs very often, and nothing else says which functions do.
	profiled := hot != nil
	if !profiled && !o.Unprofiled {
		return nil, nil
	}
	for _, p := range fns {
		first := firstDefer(p)
		if first == nil {
			continue
		}
		name := funcName(pass, p.Node)
		pct, isHot := hot[profileName(pass, p.Node)]
		isHot = isHot && pct >= o.HotPercent
		if profiled && !isHot {
			continue
		}
		switch p.Reason {
		case defercost.TooManyDefers, defercost.HeapResult, defercost.ReturnsTimes, defercost.CompilerSays:
			reason := p.Reason.String()
			if p.Reason == defercost.ReturnsTimes {
				reason = fmt.Sprintf("%d returns × %d defers > 15", p.Returns, p.Count)
			}
			msg := fmt.Sprintf(msgStack, name, reason)
			rng := deferutil.Keyword{Defer: first}
			if p.Reason != defercost.ReturnsTimes {
				fixes.Refuse(pass, rng, token.NoPos, msg, "only returns × defers > 15 has a fix; restructure the function by hand")
				continue
			}
			// The smallest fix first: merging adjacent defers changes a few lines.
			fix, mergeWhy := mergeFix(pass, p)
			if mergeWhy == "" {
				pass.Report(analysis.Diagnostic{Pos: rng.Pos(), End: rng.End(), Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
				continue
			}
			s := &split{pass: pass, fn: p}
			fix, at, why := s.fix()
			if why != "" {
				if mergeWhy != noRun {
					why = "merging the adjacent defers: " + mergeWhy + "; splitting: " + why
				}
				fixes.Refuse(pass, rng, at, msg, why)
				continue
			}
			pass.Report(analysis.Diagnostic{Pos: rng.Pos(), End: rng.End(), Message: msg, SuggestedFixes: []analysis.SuggestedFix{fix}})
		case defercost.None:
			if isHot {
				reportHot(pass, p, first, fmt.Sprintf(msgHot, name, pct, p.Count))
			}
		}
	}
	return nil, nil
}

// askCompiler replaces the predictions with what go build -gcflags=-d=defer prints for
// the package's non-test files (go test -c for a package of test files only), built with
// the tags the package was loaded with. A function the compiler does not open-code
// although the prediction said it would keeps the reason "the compiler says so".
func askCompiler(pass *analysis.Pass, preds map[ast.Node]*defercost.Func, tags []string) error {
	if len(pass.Files) == 0 {
		return nil
	}
	// The files as written: a cgo package is parsed from the go command's processed copies
	// in its build cache, named without .go, whose //line directives lead back to the
	// source (all but the one cgo generates whole).
	var names []string
	for _, f := range pass.Files {
		if name := pass.Fset.Position(f.Package).Filename; strings.HasSuffix(name, ".go") {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	dir := filepath.Dir(names[0])
	// A package of test files only (an external test package beside none, a directory of
	// tests) has nothing go build compiles: its test binary does.
	args := []string{"build", "-o", os.DevNull, "-gcflags=-d=defer", "."}
	if !slices.ContainsFunc(names, func(name string) bool { return !strings.HasSuffix(name, "_test.go") }) {
		args = []string{"test", "-c", "-o", os.DevNull, "-gcflags=-d=defer", "."}
	}
	if len(tags) > 0 { // before the package argument
		args = slices.Insert(args, len(args)-1, "-tags="+strings.Join(tags, ","))
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("hotdefer: -compiler: go %s in %s: %w\n%s", args[0], dir, err, out)
	}
	said := make(map[string]defercost.Strategy)
	for _, line := range strings.Split(string(out), "\n") {
		m := compilerLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		s := map[string]defercost.Strategy{"open-coded": defercost.OpenCoded, "stack-allocated": defercost.StackAllocated, "heap-allocated": defercost.HeapAllocated}[m[4]]
		said[filepath.Base(m[1])+":"+m[2]+":"+m[3]] = s
	}
	for _, p := range preds {
		told, open := 0, 0
		for d := range p.Defers {
			pos := pass.Fset.Position(d.Pos())
			s, ok := said[fmt.Sprintf("%s:%d:%d", filepath.Base(pos.Filename), pos.Line, pos.Column)]
			if !ok {
				continue // a test file, or code the compiler dropped
			}
			told++
			if s == defercost.OpenCoded {
				open++
			}
			p.Defers[d] = s
			if s == defercost.StackAllocated && p.Reason == defercost.None {
				p.Reason = defercost.CompilerSays
			}
		}
		// The compiler open-codes every defer the prediction did not: it decides.
		if told == len(p.Defers) && open == told && told > 0 {
			p.Reason = defercost.None
		}
	}
	return nil
}

var compilerLine = regexp.MustCompile(`^(.*\.go):(\d+):(\d+): (open-coded|stack-allocated|heap-allocated) defer$`)

// firstDefer returns the function's first defer that is not in a loop (loops are
// loopdefer's), or nil.
// reportHot reports a hot function whose defers are open-coded, with explicit calls as
// the fix: safe when nothing between the defer and the exits can panic, unsafe otherwise
// (a panic there would skip the release). Explicit calls save the open-coded defer's
// bookkeeping — about 0.5 ns per call, which matters only in a function this hot.
func reportHot(pass *analysis.Pass, p *defercost.Func, d *ast.DeferStmt, msg string) {
	rng := deferutil.Keyword{Defer: d}
	if p.Count > 1 {
		fixes.Refuse(pass, rng, token.NoPos, msg, "explicit calls are offered for a function with one defer only")
		return
	}
	_, body := deferutil.FuncParts(p.Node)
	eff, _ := pass.ResultOf[effects.Analyzer].(*effects.Result)
	r := &explicit.Region{Pkg: pass.Pkg, Info: pass.TypesInfo, Fn: p.Node, Block: body, Defer: d, Effects: eff}
	plan := r.Check()
	if plan.Refused != "" {
		fixes.Refuse(pass, rng, plan.At, msg, plan.Refused)
		return
	}
	title := fmt.Sprintf(titleExplicit, types.ExprString(d.Call.Fun))
	var related []analysis.RelatedInformation
	if plan.MayPanic != "" {
		title += fixes.UnsafeSuffix
		related = append(related, analysis.RelatedInformation{Pos: plan.At, End: plan.At, Message: fixes.UnsafePrefix + plan.MayPanic + ", and then the explicit call would not run"})
	}
	fix, err := fixes.FixAt(pass, fileOf(pass, d), d, title, r.Rewrite)
	if err != nil {
		fixes.Refuse(pass, rng, token.NoPos, msg, err.Error())
		return
	}
	pass.Report(analysis.Diagnostic{Pos: rng.Pos(), End: rng.End(), Message: msg, Related: related, SuggestedFixes: []analysis.SuggestedFix{fix}})
}

func firstDefer(p *defercost.Func) *ast.DeferStmt {
	var first *ast.DeferStmt
	for d, s := range p.Defers {
		if s != defercost.HeapAllocated && (first == nil || d.Pos() < first.Pos()) {
			first = d
		}
	}
	return first
}

func funcName(pass *analysis.Pass, n ast.Node) string {
	if fd, ok := n.(*ast.FuncDecl); ok {
		return fd.Name.Name
	}
	return "this function literal"
}

// profileName spells a function as pprof does: path.Func, path.(*T).Method, path.T.Method.
func profileName(pass *analysis.Pass, n ast.Node) string {
	fd, ok := n.(*ast.FuncDecl)
	if !ok {
		return ""
	}
	fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func)
	if !ok {
		return ""
	}
	prefix := pass.Pkg.Path() + "."
	if pass.Pkg.Name() == "main" {
		prefix = "main."
	}
	recv := fn.Signature().Recv()
	if recv == nil {
		return prefix + fn.Name()
	}
	t := recv.Type()
	ptr := false
	if p, ok := t.(*types.Pointer); ok {
		t, ptr = p.Elem(), true
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return ""
	}
	if ptr {
		return prefix + "(*" + named.Obj().Name() + ")." + fn.Name()
	}
	return prefix + named.Obj().Name() + "." + fn.Name()
}

var (
	profiles   sync.Map // profileKey → map[string]float64
	typeParams = regexp.MustCompile(`\[[^\]]*\]`)
)

type profileKey struct {
	path        string
	size, mtime int64
}

// hotFuncs reads the profile (the -profile flag, or default.pgo beside a main package) and
// returns the share of samples, in percent, whose stacks hold each function.
func hotFuncs(pass *analysis.Pass, path string) (map[string]float64, error) {
	if path == "" && pass.Pkg.Name() == "main" && len(pass.Files) > 0 {
		pgo := filepath.Join(filepath.Dir(pass.Fset.File(pass.Files[0].FileStart).Name()), "default.pgo")
		if _, err := os.Stat(pgo); err == nil {
			path = pgo
		}
	}
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hotdefer: profile: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("hotdefer: profile: %w", err)
	}
	// Every package reads the same profile; parse it once, and again if it changes.
	key := profileKey{path, info.Size(), info.ModTime().UnixNano()}
	if m, ok := profiles.Load(key); ok {
		return m.(map[string]float64), nil
	}
	prof, err := profile.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("hotdefer: profile %s: %w", path, err)
	}
	idx := len(prof.SampleType) - 1
	var total int64
	cum := make(map[string]int64)
	for _, s := range prof.Sample {
		if idx < 0 || idx >= len(s.Value) {
			continue
		}
		v := s.Value[idx]
		total += v
		seen := make(map[string]bool)
		for _, loc := range s.Location {
			for _, line := range loc.Line {
				if line.Function == nil {
					continue
				}
				name := typeParams.ReplaceAllString(line.Function.Name, "")
				if !seen[name] {
					seen[name] = true
					cum[name] += v
				}
			}
		}
	}
	m := make(map[string]float64)
	for name, v := range cum {
		if total > 0 {
			m[name] = 100 * float64(v) / float64(total)
		}
	}
	profiles.Store(key, m)
	return m, nil
}
