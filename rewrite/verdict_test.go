package rewrite

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/deferfix/deferfix/rewrite/testgen"
	"github.com/deferfix/deferfix/rules"
)

func findingAt(t *testing.T, res *Result, file string, line int, rule string) *Finding {
	t.Helper()
	for _, f := range res.Findings {
		if filepath.Base(f.Pos.Filename) == file && f.Pos.Line == line && f.Rule == rule {
			return f
		}
	}
	t.Fatalf("no %s finding at %s:%d", rule, file, line)
	return nil
}

// TestVerdictCovered (testgen.Covered): a finding another finding's fix removes is fixed, by that fix,
// even when findings of the same rule and message remain in the file (markFixed once
// counted those and left it fixed: false with no reason).
func TestVerdictCovered(t *testing.T) {
	dir := t.TempDir()
	testgen.WriteModule(t, dir, map[string]string{"m.go": testgen.Covered})
	res, err := Run(context.Background(), &Config{Dir: dir, Analyzers: rules.All, Fix: true}, "./...")
	if err != nil {
		t.Fatal(err)
	}
	first, second, held := findingAt(t, res, "m.go", 8, "loopdefer"), findingAt(t, res, "m.go", 10, "loopdefer"), findingAt(t, res, "m.go", 19, "loopdefer")
	if !first.Fixed || first.FixedBy != "" {
		t.Errorf("first defer: Fixed %v, FixedBy %q; want fixed by its own fix", first.Fixed, first.FixedBy)
	}
	if !second.Fixed || second.FixedAt != first.Pos || !strings.HasPrefix(second.FixedBy, "the fix for loopdefer at "+first.Pos.String()) {
		t.Errorf("second defer: Fixed %v, FixedAt %v, FixedBy %q, Dropped %q; want fixed by the fix for the first", second.Fixed, second.FixedAt, second.FixedBy, second.Dropped)
	}
	if held.Fixed || held.NoFix == "" {
		t.Errorf("held: Fixed %v, NoFix %q; want not fixed, with the reason", held.Fixed, held.NoFix)
	}
}

// TestVerdictLaterRound: the demo's compressAll has loopdefer fixes unsafe on the code as
// loaded, which deferbeforecheck's fix makes safe; the loop is then wrapped in a later
// round, and the findings say so instead of the first round's "apply it with -unsafe".
func TestVerdictLaterRound(t *testing.T) {
	res, err := Run(context.Background(), &Config{Dir: "../testdata/demo", Analyzers: rules.All, Fix: true}, "./...")
	if err != nil {
		t.Fatal(err)
	}
	wrap := findingAt(t, res, "pack.go", 26, "loopdefer")
	if !wrap.Fixed || wrap.NoFix != "" || !strings.Contains(wrap.FixedBy, "found once the fixes before it had changed the code") {
		t.Errorf("pack.go:26 loopdefer: Fixed %v, NoFix %q, FixedBy %q; want fixed by its fix of a later round", wrap.Fixed, wrap.NoFix, wrap.FixedBy)
	}
	for _, line := range []int{29, 34} {
		f := findingAt(t, res, "pack.go", line, "loopdefer")
		if !f.Fixed || f.FixedAt != wrap.Pos {
			t.Errorf("pack.go:%d loopdefer: Fixed %v, FixedAt %v, FixedBy %q; want fixed by the fix for pack.go:26", line, f.Fixed, f.FixedAt, f.FixedBy)
		}
	}
	checkVerdicts(t, &Config{Dir: "../testdata/demo", Analyzers: rules.All}, "./...")
}

// TestVerdictsStd checks the verdicts on packages of the standard library, in GOROOT
// (read, never written: the changes are given to the second run as an overlay), with
// -all and with -unsafe -all, where fixes cover other findings most.
func TestVerdictsStd(t *testing.T) {
	if testing.Short() {
		t.Skip("loads standard library packages")
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skip(err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "src")
	for _, unsafe := range []bool{false, true} {
		t.Run(fmt.Sprintf("unsafe=%v", unsafe), func(t *testing.T) {
			checkVerdicts(t, &Config{Dir: src, Analyzers: rules.All, Tests: true, All: true, Unsafe: unsafe}, "net", "net/http", "encoding/json", "os/exec")
		})
	}
}

// checkVerdicts runs cfg with fixes and checks what it says of each finding against the
// rewritten code: as many remain as a run on the result reports; a finding not fixed says why (NoFix or Dropped) and is still reported
// by a run on the result (one of as many of its rule and message in its file); a fixed
// one gives no reason not to be.
func checkVerdicts(t *testing.T, cfg *Config, patterns ...string) {
	t.Helper()
	cfg.Fix = true
	res, err := Run(context.Background(), cfg, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	again := *cfg
	again.Fix, again.Overlay = false, make(map[string][]byte)
	for _, c := range res.Changes {
		again.Overlay[c.Path] = c.New
	}
	after, err := Run(context.Background(), &again, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Remaining) != len(after.Findings) {
		t.Errorf("%d findings remain after the fixes, but a run on the result reports %d", len(res.Remaining), len(after.Findings))
	}
	left := make(map[string]int)
	for _, f := range after.Findings {
		left[composeKey(f)]++
	}
	fixed := 0
	for _, f := range res.Findings {
		if f.Fixed {
			fixed++
			if f.NoFix != "" || f.Dropped != "" {
				t.Errorf("%s: %s: fixed, yet says %q%q", f.Pos, f.Rule, f.NoFix, f.Dropped)
			}
			continue
		}
		if f.NoFix == "" && f.Dropped == "" {
			t.Errorf("%s: %s: not fixed, with no reason", f.Pos, f.Rule)
		}
		if again.Overlay[f.Pos.Filename] == nil {
			continue
		}
		if k := composeKey(f); left[k] > 0 {
			left[k]--
		} else {
			t.Errorf("%s: %s: said not fixed (%s%s), but the rewritten file no longer has it", f.Pos, f.Rule, f.NoFix, f.Dropped)
		}
	}
	t.Logf("%d findings, %d fixed, %d files changed", len(res.Findings), fixed, len(res.Changes))
}

// TestNotePositions: -v's notes on fixes of later rounds (postponed, found only after a
// rewrite) name positions of the file on disk: the finding of the code as loaded that the
// later round's finding continues, or they say that the position is in rewritten text.
// (They printed the rewritten text's positions, pack.go:32:3 on the demo, where the file
// on disk has no finding.)
func TestNotePositions(t *testing.T) {
	var notes []string
	cfg := &Config{Dir: "../testdata/demo", Analyzers: rules.All, Fix: true, Logf: func(format string, args ...any) {
		notes = append(notes, fmt.Sprintf(format, args...))
	}}
	res, err := Run(context.Background(), cfg, "./...")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^(\S+?):(\d+):(\d+)( of the code as rewritten by round \d+)?: (?:(\w+) )?fix (?:postponed|found only)`)
	n := 0
	for _, note := range notes {
		m := re.FindStringSubmatch(note)
		if m == nil {
			continue
		}
		n++
		if m[4] != "" {
			continue // said to be in rewritten text
		}
		if !slices.ContainsFunc(res.Findings, func(f *Finding) bool {
			return f.Pos.Filename == m[1] && strconv.Itoa(f.Pos.Line) == m[2] && strconv.Itoa(f.Pos.Column) == m[3] && (m[5] == "" || f.Rule == m[5])
		}) {
			t.Errorf("note %q: no finding there in the file on disk", filepath.Base(note))
		}
	}
	if n == 0 {
		t.Fatalf("no notes on later rounds' fixes:\n%s", strings.Join(notes, "\n"))
	}
}
