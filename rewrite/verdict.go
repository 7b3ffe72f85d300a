package rewrite

import (
	"fmt"
	"go/token"
	"slices"
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
	}
	for _, name := range changed {
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
