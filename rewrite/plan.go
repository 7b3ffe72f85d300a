package rewrite

import (
	"bytes"
	"context"
	"fmt"
	"go/format"
	"go/scanner"
	"go/token"
	"slices"
	"sort"
	"strings"

	"github.com/aymanbagabas/go-udiff"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"

	"github.com/deferfix/deferfix/rules"
)

// maxRounds bounds fix-and-reanalyze rounds. A round applies, rule by rule, every fix
// that overlaps none applied before it; once a fix in a file has to wait, the later rules'
// fixes in that file wait too, so they are made on the result of the earlier one (an outer
// and an inner loop both needing a scope; a Close checked inside the scope it moved to).
// Every round applies or drops at least one fix, so nesting n deep takes n rounds: the
// bound is far above any real nesting and only stops rules that keep finding new fixes.
//
// The result must be a fixed point: a second run changes nothing. A file whose fixes do
// not converge — still pending at the bound, or back to a content it had after an earlier
// round (fixes undoing each other) — is therefore left as it was, with all its fixes
// dropped and the reason given, rather than written half-way.
const maxRounds = 100

// A plan applies fixes round by round to in-memory copies of files, verifying each round.
type plan struct {
	cfg      *Config
	facts    *factStore            // the facts of the code as loaded, and of what this plan rewrote
	rounds   int                   // at most this many rounds
	allow    func(*Finding) bool   // if set, only these first-round fixes are tried
	pkgs     []*packages.Package   // latest version of each package
	files    map[string]*fileState // files with applied fixes, by name
	latest   map[string][]*Finding // latest findings by file
	rejected map[string]bool       // fixes that failed verification, by key
	problems []Problem
	original []*Finding
	sizes    map[string]int             // size of each file as parsed
	seen     map[string]map[string]bool // contents each rewritten file has had
	applied  map[string]int             // fixes applied, by composeKey
	trace    trace                      // findings followed through the rounds (verdict.go)
}

type fileState struct {
	orig, cur []byte
	fixes     int
}

func newPlan(cfg *Config, facts *factStore, pkgs []*packages.Package, findings []*Finding) *plan {
	p := &plan{
		cfg:      cfg,
		facts:    facts.child(),
		rounds:   maxRounds,
		pkgs:     slices.Clone(pkgs),
		files:    make(map[string]*fileState),
		latest:   make(map[string][]*Finding),
		rejected: make(map[string]bool),
		original: findings,
		sizes:    make(map[string]int),
		seen:     make(map[string]map[string]bool),
		applied:  make(map[string]int),
	}
	for _, pkg := range pkgs {
		for _, f := range pkg.Syntax {
			tf := pkg.Fset.File(f.FileStart)
			p.sizes[tf.Name()] = tf.Size()
		}
	}
	for _, f := range findings {
		p.latest[f.Pos.Filename] = append(p.latest[f.Pos.Filename], f)
	}
	return p
}

// content returns a file's current text: the rewritten one, or the one on disk, which
// must still be the one that was parsed (the fixes' offsets refer to it).
func (p *plan) content(name string) ([]byte, error) {
	if fs, ok := p.files[name]; ok {
		return fs.cur, nil
	}
	src, err := p.cfg.readFile(name)
	if err != nil {
		return nil, err
	}
	if size, ok := p.sizes[name]; ok && size != len(src) {
		return nil, ErrChanged
	}
	return src, nil
}

func fixKey(f *Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\x00%s\x00%s", f.Rule, f.Message, f.Fix.Title)
	for _, e := range f.Fix.Edits {
		fmt.Fprintf(&b, "\x00%s:%d:%d:%s", e.File, e.Start, e.End, e.New)
	}
	return b.String()
}

func (p *plan) run(ctx context.Context) {
	for round := 1; ; round++ {
		if ctx.Err() != nil {
			p.problems = append(p.problems, Problem{Err: ctx.Err()})
			return
		}
		pending := p.pending()
		if len(pending) == 0 {
			return
		}
		if round > p.rounds {
			if p.allow != nil { // a replan of chosen first-round fixes: the rest wait
				for _, f := range pending {
					f.Dropped = "fixes did not converge; run deferfix again"
					p.problems = append(p.problems, Problem{Pos: f.Pos, Kind: KindFix, Err: fmt.Errorf("%s: fix not applied: %s", f.Rule, f.Dropped)})
				}
				return
			}
			var names []string
			for _, f := range pending {
				if !slices.Contains(names, f.Pos.Filename) {
					names = append(names, f.Pos.Filename)
				}
			}
			p.revert(names, fmt.Sprintf("its fixes did not converge in %d rounds", p.rounds))
			return
		}
		if round > 1 {
			p.noteComposed(pending)
		}
		p.cfg.progress("fix", round, len(pending))
		var cycled []string
		for _, name := range p.round(pending) {
			cur := string(p.files[name].cur)
			if p.seen[name] == nil {
				p.seen[name] = map[string]bool{string(p.files[name].orig): true}
			}
			if p.seen[name][cur] {
				cycled = append(cycled, name)
			}
			p.seen[name][cur] = true
		}
		if len(cycled) > 0 {
			p.revert(cycled, "its fixes undo each other: a later round brought it back to an earlier content")
		}
	}
}

