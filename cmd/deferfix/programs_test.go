package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrograms checks the promise that a rewrite keeps what a program computes. Each
// module in ../../testdata/programs prints its results to stdout (recorded in
// stdout.golden) and may print "max held: N" — the most resources open at once — to
// stderr. The test runs it, rewrites a copy with deferfix -w, and requires: the copy vets
// clean, prints the same stdout, holds at most one resource at a time (if it says), has
// every defer open-coded (go build -gcflags=-d=defer), and a second -w changes nothing.
func TestPrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs programs")
	}
	dirs, _ := filepath.Glob("../../testdata/programs/*")
	if len(dirs) == 0 {
		t.Fatal("no programs")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			golden, err := os.ReadFile(filepath.Join(dir, "stdout.golden"))
			if err != nil {
				t.Fatal(err)
			}
			before, beforeErr := goRun(t, dir)
			if *update {
				os.WriteFile(filepath.Join(dir, "stdout.golden"), []byte(before), 0o666)
				return
			}
			if before != string(golden) {
				t.Fatalf("original program prints\n%s\nwant (stdout.golden)\n%s", before, golden)
			}

			work := t.TempDir()
			if err := os.CopyFS(work, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			if code := run([]string{"-C", work, "-w", "./..."}, nil, &out, &errb); code != 0 {
				t.Fatalf("deferfix -w exited %d:\n%s%s", code, out.String(), errb.String())
			}
			if code := run([]string{"-C", work, "-d", "./..."}, nil, &out, &errb); code != 0 || out.Len() > 0 {
				t.Fatalf("second run is not a fixed point (exit %d):\n%s", code, out.String())
			}
			goCmd(t, work, "vet", ".")
			after, stderr := goRun(t, work)
			if after != before {
				t.Errorf("rewritten program prints\n%s\nwant\n%s", after, before)
			}
			if strings.Contains(beforeErr, "max held:") && !strings.Contains(stderr, "max held: 1\n") {
				t.Errorf("rewritten program holds more than one resource at once: %s", stderr)
			}
			if d := goCmd(t, work, "build", "-o", os.DevNull, "-gcflags=-d=defer", "."); strings.Contains(d, "heap-allocated") || strings.Contains(d, "stack-allocated") {
				t.Errorf("defers that are not open-coded remain after the rewrite:\n%s", d)
			}
		})
	}
}

func goRun(t *testing.T, dir string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("go run in %s: %v\n%s", dir, err, e.String())
	}
	return o.String(), e.String()
}

func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
