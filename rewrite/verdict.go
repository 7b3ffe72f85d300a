package rewrite

import (
	"fmt"
	"go/parser"
	"go/token"
	"slices"
	"strings"

	"github.com/deferfix/deferfix/rewrite/linediff"
)

// What deferfix reports about a finding must be what happened to it in the end, not
// what the first round thought: a loopdefer fix unsafe on the code as loaded is safe once
// deferbeforecheck has moved the defer after its check, and is applied in the next round;
// one fix (a loop body wrapped in a literal) removes several findings at once. So the
// plan follows each finding from round to round: after a round, a finding of a changed
// file is the same finding as one of the next round's analysis when the rule and message
// (line numbers aside) are the same and it stands at the same place — outside the
// round's edits, at its new offset; inside one, in the text that replaced it, in order;
// else the nearest such finding no other continues (a defer moved after its check). A
// finding the next round no longer reports, whose own fix was not applied, was removed
// by the applied fix whose edits cover it. markFixed then gives each original finding
// the verdict of its last version: fixed (and by which fix when not its own as
// reported), or why not.

// A trace links the findings of successive rounds.
type trace struct {
	next    map[*Finding]*Finding // a finding → the same finding in the next round
	covered map[*Finding]*Finding // a finding gone after a round → the applied fix's finding (nil: not known)
	origin  map[*Finding]*Finding // a later round's finding → the original it continues
	why     map[string]string     // why a fix was rejected, by fixKey
	rounds  int                   // rounds followed so far
	found   map[*Finding]int      // a later round's finding → the round whose rewrite it was found on
}

// snapshot keeps the findings of each file a round is about to change.
func (p *plan) snapshot(content map[string][]byte) map[string][]*Finding {
	prev := make(map[string][]*Finding, len(content))
	for name := range content {
		prev[name] = slices.Clone(p.latest[name])
	}
	return prev
}

// follow links the findings of the changed files before the round (prev) to those the
// round's reanalysis found; applied holds the round's fixes by file.
func (p *plan) follow(prev map[string][]*Finding, changed []string, applied map[string][]*Finding) {
	t := &p.trace
	if t.next == nil {
		t.next = make(map[*Finding]*Finding)
		t.covered = make(map[*Finding]*Finding)
		t.origin = make(map[*Finding]*Finding)
		t.found = make(map[*Finding]int)
	}
	t.rounds++
	for _, name := range changed {
		for _, n := range p.latest[name] {
			t.found[n] = t.rounds
		}
		old := prev[name]
		if !slices.ContainsFunc(old, func(o *Finding) bool { return !o.Fixed }) {
			continue // all fixed by their own fixes: nothing to follow
		}
		// The round's edits, in the old content's offsets. gofmt runs on the result, but
		// on the rules' formatted edits it seldom moves anything; a finding it moves is
		// found by the nearest match below.
		var hunks []Edit
		for _, f := range applied[name] {
			if f.Fixed && f.Fix != nil {
				for _, e := range f.Fix.Edits {
					if e.File == name {
						hunks = append(hunks, e)
					}
				}
			}
		}
		slices.SortFunc(hunks, func(a, b Edit) int { return a.Start - b.Start })
		slices.SortStableFunc(old, func(a, b *Finding) int { return a.Pos.Offset - b.Pos.Offset })
		used := make(map[*Finding]bool)
		link := func(o, n *Finding) {
			used[n] = true
			t.next[o] = n
			if orig := t.origin[o]; orig != nil {
				t.origin[n] = orig
			} else {
				t.origin[n] = o
			}
		}
		type moved struct {
			f  *Finding
			at int // where its lines went
		}
		var lost []moved
		for _, o := range old {
			if o.Fixed {
				continue // its own fix was applied
			}
			// Where it must be in the new content: at its offset moved by the hunks
			// before it, or within the lines that replaced its own.
			delta, inHunk := 0, false
			var lo, hi int
			for _, h := range hunks {
				if h.End <= o.Pos.Offset {
					delta += len(h.New) - (h.End - h.Start)
					continue
				}
				if h.Start <= o.Pos.Offset {
					lo, hi, inHunk = h.Start+delta, h.Start+delta+len(h.New), true
				}
				break
			}
			if !inHunk {
				lo, hi = o.Pos.Offset+delta, o.Pos.Offset+delta
			}
			// The same rule there, with the same message — or another, when the fix
			// changed what the rule says of it (closecheck's closure makes loopdefer's
			// "deferred Close" a "defer").
			k := composeKey(o)
			at := func(n *Finding) bool { return !used[n] && n.Rule == o.Rule && n.Pos.Offset >= lo && n.Pos.Offset <= hi }
			i := slices.IndexFunc(p.latest[name], func(n *Finding) bool { return at(n) && composeKey(n) == k })
			if i < 0 {
				i = slices.IndexFunc(p.latest[name], at)
			}
			if i < 0 {
				lost = append(lost, moved{o, lo})
				continue
			}
			link(o, p.latest[name][i])
		}
		// A finding not where its lines went may have moved with its statement (a defer
		// moved after its check): it is the nearest new finding of the same rule and
		// message that continues no other. Otherwise the round's fixes removed it.
		for _, m := range lost {
			k := composeKey(m.f)
			var best *Finding
			for _, n := range p.latest[name] {
				if !used[n] && composeKey(n) == k && (best == nil || abs(n.Pos.Offset-m.at) < abs(best.Pos.Offset-m.at)) {
					best = n
				}
			}
			if best != nil {
				link(m.f, best)
			} else {
				t.covered[m.f] = coveringFix(m.f, applied[name])
			}
		}
	}
}

