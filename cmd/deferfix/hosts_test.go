package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/deferfix/deferfix/rules"
)

// generateFile is the //go:generate directive the README documents, in a file of its own
// (PATH holds the binary under test; `go tool deferfix` runs the same binary).
const generateFile = "package main\n\n//go:generate deferfix -w -fix-only .\n"

// TestHosts checks that every host applies exactly what deferfix -w applies: on scratch
// copies of the demo and of a module whose fixes overlap, go vet -vettool reports
// deferfix's findings; go fix -fixtool, go vet -fix and go generate (with the documented
// directive) each leave, in one run, the tree deferfix -w writes; go fix -diff prints
// deferfix -d's hunks and changes nothing; go fix -RULE and -RULE=false select rules as
// -rules and -disable do; and an unsafe fix is applied by go fix only
// with -unsafe or the rule's -RULE.unsafe, the result then equal to deferfix -w -unsafe's.
func TestHosts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds deferfix and runs the go command")
	}
	binDir := t.TempDir()
	bin := filepath.Join(binDir, "deferfix")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=", "GOPROXY=off", "PATH="+binDir+string(filepath.ListSeparator)+os.Getenv("PATH"))
	// sh runs name in dir and returns its stdout, stderr and exit status.
	sh := func(t *testing.T, dir, name string, args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			return stdout.String(), stderr.String(), exit.ExitCode()
		case err != nil:
			t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
		}
		return stdout.String(), stderr.String(), 0
	}
	var unsafeFlags []string
	for _, a := range rules.All {
		unsafeFlags = append(unsafeFlags, "-"+a.Name+".unsafe")
	}

	for _, mod := range []string{"../../testdata/demo", "../../testdata/hosts/overlap", "../../testdata/hosts/unsafe", "../../testdata/hosts/facts"} {
		t.Run(filepath.Base(mod), func(t *testing.T) {
			t.Parallel()
			scratch := func() string {
				dir := t.TempDir()
				if err := os.CopyFS(dir, os.DirFS(mod)); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "generate.go"), []byte(generateFile), 0o666); err != nil {
					t.Fatal(err)
				}
				return dir
			}
			orig := scratch()
			before := readTree(t, orig)

			// What the command line does.
			list, _, _ := sh(t, orig, bin, "./...")
			var findings []string
			for _, l := range strings.Split(strings.TrimSpace(list), "\n") {
				findings = append(findings, regexp.MustCompile(` \([a-z]+\)$`).ReplaceAllString(l, ""))
			}
			slices.Sort(findings)
			d, _, _ := sh(t, orig, bin, "-d", "./...")
			want := scratch()
			if out, errs, code := sh(t, want, bin, "-w", "./..."); code != 0 && code != 3 {
				t.Fatalf("deferfix -w exited %d\n%s%s", code, out, errs)
			}
			wantTree := readTree(t, want)
			wantUnsafe := scratch()
			sh(t, wantUnsafe, bin, "-w", "-unsafe", "./...")
			unsafeTree := readTree(t, wantUnsafe)
			if equalTrees(unsafeTree, before) {
				t.Fatal("deferfix -w -unsafe changed nothing: the module tests nothing")
			}

			t.Run("vet", func(t *testing.T) {
				_, errs, code := sh(t, orig, "go", "vet", "-vettool="+bin, "./...")
				var got []string
				for _, l := range strings.Split(strings.TrimSpace(errs), "\n") {
					if !strings.HasPrefix(l, "#") && !strings.Contains(l, ": \t") {
						got = append(got, l)
					}
				}
				slices.Sort(got)
				if code != 1 || !slices.Equal(got, findings) {
					t.Errorf("go vet exited %d, reporting\n%s\nwant exit 1 and deferfix's findings\n%s", code, strings.Join(got, "\n"), strings.Join(findings, "\n"))
				}
			})
			for name, host := range map[string][]string{
				"fix":      {"go", "fix", "-fixtool=" + bin, "./..."},
				"vet-fix":  {"go", "vet", "-fix", "-vettool=" + bin, "./..."},
				"generate": {"go", "generate", "./..."},
			} {
				t.Run(name, func(t *testing.T) {
					dir := scratch()
					out, errs, code := sh(t, dir, host[0], host[1:]...)
					if code != 0 {
						t.Errorf("%s exited %d\n%s%s", strings.Join(host, " "), code, out, errs)
					}
					if got := readTree(t, dir); !equalTrees(got, wantTree) {
						t.Errorf("%s leaves a tree other than deferfix -w's:\n%s", strings.Join(host, " "), treeDiff(got, wantTree))
					}
				})
			}
			if filepath.Base(mod) == "demo" {
				// The documented line word for word, deferfix a tool of the module.
				t.Run("generate-go-tool", func(t *testing.T) {
					dir := scratch()
					os.WriteFile(filepath.Join(dir, "generate.go"), []byte(strings.Replace(generateFile, "deferfix", "go tool deferfix", 1)), 0o666)
					root, _ := filepath.Abs("../..")
					gomod := "module example.com/pack\n\ngo 1.26\n\ntool github.com/deferfix/deferfix/cmd/deferfix\n\n" +
						"require github.com/deferfix/deferfix v0.0.0\n\nreplace github.com/deferfix/deferfix => " + root + "\n"
					os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o666)
					sum, _ := os.ReadFile(filepath.Join(root, "go.sum"))
					os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o666)
					if out, errs, code := sh(t, dir, "go", "mod", "tidy", "-e"); code != 0 {
						t.Fatalf("go mod tidy exited %d\n%s%s", code, out, errs)
					}
					if out, errs, code := sh(t, dir, "go", "generate", "./..."); code != 0 {
						t.Errorf("go generate exited %d\n%s%s", code, out, errs)
					}
					got := readTree(t, dir)
					for name, want := range wantTree {
						if strings.HasSuffix(name, ".go") && name != "generate.go" && got[name] != want {
							t.Errorf("go generate (go tool deferfix) leaves %s other than deferfix -w:\n%s", name, got[name])
						}
					}
				})
			}
			// go vet's -RULE flags select rules as -rules and -disable do.
			for _, sel := range [][2]string{{"-loopdefer", "-rules=loopdefer"}, {"-loopdefer=false", "-disable=loopdefer"}} {
				t.Run("fix"+sel[0], func(t *testing.T) {
					want := scratch()
					sh(t, want, bin, "-w", sel[1], "./...")
					dir := scratch()
					if out, errs, code := sh(t, dir, "go", "fix", "-fixtool="+bin, sel[0], "./..."); code != 0 {
						t.Errorf("go fix %s exited %d\n%s%s", sel[0], code, out, errs)
					}
					if got, want := readTree(t, dir), readTree(t, want); !equalTrees(got, want) {
						t.Errorf("go fix %s leaves a tree other than deferfix -w %s's:\n%s", sel[0], sel[1], treeDiff(got, want))
					}
				})
			}
			t.Run("fix-diff", func(t *testing.T) {
				dir := scratch()
				out, errs, code := sh(t, dir, "go", "fix", "-fixtool="+bin, "-diff", "./...")
				if want := btoi(d != ""); code != want {
					t.Errorf("go fix -diff exited %d, want %d (1: a diff)\n%s", code, want, errs)
				}
				if got, want := hunks(out), hunks(d); got != want {
					t.Errorf("go fix -diff prints\n%s\nwant deferfix -d's hunks\n%s", got, want)
				}
				if !equalTrees(readTree(t, dir), before) {
					t.Error("go fix -diff changed files")
				}
			})
			for name, flags := range map[string][]string{"fix-unsafe": {"-unsafe"}, "fix-rule-unsafe": unsafeFlags} {
				t.Run(name, func(t *testing.T) {
					dir := scratch()
					args := append(append([]string{"fix", "-fixtool=" + bin}, flags...), "./...")
					if out, errs, code := sh(t, dir, "go", args...); code != 0 {
						t.Errorf("go %s exited %d\n%s%s", strings.Join(args, " "), code, out, errs)
					}
					if got := readTree(t, dir); !equalTrees(got, unsafeTree) {
						t.Errorf("go %s leaves a tree other than deferfix -w -unsafe's:\n%s", strings.Join(args, " "), treeDiff(got, unsafeTree))
					}
				})
			}
			if filepath.Base(mod) != "demo" && equalTrees(wantTree, unsafeTree) {
				t.Error("the module has no unsafe fix: fix-unsafe tests nothing")
			}
		})
	}
}

