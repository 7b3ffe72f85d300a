package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/pprof/profile"
)

// TestProfileHot writes a CPU profile in which example.com/m.Hot takes 60% of the
// samples and checks that deferfix -profile reports Hot's open-coded defer (and not Cold's),
// and that a main package's default.pgo is picked up without the flag.
func TestProfileHot(t *testing.T) {
	dir := hotModule(t)

	var out, errb bytes.Buffer
	code := run([]string{"-C", dir, "-rules=hotdefer", "-profile=cpu.pprof", "./..."}, nil, &out, &errb)
	if code != exitFindings || !strings.Contains(out.String(), "m.go:9:2: Hot is hot (66.4% of CPU samples) and defers 1 calls (hotdefer)") || strings.Contains(out.String(), "Cold") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}

	// Hot gets explicit calls (nothing can panic after the defer); Warm's would be unsafe,
	// and -v says why.
	out.Reset()
	code = run([]string{"-C", dir, "-rules=hotdefer", "-profile=cpu.pprof", "-d", "-v", "./..."}, nil, &out, &errb)
	if !strings.Contains(out.String(), "-\tdefer mu.Unlock()\n+\tmu.Unlock()\n \treturn 1\n") {
		t.Errorf("Hot not rewritten with an explicit call: exit %d\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	code = run([]string{"-C", dir, "-rules=hotdefer", "-profile=cpu.pprof", "-v", "./..."}, nil, &out, &errb)
	if want := "the fix changes behaviour on panic (the call compute may panic, and then the explicit call would not run); apply it with -unsafe"; !strings.Contains(errb.String()+out.String(), want) {
		t.Errorf("Warm: want %q in\n%s%s", want, out.String(), errb.String())
	}

	// default.pgo beside the main package.
	if err := os.Rename(filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "default.pgo")); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	code = run([]string{"-C", dir, "-rules=hotdefer", "./..."}, nil, &out, &errb)
	if code != exitFindings || !strings.Contains(out.String(), "Hot is hot") {
		t.Fatalf("default.pgo not used: exit %d\n%s%s", code, out.String(), errb.String())
	}
}

// TestConcurrentRunsKeepTheirOptions runs deferfix in one process with different hotdefer
// options at the same time (as the script tests do): each run sees its own, and the race
// detector sees no shared setting.
func TestConcurrentRunsKeepTheirOptions(t *testing.T) {
	dir := hotModule(t)
	var wg sync.WaitGroup
	for i := range 6 {
		hot := i%2 == 0
		wg.Go(func() {
			args := []string{"-C", dir, "-rules=hotdefer", "-profile=cpu.pprof", "-hot=100", "./..."}
			if hot {
				args[4] = "-hot=50"
			}
			var out, errb bytes.Buffer
			code := run(args, nil, &out, &errb)
			if got := strings.Contains(out.String(), "Hot is hot"); got != hot || (code == exitFindings) != hot {
				t.Errorf("%v: exit %d, reported Hot %v, want %v\n%s%s", args, code, got, hot, out.String(), errb.String())
			}
		})
	}
	wg.Wait()
}

// hotModule writes a main package and a CPU profile (cpu.pprof) in which main.Hot takes
// 99.3% of the CPU time and main.Cold the rest.
func hotModule(t *testing.T) string {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/m\n\ngo 1.26\n")
	write("m.go", `package main

import "sync"

var mu sync.Mutex

func Hot() int {
	mu.Lock()
	defer mu.Unlock()
	return 1
}

func Cold() int {
	mu.Lock()
	defer mu.Unlock()
	return 2
}

func Warm() int {
	mu.Lock()
	defer mu.Unlock()
	return compute()
}

func compute() int { return 3 }

func main() { Hot(); Cold(); Warm() }
`)
	hot := &profile.Function{ID: 1, Name: "main.Hot"}
	cold := &profile.Function{ID: 2, Name: "main.Cold"}
	warm := &profile.Function{ID: 3, Name: "main.Warm"}
	hotLoc := &profile.Location{ID: 1, Line: []profile.Line{{Function: hot}}}
	coldLoc := &profile.Location{ID: 2, Line: []profile.Line{{Function: cold}}}
	warmLoc := &profile.Location{ID: 3, Line: []profile.Line{{Function: warm}}}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Sample: []*profile.Sample{
			{Location: []*profile.Location{hotLoc}, Value: []int64{6, 600}},
			{Location: []*profile.Location{coldLoc}, Value: []int64{4, 4}},
			{Location: []*profile.Location{warmLoc}, Value: []int64{3, 300}},
		},
		Location: []*profile.Location{hotLoc, coldLoc, warmLoc},
		Function: []*profile.Function{hot, cold, warm},
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	write("cpu.pprof", buf.String())
	return dir
}