func abs(x int) int { return max(x, -x) }

// coveringFix returns the applied fix whose edits in o's file cover o's position, the
// narrowest if several do; the only applied fix if none does; or nil.
func coveringFix(o *Finding, applied []*Finding) *Finding {
	var best *Finding
	width := -1
	var done []*Finding
	for _, f := range applied {
		if !f.Fixed || f.Fix == nil {
			continue
		}
		done = append(done, f)
		for _, e := range f.Fix.Edits {
			if e.File == o.Pos.Filename && e.Start <= o.Pos.Offset && o.Pos.Offset <= e.End && (width < 0 || e.End-e.Start < width) {
				best, width = f, e.End-e.Start
			}
		}
	}
	if best == nil && len(done) == 1 {
		best = done[0]
	}
	return best
}

// where is f's position for -v's notes: a later round's finding is at a place of the
// rewritten text, which is not on disk; it is shown at the finding of the file as loaded
// that it continues, or, when it continues none, at its place in the rewritten text, said
// so.
func (p *plan) where(f *Finding) string {
	if o := p.trace.origin[f]; o != nil {
		return o.Pos.String()
	}
	if n := p.trace.found[f]; n > 0 {
		return fmt.Sprintf("%s:%d:%d of the code as rewritten by round %d", f.Pos.Filename, f.Pos.Line, f.Pos.Column, n)
	}
	return f.Pos.String()
}

// rejectedWhy records why a fix was rejected, for the later rounds' findings that offer
// the same fix (they are not tried again).
func (p *plan) rejectedWhy(f *Finding, why string) {
	if p.trace.why == nil {
		p.trace.why = make(map[string]string)
	}
	p.trace.why[fixKey(f)] = why
}

// markFixed gives each original finding of a rewritten file the verdict of its last
// version (see trace): Fixed, with FixedBy and FixedAt when another fix or a later
// round's did it; otherwise the reason its last version has no fix or lost it.
func (p *plan) markFixed() {
	t := &p.trace
	original := make(map[*Finding]bool, len(p.original))
	for _, o := range p.original {
		original[o] = true
	}
	const later = ", found once the fixes before it had changed the code"
	for _, o := range p.original {
		if p.files[o.Pos.Filename] == nil {
			continue // not rewritten, or reverted: as found
		}
		x := o
		for !x.Fixed && t.next[x] != nil {
			x = t.next[x]
		}
		by, gone := t.covered[x]
		switch {
		case x == o && o.Fixed:
			// Fixed by its own fix in the first round.
		case x.Fixed:
			o.Fixed, o.Dropped, o.NoFix = true, "", ""
			if o.Fix == nil || o.Fix.Title != x.Fix.Title {
				o.FixedBy = x.Fix.Title + later
			}
		case gone && by != nil && by.Fix != nil:
			o.Fixed, o.Dropped, o.NoFix = true, "", ""
			at := by
			if orig := t.origin[by]; orig != nil {
				at = orig
			}
			if !original[at] {
				// A finding that exists only on rewritten code: no position to show.
				o.FixedBy = "a fix made for a finding of " + by.Rule + " that the fixes before it brought out (" + by.Fix.Title + ")"
				break
			}
			o.FixedAt = at.Pos
			o.FixedBy = fmt.Sprintf("the fix for %s at %s (%s)", at.Rule, at.Pos, by.Fix.Title)
			if at != by && (at.Fix == nil || at.Fix.Title != by.Fix.Title) {
				o.FixedBy += later
			}
		case gone:
			o.Fixed, o.Dropped, o.NoFix = true, "", ""
			o.FixedBy = "the other fixes in this file: the rewritten code no longer has the problem"
		case x != o:
			// Still there after the rewrite: the last version says why.
			switch {
			case x.Dropped != "":
				o.Dropped = x.Dropped
			case x.Fix == nil && o.Fix == nil:
				o.NoFix = x.NoFix
			case x.Fix == nil:
				o.Dropped = "no fix once the other fixes were applied: " + x.NoFix
			case t.why[fixKey(x)] != "":
				o.Dropped = t.why[fixKey(x)]
			default:
				o.Dropped = "its fix was not applied; run deferfix again"
			}
		}
		if !o.Fixed && o.Fix != nil && o.Dropped == "" {
			o.Dropped = "the fix was not applied: it did not apply to the code the other fixes left"
		}
	}
}

