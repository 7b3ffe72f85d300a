// Package golangci registers deferfix's rules as a golangci-lint module plugin, so a
// custom golangci-lint (golangci-lint custom, or make golangci in this repository) runs
// them with its other linters:
//
//	# .custom-gcl.yml
//	version: v2.15.0
//	plugins:
//	  - module: github.com/deferfix/deferfix
//	    import: github.com/deferfix/deferfix/rules/golangci
//	    version: v0.1.0
//
//	# .golangci.yml
//	version: "2"
//	linters:
//	  enable: [deferfix]
//	  settings:
//	    custom:
//	      deferfix:
//	        type: module
//	        settings:
//	          rules: [loopdefer, closecheck] # default: every rule
//	          disable: [hotdefer]
//	          unsafe: false # default: only fixes that keep behaviour on panics too
//
// Fixes that may change behaviour on a panic are offered only with the setting unsafe: true.
package golangci

import (
	"fmt"
	"slices"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rules"
)

func init() {
	register.Plugin("deferfix", New)
}

// Settings are the plugin's settings in .golangci.yml.
type Settings struct {
	Rules   []string `json:"rules"`   // rules to run; empty: all
	Disable []string `json:"disable"` // rules not to run
	// Unsafe also offers fixes that change behaviour on a panic (each rule's -unsafe flag).
	Unsafe bool `json:"unsafe"`
}

type plugin struct {
	analyzers []*analysis.Analyzer
}

// New is the plugin's constructor, called by golangci-lint with the raw settings.
func New(conf any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](conf)
	if err != nil {
		return nil, fmt.Errorf("deferfix settings: %w", err)
	}
	known := make(map[string]bool)
	for _, a := range rules.All {
		known[a.Name] = true
	}
	for _, n := range slices.Concat(s.Rules, s.Disable) {
		if !known[n] {
			return nil, fmt.Errorf("deferfix settings: unknown rule %q", n)
		}
	}
	p := &plugin{}
	if s.Unsafe {
		for _, a := range rules.All {
			if err := a.Flags.Set("unsafe", "true"); err != nil {
				return nil, fmt.Errorf("deferfix settings: unsafe: %w", err)
			}
		}
	}
	for _, a := range rules.All {
		if (len(s.Rules) == 0 || slices.Contains(s.Rules, a.Name)) && !slices.Contains(s.Disable, a.Name) {
			p.analyzers = append(p.analyzers, a)
		}
	}
	return p, nil
}

func (p *plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) { return p.analyzers, nil }

// GetLoadMode asks for type information: every rule needs it.
func (p *plugin) GetLoadMode() string { return register.LoadModeTypesInfo }
