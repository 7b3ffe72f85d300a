package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"

	"github.com/deferfix/deferfix/cmd/divergence/gen"
)

// TestPrograms checks the promise that a rewrite keeps what a program computes. Each
// module in ../../testdata/programs prints its results to stdout (recorded in
// stdout.golden, with a last line "exit status N" when it exits non-zero) and may print
// "max held: N" — the most resources open at once — to stderr. The test runs it, rewrites
// a copy with deferfix -w (plus the flags in the module's deferfix.flags, if any: -unsafe
// for programs whose paths do not panic), and requires: the copy vets clean, prints the
// same stdout and exits the same, holds at most one resource at a time (if it says), has
// every defer open-coded (go build -gcflags=-d=defer) when the module has a file named
// opencoded, and a second -w changes nothing.
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
			src := dir
			dir := withHarness(t, dir)
			before, beforeErr := goRun(t, dir)
			if *update {
				os.WriteFile(filepath.Join(src, "stdout.golden"), []byte(before), 0o666)
				return
			}
			if before != string(golden) {
				t.Fatalf("original program prints\n%s\nwant (stdout.golden)\n%s", before, golden)
			}

			work := t.TempDir()
			if err := os.CopyFS(work, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			var flags []string
			if b, err := os.ReadFile(filepath.Join(dir, "deferfix.flags")); err == nil {
				flags = strings.Fields(string(b))
			}
			var out, errb bytes.Buffer
			// Exit 3 says findings without a fix remain: refused fixes are part of the promise.
			if code := run(append([]string{"-C", work, "-w"}, append(flags, "./...")...), nil, &out, &errb); code != 0 && code != 3 {
				t.Fatalf("deferfix -w exited %d:\n%s%s", code, out.String(), errb.String())
			}
			out.Reset()
			if code := run(append([]string{"-C", work, "-d"}, append(flags, "./...")...), nil, &out, &errb); (code != 0 && code != 3) || out.Len() > 0 {
				t.Fatalf("second run is not a fixed point (exit %d):\n%s", code, out.String())
			}
			// No new go vet finding: a program may have one on purpose (defer
			// log(time.Since(start)) is vet's too), and a refused fix leaves it.
			vetBefore, vetAfter := vetMessages(t, dir), vetMessages(t, work)
			for msg, n := range vetAfter {
				if n > vetBefore[msg] {
					t.Errorf("go vet finds in the rewritten program what it does not in the original: %s", msg)
				}
			}
			after, stderr := goRun(t, work)
			if after != before {
				t.Errorf("rewritten program prints\n%s\nwant\n%s", after, before)
			}
			if strings.Contains(beforeErr, "max held:") && !strings.Contains(stderr, "max held: 1\n") {
				t.Errorf("rewritten program holds more than one resource at once: %s", stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "opencoded")); err != nil {
				return
			}
			if d := goCmd(t, work, "build", "-o", os.DevNull, "-gcflags=-d=defer", "."); strings.Contains(d, "heap-allocated") || strings.Contains(d, "stack-allocated") {
				t.Errorf("defers that are not open-coded remain after the rewrite:\n%s", d)
			}
		})
	}
}

// withHarness returns dir itself, or for a module the divergence generator wrote (its
// module path is gen.ModulePath), a copy with the generator's harness (package rt, main)
// added: such a program keeps only its cases and stdout.golden.
func withHarness(t *testing.T, dir string) string {
	t.Helper()
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil || modfile.ModulePath(mod) != gen.ModulePath {
		return dir
	}
	full := t.TempDir()
	if err := os.CopyFS(full, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	for name, src := range gen.Harness() {
		p := filepath.Join(full, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	return full
}

func goRun(t *testing.T, dir string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) || strings.Contains(e.String(), "\n[build failed]") || strings.HasPrefix(e.String(), "# ") {
			t.Fatalf("go run in %s: %v\n%s", dir, err, e.String())
		}
		// go run reports the program's status on stderr and exits 1 itself.
		fmt.Fprintf(&o, "exit status %d\n", programStatus(e.String()))
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

// programStatus reads the program's exit status from go run's stderr ("exit status N" on
// its last line); a panic's status is 2.
func programStatus(stderr string) int {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	var n int
	if _, err := fmt.Sscanf(lines[len(lines)-1], "exit status %d", &n); err == nil {
		return n
	}
	return -1
}

// vetFinding matches a go vet finding's position, which moves with a rewrite.
var vetFinding = regexp.MustCompile(`^(?:\./)?[^\s:]+\.go:\d+:\d+: (.*)$`)

// vetMessages runs go vet in dir and counts its findings by message.
func vetMessages(t *testing.T, dir string) map[string]int {
	t.Helper()
	cmd := exec.Command("go", "vet", ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	msgs := make(map[string]int)
	for _, line := range strings.Split(string(out), "\n") {
		if m := vetFinding.FindStringSubmatch(line); m != nil {
			msgs[m[1]]++
		}
	}
	if err != nil && len(msgs) == 0 {
		t.Fatalf("go vet in %s: %v\n%s", dir, err, out)
	}
	return msgs
}
