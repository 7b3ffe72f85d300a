// Command divergence is a differential tester for deferfix: it generates random,
// deterministic programs (package gen), runs each before and after deferfix -w, and
// reports every case whose output or exit status changed, isolated into its own module
// and minimised.
//
//	go run ./cmd/divergence -n 20000 -seed 1 -out DIR [-unsafe] [-j 2]
//
// Cases are generated in batches of gen.BlockSize, one module each (a go version per
// batch: 1.21, 1.22, 1.23 in turn). Every batch is built and run once as generated, once
// after deferfix -w (loopcapture disabled: its fix changes what a go 1.21 program prints on
// purpose), with -unsafe once after deferfix -w -unsafe on the cases that cannot panic,
// and, for go 1.21 batches, once after deferfix -w -rules=loopcapture compared with the
// original built as go 1.22 (the loopcapture fix must give per-iteration semantics).
// Exit cases (os.Exit, log.Fatal in main) must keep their status, and what they printed
// must stay a prefix of what they print: exitdefer runs the pending deferred calls on
// purpose. A go 1.21 case counts under capture only if loopcapture changed it and no
// closure in it assigns the loop variable (that fix is refused, the others apply). The
// rewritten module must also build, add no go vet finding, and be a fixed point (a
// second deferfix -l lists nothing).
//
// Every divergence is written to -out as a module (before.txt, after.txt, deferfix's
// diff.txt and findings.txt, INFO.txt). The first -isolate per mode and family are re-run
// alone and attributed to the rules whose fix alone reproduces them; the first -minimize
// per class are minimised (statements and declarations deleted one at a time while the
// divergence stays). Case i of seed s reproduces with -seed s -case i (isolated and
// minimised); -family picks families, -names adds locals named like what rewrites write
// (true, false, pending, held, run), -keep keeps the work tree. The exit status is 3 when
// a divergence was found.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/deferfix/deferfix/cmd/divergence/gen"
)

func main() {
	os.Exit(mainCode())
}

func mainCode() int {
	var o options
	flag.IntVar(&o.n, "n", 1000, "number of cases")
	flag.Int64Var(&o.seed, "seed", 1, "seed")
	flag.IntVar(&o.first, "first", 0, "index of the first case")
	flag.IntVar(&o.one, "case", -1, "run only this case index")
	flag.StringVar(&o.out, "out", "divergences", "directory for divergences")
	flag.BoolVar(&o.unsafe, "unsafe", false, "also run deferfix -w -unsafe on cases that cannot panic")
	flag.IntVar(&o.j, "j", 1, "batches in parallel")
	flag.StringVar(&o.deferfix, "deferfix", "", "deferfix binary (default: go build ./cmd/deferfix)")
	flag.IntVar(&o.minimize, "minimize", 2, "divergences to minimise per class (rules, mode, family)")
	flag.DurationVar(&minTime, "mintime", 3*time.Minute, "time limit of one minimisation")
	flag.IntVar(&o.isolate, "isolate", 4, "divergences to isolate per mode and family (the rest are written as found)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory")
	flag.BoolVar(&o.names, "names", false, "some cases declare locals named like what rewrites write (true, false, pending, held, run)")
	flag.StringVar(&o.family, "family", "", "run only cases of these families (comma-separated: loop, check, args, writer, hot, capture, exit)")
	flag.Parse()
	namesFlag = o.names
	st, err := run(&o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "divergence:", err)
		return 1
	}
	if st.divergences > 0 {
		return 3
	}
	return 0
}

var namesFlag bool

type options struct {
	n, first, one, j, minimize int
	isolate                    int
	seed                       int64
	out, deferfix, family      string
	unsafe, keep, names        bool
	quiet                      bool
}

type stats struct {
	cases, batches, divergences, genErrors int
	elapsed                                time.Duration
	classes                                map[string]int
}

