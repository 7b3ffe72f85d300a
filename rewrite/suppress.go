package rewrite

import (
	"go/ast"
	"go/token"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// A suppression is a //deferfix:ignore RULE[,RULE...] reason comment (or
// //nolint:deferfix // reason, as golangci-lint writes them). It silences the named
// rules' findings on its own line and on the line below. One without a reason is itself
// reported: a reader should learn why the finding does not apply.
type suppression struct {
	pos    token.Position
	rules  []string // empty: every rule
	reason string
}

func parseSuppression(text string) (rules []string, reason string, ok bool) {
	text = strings.TrimSpace(strings.TrimPrefix(text, "//"))
	if rest, found := strings.CutPrefix(text, "deferfix:ignore"); found {
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return nil, "", true
		}
		return strings.Split(fields[0], ","), strings.Join(fields[1:], " "), true
	}
	if rest, found := strings.CutPrefix(text, "nolint:"); found {
		names, comment, _ := strings.Cut(rest, "//")
		list := strings.Split(strings.TrimSpace(names), ",")
		if !slices.Contains(list, "deferfix") {
			return nil, "", false
		}
		return nil, strings.TrimSpace(comment), true
	}
	return nil, "", false
}

// suppressions returns the file's suppressions by the line they cover.
func suppressions(fset *token.FileSet, f *ast.File) map[int][]*suppression {
	out := make(map[int][]*suppression)
	for _, g := range f.Comments {
		for _, c := range g.List {
			rules, reason, ok := parseSuppression(c.Text)
			if !ok {
				continue
			}
			s := &suppression{pos: fset.Position(c.Pos()), rules: rules, reason: reason}
			out[s.pos.Line] = append(out[s.pos.Line], s)
			out[s.pos.Line+1] = append(out[s.pos.Line+1], s)
		}
	}
	return out
}

// suppress drops the findings a suppression covers and reports suppressions without a
// reason.
func suppress(cfg *Config, findings []*Finding) []*Finding {
	type fileKey struct {
		pkg  *packages.Package
		name string
	}
	cache := make(map[fileKey]map[int][]*suppression)
	var keep []*Finding
	bare := make(map[token.Position]bool)
	for _, f := range findings {
		k := fileKey{f.pkg, f.Pos.Filename}
		sups, ok := cache[k]
		if !ok {
			if af := fileOf(f.pkg, f.Pos.Filename); af != nil {
				sups = suppressions(f.pkg.Fset, af)
			}
			cache[k] = sups
		}
		var by *suppression
		for _, s := range sups[f.Pos.Line] {
			if len(s.rules) == 0 || slices.Contains(s.rules, f.Rule) {
				by = s
			}
		}
		if by == nil {
			keep = append(keep, f)
			continue
		}
		cfg.logf("%s: %s finding suppressed by the comment on line %d", f.Pos, f.Rule, by.pos.Line)
		if by.reason == "" && !bare[by.pos] {
			bare[by.pos] = true
			keep = append(keep, &Finding{
				Rule:    "deferfix",
				Pos:     by.pos,
				Message: "suppression without a reason: say why the finding does not apply",
				NoFix:   "write the reason after the rule names",
				pkg:     f.pkg,
			})
		}
	}
	return keep
}
