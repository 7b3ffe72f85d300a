package rewrite

import (
	"context"
	"testing"

	"github.com/deferfix/deferfix/rules"
)

// analyzePatterns is a slice of the standard library, tests included, large enough for
// the analysis to show in a profile beside the load.
var analyzePatterns = []string{"net/...", "go/...", "os/...", "encoding/...", "compress/...", "archive/...", "runtime/pprof", "testing", "sync/..."}

// BenchmarkAnalyze is the analysis phase of report mode alone: the rules on packages
// loaded once, outside the timer. Its cost is what report mode adds to the load (the
// floor: cmd/benchfloor); go test -bench Analyze -cpuprofile shows where it goes. On a
// shared machine compare cpu-ns/op (user + system time of the whole process, GC
// included), not ns/op.
func BenchmarkAnalyze(b *testing.B) {
	cfg := &Config{Tests: true, Analyzers: rules.All}
	pkgs, only, problems, err := load(context.Background(), cfg, analyzePatterns)
	if err != nil {
		b.Fatal(err)
	}
	if len(problems) > 0 {
		b.Fatal(problems)
	}
	for _, p := range pkgs {
		b.Cleanup(rules.ReportIntended(p.Types))
		b.Cleanup(rules.ReportOnly(p.Types))
	}
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		findings, problems := findAll(cfg, newFactStore(), pkgs, only, cfg.readFile)
		if len(problems) > 0 {
			b.Fatal(problems)
		}
		if len(findings) == 0 {
			b.Fatal("no findings: the benchmark measures nothing")
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(len(pkgs)), "pkgs")
}
