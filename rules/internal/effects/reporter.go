package effects

import "go/types"

// IsTestReporter reports whether t can fail a test (*testing.T, testing.TB, testify's
// TestingT, gotest.tools' assert.TestingT): the one notion of a test reporter that the
// rules share, so that what reads and fails here is not a value a test observes there.
func IsTestReporter(t types.Type) bool { return isTestReporter(t) }
