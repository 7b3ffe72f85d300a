package rewrite

// CPUTime is cpuTime for the benchmarks of package rewrite_test.
var CPUTime = cpuTime
