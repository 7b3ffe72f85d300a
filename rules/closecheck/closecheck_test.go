package closecheck_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deferfix/deferfix/rules/closecheck"
	"github.com/deferfix/deferfix/rules/internal/ruletest"
)

func Test(t *testing.T) {
	ruletest.Run(t, analysistest.TestData(), closecheck.Analyzer, "a", "b", "c")
}

// TestAll checks the findings that look intended, and their reasons, with -all.
func TestAll(t *testing.T) {
	ruletest.Intended(t, analysistest.TestData(), closecheck.Analyzer, "a", "b", "c")
}
