package rewrite

import (
	"context"
	"slices"
)

// The editor's side of the engine (deferfix lsp): the same Run, on unsaved buffers
// (Config.Overlay), shown as findings first; the fixes are then made on the loaded
// packages (WithFixes) and applied one at a time (FixOne, a quick fix) or all in rounds
// (FixAll, what -w writes).

// FixOne returns the changes f's fix alone makes, applied and verified as a round of Run
// is (formatted, comments kept, the package type-checked again), without the fixes of
// later rounds: an editor's quick fix for one finding. f must be one of r.Findings, from a
// run with Config.Fix; nil if the fix was dropped. r is not modified.
func (r *Result) FixOne(ctx context.Context, f *Finding) []*FileChange {
	return r.replan(ctx, []*Finding{f})
}

// WithFixes returns, for the result of a report (a Run without Config.Fix), its findings
// with their fixes, as a Run with Config.Fix finds them before it applies them, without
// loading the packages again: the rules run once more and make their fixes this time. The
// changes are left to FixOne and FixAll. An editor shows the report's findings first;
// making the fixes costs the rules about as much again as the load and report together.
func (r *Result) WithFixes() *Result {
	cfg := *r.cfg
	cfg.Fix = true
	facts := newFactStore()
	findings, problems := findAll(&cfg, facts, slices.Concat(r.pkgs, r.deps), r.only, cfg.readFile)
	res := &Result{Problems: problems, cfg: &cfg, pkgs: r.pkgs, only: r.only, facts: facts, deps: r.deps}
	res.Findings = classify(&cfg, findings, false)
	res.Remaining = res.Findings
	return res
}

// FixAll returns the changes Run with Config.Fix makes, in all its rounds, for the result
// of WithFixes: what -w writes. r is not modified, so FixOne and FixAll
// may run at the same time.
func (r *Result) FixAll(ctx context.Context) []*FileChange {
	var copies []*Finding
	for _, f := range r.Findings {
		c := *f
		c.unfix("")
		copies = append(copies, &c)
	}
	p := newPlan(r.cfg, r.facts, r.pkgs, copies)
	p.run(ctx)
	return p.changes()
}
