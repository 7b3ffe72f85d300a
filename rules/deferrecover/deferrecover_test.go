package deferrecover_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deferfix/deferfix/rules/deferrecover"
	"github.com/deferfix/deferfix/rules/internal/ruletest"
)

func Test(t *testing.T) {
	ruletest.Run(t, analysistest.TestData(), deferrecover.Analyzer, "a")
}
