package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

// progress shows on a terminal what a long run is doing — loading takes minutes on a cold
// build cache — on one line that it rewrites in place and clears at the end. Runs shorter
// than a second show nothing, and so do runs whose stderr is not a terminal.
type progress struct {
	w     io.Writer
	start time.Time
	mu    sync.Mutex
	line  string
	shown bool
	stop  chan struct{}
	done  chan struct{}
}

func newProgress(w io.Writer) *progress { return newProgressSince(w, time.Now()) }

// newProgressSince is newProgress for a run that started at start.
func newProgressSince(w io.Writer, start time.Time) *progress {
	p := &progress{w: w, start: start, stop: make(chan struct{}), done: make(chan struct{})}
	go p.tick()
	return p
}

// set records the current phase; the ticker prints it.
func (p *progress) set(phase string, done, total int) {
	var line string
	switch phase {
	case "load":
		line = "loading packages"
	case "analyse":
		line = fmt.Sprintf("analysing packages: %d/%d", done, total)
	case "fix":
		line = fmt.Sprintf("fixing: round %d, %d fixes pending", done, total)
	default:
		line = phase
	}
	p.mu.Lock()
	p.line = line
	p.mu.Unlock()
}

func (p *progress) tick() {
	defer close(p.done)
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			if now.Sub(p.start) < time.Second {
				continue
			}
			p.mu.Lock()
			fmt.Fprintf(p.w, "\rdeferfix: %s (%ds)\x1b[K", p.line, int(now.Sub(p.start).Seconds()))
			p.shown = true
			p.mu.Unlock()
		}
	}
}

// end stops the ticker and clears the line, before anything else is printed.
func (p *progress) end() {
	close(p.stop)
	<-p.done
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// startProfiles starts a CPU profile and arranges an allocation profile, for finding
// where a slow run spends its time; stop writes them.
func startProfiles(cpu, mem string) (stop func() error, err error) {
	var cpuFile *os.File
	if cpu != "" {
		if cpuFile, err = os.Create(cpu); err != nil {
			return nil, fmt.Errorf("-cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(cpuFile); err != nil {
			cpuFile.Close()
			return nil, fmt.Errorf("-cpuprofile: %w", err)
		}
	}
	return func() error {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			if err := cpuFile.Close(); err != nil {
				return fmt.Errorf("-cpuprofile: %w", err)
			}
		}
		if mem != "" {
			f, err := os.Create(mem)
			if err != nil {
				return fmt.Errorf("-memprofile: %w", err)
			}
			runtime.GC()
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				f.Close()
				return fmt.Errorf("-memprofile: %w", err)
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("-memprofile: %w", err)
			}
		}
		return nil
	}, nil
}
