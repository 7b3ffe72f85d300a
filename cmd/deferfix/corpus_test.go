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

	"github.com/deferfix/deferfix/rules"
)

// TestCorpus measures precision on real code: it runs deferfix as a user would (report
// only, default rules, no flags) on the pinned modules of testdata/corpus/modules.txt,
// fetched through the Go module proxy, and matches each finding to the verdicts in
// testdata/corpus/labels.tsv, which people wrote by reading the code as its maintainers
// would. It prints a table per rule and fails when a rule reports more findings labelled
// false, or has a lower precision, than testdata/corpus/thresholds.txt allows (a ratchet:
// lower max_false and raise min_precision as the rules improve, never the reverse), when it
// reports fewer findings labelled true than min_true there (precision must not come from
// reporting nothing), or when it reports more unlabelled findings than allowed there or 10%
// of its findings, whichever is more (label them: the list is printed). make precision
// runs it.
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

	var found []finding
	start := time.Now()
	for _, m := range modules {
		found = append(found, findings(t, m, moduleCopy(t, m))...)
	}
	t.Logf("analysed %d modules in %v", len(modules), time.Since(start).Round(time.Second))

	j := judge(found, labels, limits)
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rule\treported\ttrue\tminor\tfalse\tunlabelled\tprecision\t")
	for _, r := range sortedKeys(j.stats) {
		s := j.stats[r]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t\n", r, s.reported, s.truth, s.minor, s.falses, s.unlabelled, s.precisionString())
	}
	tw.Flush()
	t.Logf("precision on the labelled corpus (true / labelled):\n%s", table.String())
	if testing.Verbose() && len(j.falses) > 0 {
		t.Logf("findings labelled false:\n\t%s", strings.Join(j.falses, "\n\t"))
	}
	if len(j.unlabelled) > 0 {
		t.Logf("unlabelled findings (module, file, line, rule, message):\n%s", strings.Join(j.unlabelled, "\n"))
	}
	for _, p := range j.problems {
		t.Error(p)
	}
}

// judgement is what judge makes of a run's findings.
type judgement struct {
	stats              map[string]*ruleStats
	falses, unlabelled []string // one line per finding
	problems           []string // each fails the test
}

// judge matches findings to labels, counts them per rule and checks the counts against
// the ratchet: no more findings labelled false than max_false, no lower precision than
// min_precision, no more unlabelled findings than max_unlabelled or 10% of the rule's, no
// fewer findings labelled true than min_true.
func judge(found []finding, labels map[labelKey]*label, limits map[string]*limit) judgement {
	j := judgement{stats: map[string]*ruleStats{}}
	for _, f := range found {
		s := j.stats[f.rule]
		if s == nil {
			s = &ruleStats{}
			j.stats[f.rule] = s
		}
		s.reported++
		l, ok := labels[f.key]
		if !ok {
			s.unlabelled++
			j.unlabelled = append(j.unlabelled, fmt.Sprintf("%s\t%s\t%d\t%s\t%s", f.key.module, f.key.file, f.key.line, f.rule, f.msg))
			continue
		}
		switch l.verdict {
		case "true":
			s.truth++
		case "minor":
			s.minor++
		case "false":
			s.falses++
			j.falses = append(j.falses, fmt.Sprintf("%s %s:%d (%s): %s", f.key.module, f.key.file, f.key.line, f.rule, l.reason))
		}
	}
	for _, r := range sortedKeys(j.stats) {
		s, lim := j.stats[r], limits[r]
		if lim == nil {
			j.problems = append(j.problems, fmt.Sprintf("%s: no line in thresholds.txt", r))
			continue
		}
		if s.falses > lim.maxFalse {
			j.problems = append(j.problems, fmt.Sprintf("%s: %d findings labelled false, thresholds.txt allows %d", r, s.falses, lim.maxFalse))
		}
		if p := s.precision(); p >= 0 && p < lim.minPrecision {
			j.problems = append(j.problems, fmt.Sprintf("%s: precision %.0f%%, thresholds.txt requires %.0f%%", r, p, lim.minPrecision))
		}
		if s.truth < lim.minTrue {
			j.problems = append(j.problems, fmt.Sprintf("%s: %d findings labelled true, thresholds.txt requires %d: precision must not come from dropping real findings", r, s.truth, lim.minTrue))
		}
		if allowed := max(lim.maxUnlabelled, s.reported/10); s.unlabelled > allowed {
			j.problems = append(j.problems, fmt.Sprintf("%s: %d unlabelled findings, at most %d allowed: label them in testdata/corpus/labels.tsv", r, s.unlabelled, allowed))
		}
	}
	return j
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
}

