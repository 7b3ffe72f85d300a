package deferbeforecheck_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deferfix/deferfix/rules/deferbeforecheck"
	"github.com/deferfix/deferfix/rules/internal/ruletest"
)

func Test(t *testing.T) {
	ruletest.Run(t, analysistest.TestData(), deferbeforecheck.Analyzer, "a", "b", "c")
}
