package loopdefer

import (
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rules/internal/explicit"
	"github.com/deferfix/deferfix/rules/internal/fixes"
)

const titleExplicit = "Call %s explicitly at the end of each iteration instead of deferring it"

// explicitFix offers the body's one defer as explicit calls at the end of the iteration
// and before each exit — no literal, no call per iteration, so the loop costs what it
// would without the defer. Offered only when nothing after the defer can panic (package
// explicit states the proof): a panic would skip an explicit release, where the literal
// form keeps running the deferred call. ok is false otherwise, or when the body has
// several defers, or the calls would differ from the deferred call.
func (s *scope) explicitFix() (fix analysis.SuggestedFix, ok bool) {
	if len(s.defers) != 1 {
		return fix, false
	}
	d := s.defers[0]
	r := &explicit.Region{Pkg: s.pass.Pkg, Info: s.pass.TypesInfo, Fn: s.fn.Node(), Block: s.body, Defer: d, Effects: s.effects()}
	if plan := r.Check(); plan.Refused != "" || plan.MayPanic != "" {
		return fix, false
	}
	fix, err := fixes.FixAt(s.pass, s.file(), d, sprintf(titleExplicit, types.ExprString(d.Call.Fun)), r.Rewrite)
	return fix, err == nil
}
