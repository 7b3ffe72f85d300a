package loopcapture_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deferfix/deferfix/rules/internal/ruletest"
	"github.com/deferfix/deferfix/rules/loopcapture"
)

func Test(t *testing.T) {
	ruletest.Run(t, analysistest.TestData(), loopcapture.Analyzer, "a", "b")
}
