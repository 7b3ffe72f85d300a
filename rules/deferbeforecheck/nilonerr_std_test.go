package deferbeforecheck_test

import (
	"go/types"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/deferfix/deferfix/rules/deferbeforecheck"
	"github.com/deferfix/deferfix/rules/internal/effects"
)

// TestStdNilOnError proves each entry of effects.StdNilOnError from the GOROOT sources of
// the Go running the test, with the analysis that computes the NilOnError fact (run, as
// go vet runs it, over every dependency) and with the table itself emptied: the table is
// what deferfix's own driver knows of the standard library, so it must hold no entry the
// analysis could not prove.
func TestStdNilOnError(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks standard library packages from source")
	}
	table := effects.StdNilOnError
	effects.StdNilOnError = nil
	defer func() { effects.StdNilOnError = table }()

	// The packages of the table's entries: the part of FullName before the last dot
	// (a method's receiver is "(*path.Type)").
	paths := make(map[string]bool)
	for _, name := range table {
		paths[pkgPath(name)] = true
	}
	var patterns []string
	for p := range paths {
		patterns = append(patterns, p)
	}
	pkgs, err := packages.Load(&packages.Config{Mode: packages.LoadAllSyntax}, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	g, err := checker.Analyze([]*analysis.Analyzer{deferbeforecheck.Analyzer}, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	funcs := make(map[string]*types.Func)
	actions := make(map[*types.Package]*checker.Action)
	for _, act := range g.Roots {
		actions[act.Package.Types] = act
		scope := act.Package.Types.Scope()
		for _, n := range scope.Names() {
			switch obj := scope.Lookup(n).(type) {
			case *types.Func:
				funcs[obj.FullName()] = obj
			case *types.TypeName:
				if named, ok := obj.Type().(*types.Named); ok {
					for m := range named.Methods() {
						funcs[m.FullName()] = m
					}
				}
			}
		}
	}
	for _, name := range table {
		fn := funcs[name]
		if fn == nil {
			t.Errorf("%s: no such function in the standard library", name)
			continue
		}
		if !actions[fn.Pkg()].ObjectFact(fn, new(effects.NilOnError)) {
			t.Errorf("%s: NilOnError is not proven from its source", name)
		}
	}
}

func pkgPath(fullName string) string {
	s := fullName
	if len(s) > 2 && s[0] == '(' {
		s = s[1:]
		if s[0] == '*' {
			s = s[1:]
		}
	}
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			s = s[:i]
			break
		}
	}
	if fullName[0] == '(' { // strip the type name too
		for i := len(s) - 1; i >= 0; i-- {
			if s[i] == '.' {
				return s[:i]
			}
		}
	}
	return s
}
