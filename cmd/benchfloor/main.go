// Command benchfloor compares deferfix's cost with the floor it cannot go below: loading
// the same packages, tests included, with syntax and types, through go/packages (what
// benchfloor -load does). It runs each mode in turn, round after round, so the machine's
// noise hits all of them alike, and prints the median wall time, CPU time (user + system)
// and peak RSS of each, with their ratios to the floor's.
//
//	go run ./cmd/benchfloor -deferfix bin/deferfix -dir $(go env GOROOT)/src -runs 5 ./...
//
// Modes: floor, report (deferfix), diff (deferfix -d), vettool (go vet -vettool=deferfix);
// with -old, report@old, diff@old and vettool@old run the -old binary instead, so a change
// is measured against the build before it in the same rounds.
package main

import (
	"flag"
	"fmt"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/tools/go/packages"
)

func main() {
	load := flag.Bool("load", false, "only load the packages (the floor), then exit")
	bin := flag.String("deferfix", "bin/deferfix", "the deferfix binary")
	old := flag.String("old", "", "another deferfix binary, for the modes ending in @old")
	dir := flag.String("dir", ".", "where the patterns are resolved")
	runs := flag.Int("runs", 5, "rounds; each runs every mode once")
	modes := flag.String("modes", "floor,report,diff,vettool", "modes to compare")
	flag.Parse()
	patterns := flag.Args()
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	if *load {
		if err := floor(*dir, patterns); err != nil {
			fmt.Fprintln(os.Stderr, "benchfloor:", err)
			os.Exit(1)
		}
		return
	}
	if err := compare(*bin, *old, *dir, *runs, strings.Split(*modes, ","), patterns); err != nil {
		fmt.Fprintln(os.Stderr, "benchfloor:", err)
		os.Exit(1)
	}
}

// floor loads what deferfix loads (rewrite/load.go's mode, tests included) and nothing more.
func floor(dir string, patterns []string) error {
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
			packages.NeedImports | packages.NeedTypes | packages.NeedTypesSizes | packages.NeedSyntax |
			packages.NeedTypesInfo | packages.NeedModule | packages.NeedForTest,
		Dir:   dir,
		Tests: true,
		Fset:  token.NewFileSet(),
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "loaded %d packages\n", len(pkgs))
	return nil
}

type sample struct {
	wall, cpu time.Duration
	rss       int64
}

func compare(bin, old, dir string, runs int, modes, patterns []string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if bin, err = filepath.Abs(bin); err != nil {
		return err
	}
	if old != "" {
		if old, err = filepath.Abs(old); err != nil {
			return err
		}
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	commands := map[string][]string{
		"floor":   append([]string{self, "-load", "-dir", dir}, patterns...),
		"report":  append([]string{bin, "-C", dir}, patterns...),
		"diff":    append([]string{bin, "-C", dir, "-d"}, patterns...),
		"vettool": append([]string{"go", "vet", "-vettool=" + bin}, patterns...),
	}
	if old != "" {
		commands["report@old"] = append([]string{old, "-C", dir}, patterns...)
		commands["diff@old"] = append([]string{old, "-C", dir, "-d"}, patterns...)
		commands["vettool@old"] = append([]string{"go", "vet", "-vettool=" + old}, patterns...)
	}
	samples := make(map[string][]sample)
	for r := range runs {
		for _, m := range modes {
			args, ok := commands[m]
			if !ok {
				return fmt.Errorf("unknown mode %q", m)
			}
			s, err := measure(dir, args)
			if err != nil {
				return fmt.Errorf("%s: %w", m, err)
			}
			samples[m] = append(samples[m], s)
			fmt.Fprintf(os.Stderr, "round %d %-8s wall %6.2fs cpu %6.2fs rss %5d MB\n", r+1, m, s.wall.Seconds(), s.cpu.Seconds(), s.rss>>20)
		}
	}
	med := func(m string) sample {
		ss := samples[m]
		w := slices.Sorted(func(yield func(time.Duration) bool) {
			for _, s := range ss {
				if !yield(s.wall) {
					return
				}
			}
		})
		c := make([]time.Duration, len(ss))
		r := make([]int64, len(ss))
		for i, s := range ss {
			c[i], r[i] = s.cpu, s.rss
		}
		slices.Sort(c)
		slices.Sort(r)
		return sample{w[len(w)/2], c[len(c)/2], r[len(r)/2]}
	}
	// Ratios are to the floor, or to the first mode when the floor was not run.
	ref := "floor"
	if !slices.Contains(modes, ref) {
		ref = modes[0]
	}
	f := med(ref)
	fmt.Printf("%-8s %9s %9s %9s %7s %7s %7s\n", "mode", "wall", "cpu", "rss", "wall×", "cpu×", "rss×")
	for _, m := range modes {
		s := med(m)
		fmt.Printf("%-8s %8.2fs %8.2fs %7dMB %7.2f %7.2f %7.2f\n", m, s.wall.Seconds(), s.cpu.Seconds(), s.rss>>20,
			s.wall.Seconds()/f.wall.Seconds(), s.cpu.Seconds()/f.cpu.Seconds(), float64(s.rss)/float64(f.rss))
	}
	return nil
}

// measure runs args in dir; deferfix's exit 3 (findings) and go vet's 1 (findings) are
// results, not failures. CPU counts the process and the children it waited for (go list,
// and go vet's tool runs); peak RSS is the kernel's ru_maxrss for the process tree.
func measure(dir string, args []string) (sample, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		if code := cmd.ProcessState.ExitCode(); code != 3 && !(args[0] == "go" && code == 1) {
			return sample{}, fmt.Errorf("%v: %v\n%s", args, err, stderr.String())
		}
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return sample{wall, cpu, ru.Maxrss << 10}, nil
}
