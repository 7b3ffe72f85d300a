//go:build race

package fixes

// raceEnabled skips the standard-library round trip under the race detector: it tests
// printing, not concurrency, and takes minutes there. make test runs it without -race.
const raceEnabled = true
