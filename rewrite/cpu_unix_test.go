//go:build unix

package rewrite

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user + system) this process has used: on a shared
// machine a benchmark's wall time is noise, its CPU time much less so.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