type limit struct {
	maxFalse, maxUnlabelled, minTrue int
	minPrecision                     float64
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

// readThresholds reads lines "rule max_false min_precision max_unlabelled min_true".
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
		if _, err := fmt.Sscanf(line, "%s %d %g %d %d", &rule, &l.maxFalse, &l.minPrecision, &l.maxUnlabelled, &l.minTrue); err != nil {
			t.Fatalf("%s:%d: want rule max_false min_precision max_unlabelled min_true: %v", path, n+1, err)
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

// TestCorpusFiles checks the corpus files parse, and that every rule has a ratchet line,
// without the network: labels and thresholds stay usable when TestCorpus cannot run.
func TestCorpusFiles(t *testing.T) {
	modules := readModules(t, "../../testdata/corpus/modules.txt")
	labels := readLabels(t, "../../testdata/corpus/labels.tsv", modules)
	limits := readThresholds(t, "../../testdata/corpus/thresholds.txt")
	if len(labels) == 0 {
		t.Fatal("no labels")
	}
	for _, a := range rules.All {
		if limits[a.Name] == nil {
			t.Errorf("thresholds.txt has no line for rule %s", a.Name)
		}
	}
	for k := range labels {
		if limits[k.rule] == nil {
			t.Errorf("label for unknown rule %s: %v", k.rule, k)
		}
	}
}

// TestCorpusJudge checks the ratchet's arithmetic on made-up findings.
func TestCorpusJudge(t *testing.T) {
	at := func(line int, rule string) finding {
		return finding{key: labelKey{"m@v1", "a.go", line, rule}, rule: rule, msg: "msg"}
	}
	labels := map[labelKey]*label{
		at(1, "r").key: {verdict: "true", reason: "x"},
		at(2, "r").key: {verdict: "false", reason: "y"},
		at(3, "r").key: {verdict: "minor", reason: "z"},
		at(4, "r").key: {verdict: "true", reason: "x"},
	}
	found := []finding{at(1, "r"), at(2, "r"), at(3, "r"), at(4, "r"), at(5, "r")}
	tests := []struct {
		name  string
		limit limit
		found []finding
		want  []string // substrings of the problems, in order
	}{
		{"within the ratchet", limit{maxFalse: 1, minPrecision: 50, maxUnlabelled: 1}, found, nil},
		{"one false too many", limit{maxFalse: 0, minPrecision: 50, maxUnlabelled: 1}, found, []string{"1 findings labelled false, thresholds.txt allows 0"}},
		{"precision below", limit{maxFalse: 1, minPrecision: 51, maxUnlabelled: 1}, found, []string{"precision 50%, thresholds.txt requires 51%"}},
		{"unlabelled", limit{maxFalse: 1, minPrecision: 50, maxUnlabelled: 0}, found, []string{"1 unlabelled findings, at most 0 allowed"}},
		{"fewer findings pass", limit{maxFalse: 1, minPrecision: 50, maxUnlabelled: 0}, found[:2], nil},
		{"true findings lost", limit{maxFalse: 1, minPrecision: 0, maxUnlabelled: 1, minTrue: 2}, found[1:], []string{"1 findings labelled true, thresholds.txt requires 2"}},
		{"rule without a line", limit{}, []finding{at(1, "other")}, []string{"other: no line in thresholds.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := judge(tt.found, labels, map[string]*limit{"r": &tt.limit})
			if len(j.problems) != len(tt.want) {
				t.Fatalf("problems %q, want %q", j.problems, tt.want)
			}
			for i, p := range j.problems {
				if !strings.Contains(p, tt.want[i]) {
					t.Errorf("problem %q, want it to contain %q", p, tt.want[i])
				}
			}
		})
	}
	j := judge(found, labels, map[string]*limit{"r": {maxFalse: 1, maxUnlabelled: 1}})
	s := j.stats["r"]
	if s.reported != 5 || s.truth != 2 || s.minor != 1 || s.falses != 1 || s.unlabelled != 1 || s.precisionString() != "50%" {
		t.Errorf("stats %+v (precision %s), want 5 reported, 2 true, 1 minor, 1 false, 1 unlabelled, 50%%", *s, s.precisionString())
	}
	if len(j.unlabelled) != 1 || !strings.HasPrefix(j.unlabelled[0], "m@v1\ta.go\t5\tr\t") {
		t.Errorf("unlabelled %q", j.unlabelled)
	}
}
