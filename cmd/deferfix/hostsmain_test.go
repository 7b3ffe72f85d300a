package main

import (
	"os"
	"testing"

	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/deferfix/deferfix/rules"
)

// TestMain lets the test binary stand in for a driver that loads rules.All as a library
// and applies every fix of a run at once, as golangci-lint --fix does: with
// DEFERFIX_TEST_LIBRARY set it is x/tools' unitchecker over rules.All, without the
// composition the deferfix binary does (go vet -fix -vettool runs it; the go command
// caches the dependencies' facts, which x/tools' multichecker computes from source on
// every run: 10 s a run).
func TestMain(m *testing.M) {
	if os.Getenv("DEFERFIX_TEST_LIBRARY") != "" {
		unitchecker.Main(rules.All...)
	}
	os.Exit(m.Run())
}