// unfix makes f not fixed, for why (a fix -verify rejected; "" for a fresh copy).
func (f *Finding) unfix(why string) {
	f.Fixed, f.Dropped, f.FixedBy, f.FixedAt = false, why, "", token.Position{}
}

// A review tool (SARIF fixes, reviewdog suggestions, -json's fix) offers each finding's
// fix as edits of the files as loaded, one finding at a time; a reviewer may accept any
// of them, or all. A finding's own first-round fix is not what -w does when the rounds
// composed fixes: it overlaps the fix that covered it, or the edits of the later round
// that made it. So what is offered are the hunks of -w's own diff (whole lines of the
// file as loaded), each offered once: accepting every offer gives exactly what -w
// writes, and no two offers overlap. The hunks one fix makes (a named result in the
// signature, a check at the defer) are offered together, and so are the findings their
// fixes share hunks with: a finding is tied to the hunks its position or its own fix's
// edits touch, and to the finding whose fix covered it (FixedAt). The first finding of
// each group offers the group's hunks; the others offer nothing and point to it. A hunk
// no finding touches (the end of a loop body a later round wrapped) joins the nearest
// tied hunk of its declaration, or, outside one, every hunk of its file. A finding the
// fixes leave offers nothing: its own fix was not applied, and says why.

// A Suggestion is the part of -w's rewrite that one finding offers.
type Suggestion struct {
	By    *Finding   // the finding that offers it
	Fixes []*Finding // the findings it fixes, By first, in position order
	Title string     // By's own fix title when the edits are its own fix's, else a summary
	Edits []Edit     // whole-line edits of the files as loaded, sorted by file and offset
}