// run generates and checks the cases o selects, writes each divergence under o.out, and
// prints the figures.
func run(o *options, w io.Writer) (*stats, error) {
	start := time.Now()
	work, err := os.MkdirTemp("", "divergence")
	if err != nil {
		return nil, err
	}
	if !o.keep {
		defer os.RemoveAll(work)
	} else {
		fmt.Fprintln(w, "work:", work)
	}
	if o.deferfix == "" {
		o.deferfix = filepath.Join(work, "deferfix")
		if out, err := exec.Command("go", "build", "-o", o.deferfix, "github.com/deferfix/deferfix/cmd/deferfix").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("building deferfix: %v\n%s", err, out)
		}
	} else if o.deferfix, err = filepath.Abs(o.deferfix); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.out, 0o777); err != nil {
		return nil, err
	}

	// batches: consecutive cases of one block share a version and a module
	var batches [][]int
	if o.one >= 0 {
		batches = [][]int{{o.one}}
	} else {
		for i := o.first; i < o.first+o.n; i++ {
			if len(batches) == 0 || i%gen.BlockSize == 0 {
				batches = append(batches, nil)
			}
			batches[len(batches)-1] = append(batches[len(batches)-1], i)
		}
	}
	st := &stats{classes: map[string]int{}}
	var mu sync.Mutex
	minimised, isolated := map[string]int{}, map[string]int{}
	todo := make(chan int)
	var wg sync.WaitGroup
	for worker := range max(o.j, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range todo {
				idx := batches[b]
				var cases []gen.Case
				for _, i := range idx {
					c := gen.GenerateNames(o.seed, i, o.names)
					if o.family == "" || strings.Contains(","+o.family+",", ","+c.Family+",") {
						cases = append(cases, c)
					}
				}
				if len(cases) == 0 {
					continue
				}
				t := &tester{deferfix: o.deferfix, dir: filepath.Join(work, fmt.Sprintf("w%d", worker))}
				divs, err := t.batch(cases, o.unsafe)
				mu.Lock()
				st.batches++
				st.cases += len(cases)
				if err != nil {
					st.genErrors++
					fmt.Fprintf(w, "batch %d (cases %d..): %v\n", b, idx[0], err)
				}
				mu.Unlock()
				for _, d := range divs {
					d.seed = o.seed
					mu.Lock()
					ikey := d.mode + " " + d.c.Family
					iso := isolated[ikey] < o.isolate || o.one >= 0
					if iso {
						isolated[ikey]++
					}
					mu.Unlock()
					if iso {
						t.isolate(d)
					}
					mu.Lock()
					if d.rules == "" {
						d.rules = "unknown"
					}
					key := d.mode + " " + d.rules + " " + d.c.Family
					do := minimised[key] < o.minimize && d.isolated
					if do {
						minimised[key]++
					}
					mu.Unlock()
					if do {
						t.minimise(d)
					}
					dir, err := d.write(o.out)
					mu.Lock()
					st.divergences++
					st.classes[key]++
					if err != nil {
						fmt.Fprintf(w, "writing %s: %v\n", d.c.Name, err)
					}
					fmt.Fprintf(w, "divergence %s (%s, family %s, go %s, rules %s, isolated %v, minimised %v): %s\n",
						d.c.Name, d.mode, d.c.Family, d.c.GoVersion, d.rules, d.isolated, d.minimised, dir)
					mu.Unlock()
				}
				if !o.quiet {
					mu.Lock()
					fmt.Fprintf(w, "batch %d done: %d cases, %d divergences so far, %v\n", b, st.cases, st.divergences, time.Since(start).Round(time.Second))
					mu.Unlock()
				}
			}
		}()
	}
	for b := range batches {
		todo <- b
	}
	close(todo)
	wg.Wait()
	st.elapsed = time.Since(start)
	fmt.Fprintf(w, "seed %d: %d programs in %d batches, %d divergences, %d batch errors, %v\n",
		o.seed, st.cases, st.batches, st.divergences, st.genErrors, st.elapsed.Round(time.Second))
	var keys []string
	for k := range st.classes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %4d  %s\n", st.classes[k], k)
	}
	return st, nil
}

// write stores a divergence in out/<mode>-<rules>-<seed>-<case>: the module (minimised if
// it could be), what it printed before and after, deferfix's diff and findings.
func (d *divergence) write(out string) (string, error) {
	name := fmt.Sprintf("%s-%s-s%d-%s", d.mode, strings.ReplaceAll(d.rules, ",", "+"), d.seed, d.c.Name)
	dir := filepath.Join(out, name)
	os.RemoveAll(dir)
	if err := gen.WriteModule(dir, d.c.GoVersion, []gen.Case{d.c}); err != nil {
		return dir, err
	}
	info := fmt.Sprintf("seed %d case %d (%s), family %s, go %s\nmode %s: deferfix -w %s\nrules whose fix alone diverges: %s\nisolated %v, minimised %v\nreproduce: go run ./cmd/divergence -seed %d -case %d%s -out DIR\n%s\n",
		d.seed, d.c.Index, d.c.Name, d.c.Family, d.c.GoVersion, d.mode, strings.Join(modeFlags(d.mode), " "), d.rules, d.isolated, d.minimised, d.seed, d.c.Index, map[bool]string{true: " -names"}[namesFlag], d.detail)
	files := map[string]string{
		"INFO.txt":     info,
		"before.txt":   d.before,
		"after.txt":    d.after,
		"diff.txt":     d.diff,
		"findings.txt": d.findings,
	}
	for n, s := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o666); err != nil {
			return dir, err
		}
	}
	return dir, nil
}
