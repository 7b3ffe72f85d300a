package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestProgress checks the terminal line: shown once a run passes a second, rewritten in
// place, cleared at the end; a run shorter than a second prints nothing.
func TestProgress(t *testing.T) {
	var w lockedBuffer
	p := newProgressSince(&w, time.Now().Add(-2*time.Second))
	p.set("analyse", 3, 10)
	time.Sleep(600 * time.Millisecond)
	p.end()
	out := w.String()
	if !strings.Contains(out, "\rdeferfix: analysing packages: 3/10 (2s)\x1b[K") || !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("progress printed %q", out)
	}

	var quiet lockedBuffer
	p = newProgress(&quiet)
	p.set("load", 0, 0)
	p.end()
	if quiet.String() != "" {
		t.Errorf("a short run printed %q", quiet.String())
	}
}
