package rules

import (
	"cmp"
	"flag"
	"go/token"
	"reflect"
	"slices"
	"sync"

	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rules/internal/fixes"
)

// The analyzers in All are the rules as hosts see them (go vet, golangci-lint, gopls,
// nogo): each wraps a rule's own analyzer (Host) to do two things no rule should have to
// know about.
//
// Safe by default. A fix whose title ends in fixes.UnsafeSuffix may change what a program
// does when it panics; the command line applies it only with -unsafe. Hosts apply every
// fix they are offered, so a host analyzer offers an unsafe fix only when its own flag is
// set (go vet -loopdefer.unsafe; Flags.Set("unsafe", "true") in a plugin). Without it the
// diagnostic stays, its unsafe fixes are dropped, and a related "not fixed: ..." note says
// how to get them. The command line's engine runs the rules' own analyzers (Unwrap), so it
// sees every unsafe fix and decides itself (-unsafe, or the host flag: OffersUnsafe).
//
// Fixes that do not overlap. Several rules often fix the same lines, each fix made on the
// original file; a host that applies every fix of a run at once refuses overlapping ones
// (golangci-lint skips them all). So within one run the analyzers of All offer only fixes
// that overlap no other offered fix, chosen as the engine chooses a round's fixes (see
// rewrite's plan): rule by rule in the order of All, then by position, a fix taken if it
// overlaps none taken before it (edits that touch count), and once one in a file has to
// wait, the later rules' fixes in that file wait too, so they are made on its result. A
// waiting finding keeps its diagnostic, without a fix (no note: go vet would print it
// under every such finding, though go fix applies them all). Each run so applies one
// round of deferfix -w; the next run offers the next. To know the earlier rules'
// choice, each analyzer of All requires the one before it and passes the choice on as its
// result. go vet -fix and go fix need none of this: they get the rounds composed
// (rewrite.Composed).

// hosted maps a host analyzer made by Host to the rule's own analyzer and its flag.
var hosted sync.Map // *analysis.Analyzer → hostInfo

type hostInfo struct {
	rule   *analysis.Analyzer
	unsafe *bool
}

// taken is what the host analyzers run so far on a package chose: the spans of the fixes
// they offer, and the files where a fix waits.
type taken struct {
	spans   []span
	blocked map[*token.File]bool
}

type span struct{ pos, end token.Pos }

// Host returns a rule's analyzer as hosts see it: the same name, doc, flags and facts,
// plus a -unsafe flag; it offers only fixes that overlap no fix offered by prev, or by the
// analyzers prev follows (prev may be nil).
func Host(a *analysis.Analyzer, prev *analysis.Analyzer) *analysis.Analyzer {
	unsafe := new(bool)
	h := &analysis.Analyzer{
		Name:             a.Name,
		Doc:              a.Doc,
		URL:              a.URL,
		Requires:         slices.Clone(a.Requires),
		ResultType:       reflect.TypeFor[*taken](),
		FactTypes:        a.FactTypes,
		RunDespiteErrors: a.RunDespiteErrors,
	}
	if prev != nil {
		h.Requires = append(h.Requires, prev)
	}
	// The rule's own flags, sharing their values: -hotdefer.profile sets the rule's option.
	a.Flags.VisitAll(func(f *flag.Flag) { h.Flags.Var(f.Value, f.Name, f.Usage) })
	h.Flags.BoolVar(unsafe, "unsafe", false, "also offer fixes that change behaviour on panic ("+a.Name+")")
	h.Run = func(pass *analysis.Pass) (any, error) {
		var diags []analysis.Diagnostic
		inner := *pass
		inner.Report = func(d analysis.Diagnostic) { diags = append(diags, d) }
		if _, err := a.Run(&inner); err != nil {
			return nil, err
		}
		state := &taken{blocked: make(map[*token.File]bool)}
		if prev != nil {
			if p, ok := pass.ResultOf[prev].(*taken); ok && p != nil {
				state.spans = slices.Clone(p.spans)
				for f := range p.blocked {
					state.blocked[f] = true
				}
			}
		}
		// In order of position, as the engine takes them; the driver sorts what it prints.
		slices.SortStableFunc(diags, func(x, y analysis.Diagnostic) int {
			px, py := pass.Fset.Position(x.Pos), pass.Fset.Position(y.Pos)
			return cmp.Or(cmp.Compare(px.Filename, py.Filename), cmp.Compare(px.Offset, py.Offset))
		})
		for _, d := range diags {
			if !*unsafe {
				d = withholdUnsafe(a.Name, d)
			}
			pass.Report(state.offer(pass.Fset, d))
		}
		return state, nil
	}
	hosted.Store(h, hostInfo{rule: a, unsafe: unsafe})
	return h
}

// offer returns d with its fixes if its first fix (the one a host applies) overlaps no
// fix offered before it, and takes that fix's spans; else d without fixes, the files of
// its fix blocked for what follows.
func (t *taken) offer(fset *token.FileSet, d analysis.Diagnostic) analysis.Diagnostic {
	if len(d.SuggestedFixes) == 0 {
		return d
	}
	edits := d.SuggestedFixes[0].TextEdits
	wait := slices.ContainsFunc(edits, func(e analysis.TextEdit) bool {
		if t.blocked[fset.File(e.Pos)] {
			return true
		}
		end := cmp.Or(e.End, e.Pos)
		return slices.ContainsFunc(t.spans, func(s span) bool { return e.Pos <= s.end && s.pos <= end })
	})
	if !wait {
		for _, e := range edits {
			t.spans = append(t.spans, span{e.Pos, cmp.Or(e.End, e.Pos)})
		}
		return d
	}
	for _, e := range edits {
		t.blocked[fset.File(e.Pos)] = true
	}
	d.SuggestedFixes = nil
	return d
}

// Hosts returns Host analyzers for rules, each following the one before it.
func Hosts(rules ...*analysis.Analyzer) []*analysis.Analyzer {
	out := make([]*analysis.Analyzer, len(rules))
	var prev *analysis.Analyzer
	for i, a := range rules {
		out[i] = Host(a, prev)
		prev = out[i]
	}
	return out
}

// Unwrap returns the rule's own analyzer behind one made by Host, or a itself.
func Unwrap(a *analysis.Analyzer) *analysis.Analyzer {
	if h, ok := hosted.Load(a); ok {
		return h.(hostInfo).rule
	}
	return a
}

// OffersUnsafe reports whether a, made by Host, has its -unsafe flag set.
func OffersUnsafe(a *analysis.Analyzer) bool {
	h, ok := hosted.Load(a)
	return ok && *h.(hostInfo).unsafe
}

// withholdUnsafe drops d's unsafe fixes and, when none is left, says why it has none.
func withholdUnsafe(rule string, d analysis.Diagnostic) analysis.Diagnostic {
	if !slices.ContainsFunc(d.SuggestedFixes, fixes.IsUnsafe) {
		return d
	}
	d.SuggestedFixes = slices.DeleteFunc(slices.Clone(d.SuggestedFixes), fixes.IsUnsafe)
	if len(d.SuggestedFixes) == 0 {
		d.SuggestedFixes = nil
		why := "the fix changes behaviour on panic"
		if u := fixes.UnsafeWhy(d); u != "" {
			why += " (" + u + ")"
		}
		d.Related = append(slices.Clone(d.Related), analysis.RelatedInformation{
			Pos: d.Pos, End: d.Pos,
			Message: fixes.RefusedPrefix + why + "; offered with -" + rule + ".unsafe",
		})
	}
	return d
}
