package exitdefer_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deferfix/deferfix/rules/exitdefer"
	"github.com/deferfix/deferfix/rules/internal/ruletest"
)

func Test(t *testing.T) {
	ruletest.Run(t, analysistest.TestData(), exitdefer.Analyzer, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p")
}

// TestAll checks the findings that look intended, and their reasons, with -all.
func TestAll(t *testing.T) {
	ruletest.Intended(t, analysistest.TestData(), exitdefer.Analyzer, "o", "p")
}