// hunks returns the lines of a unified diff without its file and hunk headers: the file
// names differ between drivers, and the go command's diff numbers the new side of hunks
// after the first differently (+51 where deferfix -d says +58 on the demo).
func hunks(diff string) string {
	var keep []string
	for _, l := range strings.SplitAfter(diff, "\n") {
		if !strings.HasPrefix(l, "--- ") && !strings.HasPrefix(l, "+++ ") && !strings.HasPrefix(l, "@@ ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

// readTree returns the files below dir by relative path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	tree := make(map[string]string)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		tree[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func equalTrees(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// treeDiff names the files that differ, with both contents.
func treeDiff(got, want map[string]string) string {
	var b strings.Builder
	for k, v := range want {
		if got[k] != v {
			b.WriteString("--- " + k + " got:\n" + got[k] + "\n--- want:\n" + v + "\n")
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			b.WriteString("--- " + k + ": unexpected file\n")
		}
	}
	return b.String()
}

// TestLibraryHosts checks that a driver that loads rules.All and applies every fix of a
// run at once (the unitchecker over rules.All, uncomposed, as golangci-lint --fix) meets no
// conflicting fixes and, run again until nothing changes, leaves the tree deferfix -w
// writes, in the stated number of runs (one per round of the engine, plus the run that
// finds nothing left to apply).
func TestLibraryHosts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for mod, wantRuns := range map[string]int{"../../testdata/demo": 5, "../../testdata/hosts/overlap": 5, "../../testdata/hosts/unsafe": 1} {
		t.Run(filepath.Base(mod), func(t *testing.T) {
			t.Parallel()
			want, dir := t.TempDir(), t.TempDir()
			for _, d := range []string{want, dir} {
				if err := os.CopyFS(d, os.DirFS(mod)); err != nil {
					t.Fatal(err)
				}
			}
			var out, errb bytes.Buffer
			if code := run([]string{"-C", want, "-w", "./..."}, nil, &out, &errb); code != 0 && code != 3 {
				t.Fatalf("deferfix -w exited %d\n%s%s", code, out.String(), errb.String())
			}
			wantTree := readTree(t, want)
			runs := 0
			for prev := readTree(t, dir); runs < 10; {
				runs++
				cmd := exec.Command("go", "vet", "-fix", "-vettool="+self, "./...")
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "DEFERFIX_TEST_LIBRARY=1", "GOWORK=off", "GOFLAGS=")
				out, err := cmd.CombinedOutput()
				if strings.Contains(string(out), "applied") || strings.Contains(string(out), "conflict") {
					t.Errorf("run %d: the driver met conflicting fixes (exit %v):\n%s", runs, err, out)
				}
				cur := readTree(t, dir)
				if equalTrees(cur, prev) {
					break
				}
				prev = cur
			}
			if got := readTree(t, dir); !equalTrees(got, wantTree) {
				t.Errorf("after %d runs the tree is not deferfix -w's:\n%s", runs, treeDiff(got, wantTree))
			}
			if runs != wantRuns {
				t.Errorf("took %d runs, want %d", runs, wantRuns)
			}
		})
	}
}