// Suggestions groups the hunks of r.Changes by the findings they fix (see above). It
// returns the suggestions in the order of their findings, and for each fixed finding that
// offers none, the suggestion its fix is part of.
func (r *Result) Suggestions() (offers []*Suggestion, partOf map[*Finding]*Suggestion) {
	var hunks []Edit
	for _, c := range r.Changes {
		for _, e := range linediff.Lines(string(c.Old), string(c.New)) {
			hunks = append(hunks, Edit{File: c.Path, Start: e.Start, End: e.End, New: []byte(e.New)})
		}
	}
	// Union-find over the hunks (0..len(hunks)-1) and the fixed findings (after them).
	var fixed []*Finding
	index := make(map[*Finding]int)
	for _, f := range r.Findings {
		if f.Fixed {
			index[f] = len(hunks) + len(fixed)
			fixed = append(fixed, f)
		}
	}
	parent := make([]int, len(hunks)+len(fixed))
	for i := range parent {
		parent[i] = i
	}
	var root func(int) int
	root = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) { parent[root(a)] = root(b) }
	touches := func(h Edit, file string, start, end int) bool {
		return h.File == file && overlapping(h.Start, h.End, start, end)
	}
	tied := make([]bool, len(hunks))
	for _, f := range fixed {
		for i, h := range hunks {
			t := touches(h, f.Pos.Filename, f.Pos.Offset, f.Pos.Offset)
			if f.Fix != nil {
				for _, e := range f.Fix.Edits {
					t = t || touches(h, e.File, e.Start, e.End)
				}
			}
			if t {
				union(i, index[f])
				tied[i] = true
			}
		}
		if f.FixedAt.IsValid() {
			if j := slices.IndexFunc(fixed, func(g *Finding) bool {
				return g.Pos.Filename == f.FixedAt.Filename && g.Pos.Offset == f.FixedAt.Offset
			}); j >= 0 {
				union(index[f], index[fixed[j]])
			}
		}
	}
	// A hunk no finding touches goes with the nearest tied hunk before it in the same
	// declaration (a fix's later lines: the end of a wrapped loop body), else after it
	// (a named result in the signature); outside any (an import), with every hunk of its
	// file.
	decls := make(map[string][][2]int)
	for _, c := range r.Changes {
		if f, err := parser.ParseFile(token.NewFileSet(), c.Path, c.Old, parser.SkipObjectResolution); err == nil {
			for _, d := range f.Decls {
				decls[c.Path] = append(decls[c.Path], [2]int{int(d.Pos() - f.FileStart), int(d.End() - f.FileStart)})
			}
		}
	}
	declOf := func(h Edit) int {
		return slices.IndexFunc(decls[h.File], func(d [2]int) bool { return d[0] <= h.Start && h.Start < d[1] })
	}
	for i, h := range hunks {
		if tied[i] {
			continue
		}
		d, j := declOf(h), -1
		for k := i - 1; k >= 0 && hunks[k].File == h.File && d >= 0 && declOf(hunks[k]) == d; k-- {
			if tied[k] {
				j = k
				break
			}
		}
		for k := i + 1; j < 0 && k < len(hunks) && hunks[k].File == h.File && d >= 0 && declOf(hunks[k]) == d; k++ {
			if tied[k] {
				j = k
			}
		}
		if j >= 0 {
			union(i, j)
			continue
		}
		for k, g := range hunks {
			if g.File == h.File {
				union(i, k)
			}
		}
	}
	byRoot := make(map[int]*Suggestion)
	partOf = make(map[*Finding]*Suggestion)
	for _, f := range fixed {
		s := byRoot[root(index[f])]
		if s == nil {
			s = &Suggestion{By: f}
			byRoot[root(index[f])] = s
		}
		s.Fixes = append(s.Fixes, f)
		partOf[f] = s
	}
	for i, h := range hunks {
		if s := byRoot[root(i)]; s != nil {
			s.Edits = append(s.Edits, h)
		}
	}
	for _, f := range fixed {
		s := partOf[f]
		if s.By != f {
			continue
		}
		delete(partOf, f)
		if len(s.Edits) == 0 {
			continue // fixed, but no hunk of -w's diff is its own: FixedBy says how
		}
		s.Title = suggestionTitle(s)
		offers = append(offers, s)
	}
	for f, s := range partOf {
		if len(s.Edits) == 0 {
			delete(partOf, f)
		}
	}
	return offers, partOf
}

// suggestionTitle is the title of By's fix when the suggestion is exactly that fix, else
// it names the rules whose fixes it composes.
func suggestionTitle(s *Suggestion) string {
	if f := s.By.Fix; f != nil && s.By.FixedBy == "" && slices.EqualFunc(f.Edits, s.Edits, func(a, b Edit) bool {
		return a.File == b.File && a.Start == b.Start && a.End == b.End && string(a.New) == string(b.New)
	}) {
		return f.Title
	}
	var rules []string
	for _, f := range s.Fixes {
		if !slices.Contains(rules, f.Rule) {
			rules = append(rules, f.Rule)
		}
	}
	switch len(rules) {
	case 1:
		return fmt.Sprintf("Apply the %s fixes as deferfix -w composes them", rules[0])
	default:
		return fmt.Sprintf("Apply the fixes of %s and %s as deferfix -w composes them", strings.Join(rules[:len(rules)-1], ", "), rules[len(rules)-1])
	}
}

// overlapping reports whether the byte ranges [a0, a1) and [b0, b1) overlap; an empty
// range (a position, an insertion) stands for the byte at it.
func overlapping(a0, a1, b0, b1 int) bool {
	a1, b1 = max(a1, a0+1), max(b1, b0+1)
	return a0 < b1 && b0 < a1
}