// noteComposed says in -v which later-round fixes have no fixable finding of the same
// rule and message (line numbers aside) in the original file left to account for: they
// exist only because an earlier round's rewrite made the rule see something new. The
// rule must be right about such code as about any other (a second run would fix it
// anyway), so the fix is kept; the note points at compositions worth a test.
func (p *plan) noteComposed(pending []*Finding) {
	budget := make(map[string]int)
	for _, f := range p.original {
		if f.Fix != nil {
			budget[composeKey(f)]++
		}
	}
	for k, n := range p.applied {
		budget[k] -= n
	}
	for _, f := range pending {
		k := composeKey(f)
		if budget[k] > 0 {
			budget[k]--
			continue
		}
		p.cfg.logf("%s: %s fix found only after an earlier round's rewrite of this file", p.where(f), f.Rule)
	}
}

// composeKey identifies a finding across rounds: file, rule, and message with its
// numbers (lines that move) masked.
func composeKey(f *Finding) string {
	msg := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '#'
		}
		return r
	}, f.Message)
	return f.Pos.Filename + "\x00" + f.Rule + "\x00" + msg
}

// revert leaves the named files as they were loaded: their rewritten content is
// discarded, their package type-checked again with the originals, and every finding in
// them (applied or pending) is marked dropped with why, so that no half-converged file
// is written and a second run finds what this one found.
func (p *plan) revert(names []string, why string) {
	for _, name := range names {
		fs := p.files[name]
		if fs == nil {
			continue
		}
		p.cfg.logf("%s: left unchanged: %s", name, why)
		for i, pkg := range p.pkgs {
			for _, f := range pkg.Syntax {
				if pkg.Fset.File(f.FileStart).Name() != name {
					continue
				}
				if npkg, errs, err := recheck(pkg, map[string][]byte{name: fs.orig}); err == nil && len(errs) == 0 {
					p.pkgs[i] = npkg
				}
				break
			}
		}
		delete(p.files, name)
		reason := "the file is left unchanged: " + why
		for _, f := range p.original {
			if f.Pos.Filename == name && f.Fix != nil {
				f.Fixed, f.Dropped = false, reason
			}
		}
		p.reanalyze([]string{name})
		for _, f := range p.latest[name] {
			if f.Fix != nil && f.Dropped == "" {
				f.Dropped = reason
			}
		}
		p.problems = append(p.problems, Problem{Pos: token.Position{Filename: name}, Kind: KindFix, Err: fmt.Errorf("fixes not applied: %s", reason)})
	}
}

// pending returns the fixes to try now, in order of position.
func (p *plan) pending() []*Finding {
	var out []*Finding
	for _, fs := range p.latest {
		for _, f := range fs {
			if f.Fix != nil && !f.Fixed && f.Dropped == "" && !p.rejected[fixKey(f)] && (p.allow == nil || p.allow(f)) {
				out = append(out, f)
			}
		}
	}
	// Fixes are tried rule by rule in the order of Config.Analyzers, so that where two
	// overlap the earlier rule's goes first; then by position.
	rank := func(f *Finding) int {
		return slices.IndexFunc(p.cfg.Analyzers, func(a *analysis.Analyzer) bool { return a.Name == f.Rule })
	}
	slices.SortFunc(out, func(a, b *Finding) int {
		if c := rank(a) - rank(b); c != 0 {
			return c
		}
		if c := strings.Compare(a.Pos.Filename, b.Pos.Filename); c != 0 {
			return c
		}
		return a.Pos.Offset - b.Pos.Offset
	})
	return out
}

