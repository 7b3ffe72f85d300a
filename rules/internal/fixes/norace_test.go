//go:build !race

package fixes

const raceEnabled = false
