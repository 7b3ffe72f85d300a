package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
)

// TestCorpus measures precision on real code: it runs deferfix as a user would (report
// only, default rules, no flags) on the pinned modules of testdata/corpus/modules.txt,
// fetched through the Go module proxy, and matches each finding to the verdicts in
// testdata/corpus/labels.tsv, which people wrote by reading the code as its maintainers
// would. It prints a table per rule and fails when a rule reports more findings labelled
// false, or has a lower precision, than testdata/corpus/thresholds.txt allows (a ratchet:
// lower max_false and raise min_precision as the rules improve, never the reverse), or when
// it reports more unlabelled findings than allowed there or 10% of its findings, whichever
// is more (label them: the list is printed). make precision runs it.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("fetches and analyses real modules: run make precision")
	}
	if raceEnabled {
		t.Skip("too slow under the race detector: run make precision")
	}
	modules := readModules(t, "../../testdata/corpus/modules.txt")
	labels := readLabels(t, "../../testdata/corpus/labels.tsv", modules)
	limits := readThresholds(t, "../../testdata/corpus/thresholds.txt")

	stats := map[string]*ruleStats{}
	stat := func(rule string) *ruleStats {
		if stats[rule] == nil {
			stats[rule] = &ruleStats{}
		}
		return stats[rule]
	}
	var unlabelled, falses []string
	start := time.Now()
	for _, m := range modules {
		dir := moduleCopy(t, m)
		for _, f := range findings(t, m, dir) {
			s := stat(f.rule)
			s.reported++
			l, ok := labels[f.key]
			if !ok {
				s.unlabelled++
				unlabelled = append(unlabelled, fmt.Sprintf("%s\t%s\t%d\t%s\t%s", m, f.key.file, f.key.line, f.rule, f.msg))
				continue
			}
			l.seen = true
			switch l.verdict {
			case "true":
				s.truth++
			case "minor":
				s.minor++
			case "false":
				s.falses++
				falses = append(falses, fmt.Sprintf("%s %s:%d (%s): %s", m, f.key.file, f.key.line, f.rule, l.reason))
			}
		}
	}
	t.Logf("analysed %d modules in %v", len(modules), time.Since(start).Round(time.Second))

	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rule\treported\ttrue\tminor\tfalse\tunlabelled\tprecision\t")
	rules := sortedKeys(stats)
	for _, r := range rules {
		s := stats[r]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t\n", r, s.reported, s.truth, s.minor, s.falses, s.unlabelled, s.precisionString())
	}
	tw.Flush()
	t.Logf("precision on the labelled corpus (true / labelled):\n%s", table.String())
	if testing.Verbose() && len(falses) > 0 {
		t.Logf("findings labelled false:\n\t%s", strings.Join(falses, "\n\t"))
	}

	for _, r := range rules {
		s, lim := stats[r], limits[r]
		if lim == nil {
			t.Errorf("%s: no line in thresholds.txt", r)
			continue
		}
		if s.falses > lim.maxFalse {
			t.Errorf("%s: %d findings labelled false, thresholds.txt allows %d", r, s.falses, lim.maxFalse)
		}
		if p := s.precision(); p >= 0 && p < lim.minPrecision {
			t.Errorf("%s: precision %.0f%%, thresholds.txt requires %.0f%%", r, p, lim.minPrecision)
		}
		if allowed := max(lim.maxUnlabelled, s.reported/10); s.unlabelled > allowed {
			t.Errorf("%s: %d unlabelled findings, at most %d allowed: label them in testdata/corpus/labels.tsv", r, s.unlabelled, allowed)
		}
	}
	if len(unlabelled) > 0 {
		t.Logf("unlabelled findings (module, file, line, rule, message):\n%s", strings.Join(unlabelled, "\n"))
	}
}

type ruleStats struct {
	reported, truth, minor, falses, unlabelled int
}

// precision is the percentage of labelled findings that are true, or -1 when none is labelled.
func (s *ruleStats) precision() float64 {
	n := s.truth + s.minor + s.falses
	if n == 0 {
		return -1
	}
	return 100 * float64(s.truth) / float64(n)
}

func (s *ruleStats) precisionString() string {
	if p := s.precision(); p >= 0 {
		return fmt.Sprintf("%.0f%%", p)
	}
	return "-"
}

type labelKey struct {
	module, file string
	line         int
	rule         string
}

type label struct {
	verdict, reason string
	seen            bool
}

type limit struct {
	maxFalse, maxUnlabelled int
	minPrecision            float64
}

