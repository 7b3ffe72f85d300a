package golangci

import (
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
)

// TestSettings checks that golangci-lint finds the plugin under its name and that the
// settings select rules, with unknown names and fields refused.
func TestSettings(t *testing.T) {
	newPlugin, err := register.GetPlugin("deferfix")
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlugin(map[string]any{"rules": []string{"loopdefer", "closecheck"}, "disable": []string{"closecheck"}})
	if err != nil {
		t.Fatal(err)
	}
	as, _ := p.BuildAnalyzers()
	if len(as) != 1 || as[0].Name != "loopdefer" {
		t.Errorf("analyzers = %v, want [loopdefer]", as)
	}
	if p.GetLoadMode() != register.LoadModeTypesInfo {
		t.Errorf("load mode %q", p.GetLoadMode())
	}
	for _, bad := range []map[string]any{{"rules": []string{"nosuch"}}, {"unknown": true}} {
		if _, err := newPlugin(bad); err == nil || !strings.Contains(err.Error(), "deferfix settings") {
			t.Errorf("settings %v: err = %v", bad, err)
		}
	}
	all, _ := newPlugin(nil)
	if as, _ := all.BuildAnalyzers(); len(as) < 8 {
		t.Errorf("default settings run %d rules", len(as))
	}
}
