//go:build race

package main

// raceEnabled skips TestCorpus under the race detector: analysing twenty real modules
// there takes minutes; make precision runs it without.
const raceEnabled = true