// round applies the non-overlapping fixes among pending, verifies the packages they
// touch, and re-analyzes those packages for the next round. It returns the files it
// changed.
func (p *plan) round(pending []*Finding) []string {
	taken := make(map[string]*spans)
	overlaps := func(e Edit) bool {
		s := taken[e.File]
		return s != nil && s.overlaps(e.Start, e.End)
	}
	var accepted []*Finding
	blocked := make(map[string]bool) // files where a fix waits: later rules wait too
	for _, f := range pending {
		if slices.ContainsFunc(f.Fix.Edits, func(e Edit) bool { return blocked[e.File] }) {
			continue
		}
		if slices.ContainsFunc(f.Fix.Edits, overlaps) {
			p.cfg.logf("%s: %s fix postponed to the next round: it overlaps another fix", p.where(f), f.Rule)
			for _, e := range f.Fix.Edits {
				blocked[e.File] = true
			}
			continue
		}
		for _, e := range f.Fix.Edits {
			if taken[e.File] == nil {
				taken[e.File] = new(spans)
			}
			taken[e.File].add(e.Start, e.End)
		}
		accepted = append(accepted, f)
	}

	// Apply, per file.
	byFile := make(map[string][]*Finding)
	for _, f := range accepted {
		for _, e := range f.Fix.Edits {
			// f's edits come one after another: if f is in the file's list, it is last.
			if fs := byFile[e.File]; len(fs) == 0 || fs[len(fs)-1] != f {
				byFile[e.File] = append(fs, f)
			}
		}
	}
	content := make(map[string][]byte)
	for name, fs := range byFile {
		out, err := p.apply(name, fs)
		if err != nil {
			p.drop(fs, fmt.Sprintf("the rewritten file is not valid Go: %v", err))
			continue
		}
		content[name] = out
	}

	// Verify each package that holds a changed file; re-analyze it.
	for i, pkg := range p.pkgs {
		own := make(map[string][]byte)
		for _, f := range pkg.Syntax {
			name := pkg.Fset.File(f.FileStart).Name()
			if c, ok := content[name]; ok {
				own[name] = c
			}
		}
		if len(own) == 0 {
			continue
		}
		npkg := p.verify(pkg, own, byFile, content)
		if npkg == nil {
			continue
		}
		p.pkgs[i] = npkg
	}

	// Commit what survived and refresh findings of the changed files.
	prev := p.snapshot(content)
	var changed []string
	for name, c := range content {
		fs := p.files[name]
		if fs == nil {
			orig, err := p.content(name)
			if err != nil {
				p.drop(byFile[name], err.Error())
				continue
			}
			fs = &fileState{orig: orig}
			p.files[name] = fs
		}
		fs.cur = c
		for _, f := range byFile[name] {
			if f.Dropped == "" && !f.Fixed {
				f.Fixed = true
				fs.fixes++
				p.applied[composeKey(f)]++
			}
		}
		changed = append(changed, name)
	}
	p.reanalyze(changed)
	p.follow(prev, changed, byFile)
	return changed
}

// spans are the byte ranges of a file that a round's fixes edit, closed at both ends:
// edits touching at a boundary count as overlapping, for both may be line edits of the
// same region. They are kept sorted and merged where they overlap or touch, so testing a
// fix is a binary search, not a scan of every edit taken before it in the file.
type spans []span

type span struct{ start, end int }

// overlaps reports whether [start, end] overlaps or touches a span.
func (s spans) overlaps(start, end int) bool {
	// The spans before i start at or before end; the last of them ends last.
	i := sort.Search(len(s), func(i int) bool { return s[i].start > end })
	return i > 0 && s[i-1].end >= start
}

// add adds [start, end], merged with the spans it overlaps or touches.
func (s *spans) add(start, end int) {
	i := sort.Search(len(*s), func(i int) bool { return (*s)[i].start > end })
	j := i
	for j > 0 && (*s)[j-1].end >= start {
		j--
	}
	if j < i {
		start, end = min(start, (*s)[j].start), max(end, (*s)[i-1].end)
	}
	*s = slices.Replace(*s, j, i, span{start, end})
}

// apply merges the fixes' edits to one file and formats the result.
func (p *plan) apply(name string, fs []*Finding) ([]byte, error) {
	src, err := p.content(name)
	if err != nil {
		return nil, err
	}
	var edits []udiff.Edit
	for _, f := range fs {
		for _, e := range f.Fix.Edits {
			if e.File == name {
				edits = append(edits, udiff.Edit{Start: e.Start, End: e.End, New: string(e.New)})
			}
		}
	}
	out, err := udiff.ApplyBytes(src, edits)
	if err != nil {
		return nil, err
	}
	formatted, err := format.Source(out)
	if err != nil {
		return nil, err
	}
	if lost := lostComment(src, formatted); lost != "" {
		return nil, fmt.Errorf("the rewrite would lose the comment %q", lost)
	}
	return formatted, nil
}

