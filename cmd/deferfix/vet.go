package main

import (
	"encoding/json"
	"flag"
	"os"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/deferfix/deferfix/rewrite"
	"github.com/deferfix/deferfix/rules"
)

// vetMain speaks the unitchecker protocol for go vet and go fix. To apply fixes (go vet
// -fix, go fix, with or without -diff) it hands the unitchecker composed analyzers
// (rewrite.Composed): the unitchecker applies the first fix of every diagnostic at once and
// refuses overlapping ones, while deferfix's rules fix the same lines in rounds. Reports,
// -json and fact-only runs on dependencies use the rules as they are.
func vetMain(args []string) {
	flag.Var(allUnsafe{}, "unsafe", "apply every rule's fixes that change behaviour on panic (-RULE.unsafe: one rule's)")
	if fixing(args) {
		unitchecker.Main(rewrite.Composed(rules.All, enabledRules)...)
	}
	unitchecker.Main(rules.All...)
}

// fixing reports whether the unitchecker is asked to apply fixes to the package of its
// config file, not only to compute facts for its importers.
func fixing(args []string) bool {
	fix := false
	for _, a := range args {
		switch strings.TrimLeft(a, "-") {
		case "fix", "fix=true", "fix=1":
			fix = len(a) > len(strings.TrimLeft(a, "-"))
		}
	}
	if !fix || len(args) == 0 || !strings.HasSuffix(args[len(args)-1], ".cfg") {
		return false
	}
	data, err := os.ReadFile(args[len(args)-1])
	if err != nil {
		return false // the unitchecker reports it
	}
	var cfg struct{ VetxOnly bool }
	if json.Unmarshal(data, &cfg) != nil {
		return false
	}
	return !cfg.VetxOnly
}

// enabledRules returns the rules the unitchecker's flags select, as it selects them: if any
// -RULE flag is true only those, else all but those set to false. It is called while the
// analyzers run, when the flags are parsed.
func enabledRules() []*analysis.Analyzer {
	set := make(map[string]bool)
	hasTrue := false
	flag.Visit(func(f *flag.Flag) {
		for _, a := range rules.All {
			if f.Name == a.Name {
				set[a.Name] = f.Value.String() == "true"
				hasTrue = hasTrue || set[a.Name]
			}
		}
	})
	var out []*analysis.Analyzer
	for _, a := range rules.All {
		on, ok := set[a.Name]
		if hasTrue && on || !hasTrue && (!ok || on) {
			out = append(out, a)
		}
	}
	return out
}

// allUnsafe is the unitchecker's -unsafe flag: it sets every rule's own -RULE.unsafe, so
// go fix takes the flag the command line takes.
type allUnsafe struct{}

func (allUnsafe) IsBoolFlag() bool { return true }
func (allUnsafe) String() string   { return "false" }
func (allUnsafe) Set(s string) error {
	for _, a := range rules.All {
		if err := a.Flags.Set("unsafe", s); err != nil {
			return err
		}
	}
	return nil
}