func readModules(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var mods []string
	for _, line := range strings.Split(string(b), "\n") {
		if line, _, _ = strings.Cut(line, "#"); strings.TrimSpace(line) != "" {
			mods = append(mods, strings.Fields(line)...)
		}
	}
	return mods
}

var verdicts = []string{"true", "minor", "false"}

// readLabels reads labels.tsv: module@version, file, line, rule, verdict, reason.
func readLabels(t *testing.T, path string, modules []string) map[labelKey]*label {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	labels := map[labelKey]*label{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		col := strings.Split(line, "\t")
		if len(col) != 6 {
			t.Fatalf("%s:%d: want 6 tab-separated columns, have %d", path, n, len(col))
		}
		ln, err := strconv.Atoi(col[2])
		if err != nil || !slices.Contains(verdicts, col[4]) || !slices.Contains(modules, col[0]) || col[5] == "" {
			t.Fatalf("%s:%d: want module@version (of modules.txt), file, line, rule, true|minor|false, reason", path, n)
		}
		k := labelKey{col[0], col[1], ln, col[3]}
		if labels[k] != nil {
			t.Fatalf("%s:%d: %v labelled twice", path, n, k)
		}
		labels[k] = &label{verdict: col[4], reason: col[5]}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return labels
}

// readThresholds reads lines "rule max_false min_precision max_unlabelled".
func readThresholds(t *testing.T, path string) map[string]*limit {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	limits := map[string]*limit{}
	for n, line := range strings.Split(string(b), "\n") {
		if line, _, _ = strings.Cut(line, "#"); strings.TrimSpace(line) == "" {
			continue
		}
		var rule string
		var l limit
		if _, err := fmt.Sscanf(line, "%s %d %g %d", &rule, &l.maxFalse, &l.minPrecision, &l.maxUnlabelled); err != nil {
			t.Fatalf("%s:%d: want rule max_false min_precision max_unlabelled: %v", path, n+1, err)
		}
		limits[rule] = &l
	}
	return limits
}

// moduleCopy returns a writable copy of module@version from the module cache, fetched
// through the module proxy, with a go.mod (GOPATH-era projects get one at go 1.16, as
// make realworld does). It skips the test when the proxy cannot be reached.
func moduleCopy(t *testing.T, module string) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", module)
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	json.Unmarshal(out, &info)
	if err != nil || info.Dir == "" {
		t.Skipf("cannot fetch %s through the module proxy (%v): %s", module, err, info.Error)
	}
	dir := filepath.Join(t.TempDir(), strings.ReplaceAll(module, "/", "_"))
	if err := os.CopyFS(dir, os.DirFS(info.Dir)); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil {
			os.Chmod(p, map[bool]os.FileMode{true: 0o755, false: 0o644}[d.IsDir()])
		}
		return nil
	})
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		path, _, _ := strings.Cut(module, "@")
		for _, args := range [][]string{{"mod", "init", path}, {"mod", "edit", "-go=1.16"}, {"mod", "tidy"}} {
			cmd := exec.Command("go", args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Skipf("%s: go %s: %v\n%s", module, strings.Join(args, " "), err, out)
			}
		}
	}
	return dir
}

type finding struct {
	key       labelKey
	rule, msg string
}

var findingLine = regexp.MustCompile(`^(.+):(\d+):\d+: (.*) \(([a-z]+)\)$`)

// findings runs deferfix with no flags in dir, as a user would, and parses its report.
func findings(t *testing.T, module, dir string) []finding {
	t.Helper()
	// A module's own go.sum may lack entries for its platform's dependencies.
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOWORK", "off")
	var out, errb bytes.Buffer
	code := run([]string{"-C", dir, "./..."}, nil, &out, &errb)
	if code == exitError {
		if msg := errb.String(); strings.Contains(msg, "dial tcp") || strings.Contains(msg, "no such host") || strings.Contains(msg, "proxy") {
			t.Skipf("%s: dependencies cannot be fetched: %s", module, msg)
		}
		t.Fatalf("%s: deferfix exited %d:\n%s", module, code, errb.String())
	}
	var fs []finding
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if line == "" {
			continue
		}
		m := findingLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("%s: cannot parse finding %q", module, line)
		}
		n, _ := strconv.Atoi(m[2])
		fs = append(fs, finding{key: labelKey{module, filepath.ToSlash(m[1]), n, m[4]}, rule: m[4], msg: m[3]})
	}
	return fs
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
