// Package p sets up profiling from flags. A failure of that setup itself leaves the
// profiles already started incomplete: they cover only the program's start, and the exit
// says why. Exits after the setup lose the profile of the run.
package p

import (
	"flag"
	"log"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

var (
	cpuprofile = flag.String("cpuprofile", "", "")
	memprofile = flag.String("memprofile", "", "")
	traceout   = flag.String("trace", "", "")
)

func setup() { // want setup:"lasting"
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err != nil {
			log.Fatal(err) // intended: failure of the profiling setup itself
		}
		defer pprof.WriteHeapProfile(f)
	}
	if *traceout != "" {
		f, err := os.Create(*traceout)
		if err != nil {
			log.Fatal(err)
		}
		if err := trace.Start(f); err != nil {
			log.Fatal(err)
		}
		defer trace.Stop()
	}
	work()
}

// The program's work fails after the setup: the profile of that run is lost.
func failed() { // want failed:"lasting"
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := work(); err != nil {
		log.Fatal(err) // want `log.Fatal ends the program before the deferred pprof.StopCPUProfile \(line 57\) runs, so the profile is left incomplete`
	}
}

// A success exit after the setup: the profile of a run that went well is lost.
func succeeded() { // want succeeded:"lasting"
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err != nil {
			os.Exit(0) // want `os.Exit ends the program before the deferred pprof.StopCPUProfile \(line 72\) runs`
		}
		defer pprof.WriteHeapProfile(f)
	}
	work()
}

func work() error { return nil }

// The profile is started in the same block as the work: a failure of the work, further
// in, loses the profile of the run.
func bench(n int) { // want bench:"lasting"
	if *cpuprofile != "" {
		f, _ := os.Create(*cpuprofile)
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
		for i := 0; i < n; i++ {
			if err := work(); err != nil {
				log.Fatal(err) // want `log.Fatal ends the program before the deferred pprof.StopCPUProfile \(line 92\) runs`
			}
		}
	}
}
