package loopdefer_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deferfix/deferfix/rules/internal/ruletest"
	"github.com/deferfix/deferfix/rules/loopdefer"
)

func Test(t *testing.T) {
	ruletest.Run(t, analysistest.TestData(), loopdefer.Analyzer, "a", "b", "c", "d", "e", "f", "g")
}

// TestAll checks the findings that look intended, and their reasons, with -all.
func TestAll(t *testing.T) {
	ruletest.Intended(t, analysistest.TestData(), loopdefer.Analyzer, "a", "b", "f")
}