// lostComment returns a comment of before that after no longer has (as many times), or "".
func lostComment(before, after []byte) string {
	count := func(src []byte) map[string]int {
		m := make(map[string]int)
		var s scanner.Scanner
		fset := token.NewFileSet()
		s.Init(fset.AddFile("", -1, len(src)), src, nil, scanner.ScanComments)
		for {
			_, tok, lit := s.Scan()
			if tok == token.EOF {
				return m
			}
			if tok == token.COMMENT {
				m[strings.TrimSpace(lit)]++
			}
		}
	}
	a := count(after)
	for c, n := range count(before) {
		if a[c] < n {
			return c
		}
	}
	return ""
}

// verify type-checks pkg with the new content and returns the new package. Fixes in files
// with new type errors are dropped and the rest checked again; nil if nothing survived.
func (p *plan) verify(pkg *packages.Package, own map[string][]byte, byFile map[string][]*Finding, content map[string][]byte) *packages.Package {
	for len(own) > 0 {
		npkg, errs, err := recheck(pkg, own)
		if err != nil {
			for name := range own {
				p.drop(byFile[name], fmt.Sprintf("the rewritten file does not parse: %v", err))
				delete(own, name)
				delete(content, name)
			}
			return nil
		}
		if len(errs) == 0 {
			return npkg
		}
		culprits := make(map[string]string)
		for _, e := range errs {
			pos := e.Fset.Position(e.Pos)
			if _, ok := own[pos.Filename]; ok && culprits[pos.Filename] == "" {
				culprits[pos.Filename] = fmt.Sprintf("%s: %s", pos, e.Msg)
			}
		}
		if len(culprits) == 0 { // the error is elsewhere: blame every changed file
			for name := range own {
				culprits[name] = errs[0].Error()
			}
		}
		for name, why := range culprits {
			p.drop(byFile[name], "the rewritten package does not type-check: "+why)
			delete(own, name)
			delete(content, name)
		}
	}
	return nil
}

func (p *plan) drop(fs []*Finding, why string) {
	for _, f := range fs {
		if f.Dropped != "" {
			continue
		}
		f.Dropped = why
		p.rejected[fixKey(f)] = true
		p.rejectedWhy(f, why)
		p.problems = append(p.problems, Problem{Pos: f.Pos, Kind: KindFix, Err: fmt.Errorf("%s: fix dropped: %s", f.Rule, why)})
	}
}

// reanalyze runs the rules on the packages holding changed files and makes their findings
// the latest for those files.
func (p *plan) reanalyze(changed []string) {
	if len(changed) == 0 {
		return
	}
	var pkgs []*packages.Package
	for _, pkg := range p.pkgs {
		for _, f := range pkg.Syntax {
			if slices.Contains(changed, pkg.Fset.File(f.FileStart).Name()) {
				pkgs = append(pkgs, pkg)
				break
			}
		}
	}
	// The rechecked packages are new *types.Package values: the rules must report their
	// intended findings, marked, as for the loaded ones (Run), or with Config.All such a
	// finding would vanish from the rewritten file and look fixed.
	for _, pkg := range pkgs {
		defer rules.ReportIntended(pkg.Types)()
	}
	findings, problems := findAll(p.cfg, p.facts, pkgs, nil, func(name string) ([]byte, error) { return p.content(name) })
	p.problems = append(p.problems, problems...)
	findings = classify(p.cfg, findings, false)
	if !p.cfg.All {
		findings, _ = intended(findings)
	}
	for _, name := range changed {
		p.latest[name] = nil
	}
	for _, f := range findings {
		if slices.Contains(changed, f.Pos.Filename) {
			p.latest[f.Pos.Filename] = append(p.latest[f.Pos.Filename], f)
		}
	}
}

// changes returns the files whose content differs from what was loaded.
func (p *plan) changes() []*FileChange {
	var out []*FileChange
	for name, fs := range p.files {
		if !bytes.Equal(fs.orig, fs.cur) {
			out = append(out, &FileChange{Path: name, Old: fs.orig, New: fs.cur, Fixes: fs.fixes})
		}
	}
	slices.SortFunc(out, func(a, b *FileChange) int { return strings.Compare(a.Path, b.Path) })
	p.markFixed()
	return out
}

// remaining returns the findings on the rewritten code.
func (p *plan) remaining() []*Finding {
	var out []*Finding
	for _, fs := range p.latest {
		for _, f := range fs {
			if !f.Fixed {
				out = append(out, f)
			}
		}
	}
	return dedupe(out)
}
