package rewrite

import (
	"context"
	"fmt"
	"go/ast"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
)

// flip proposes turning x = 1 into x = 2 and x = 2 back into x = 1: its fixes undo each
// other.
var flip = &analysis.Analyzer{
	Name: "flip",
	Doc:  "flip x between 1 and 2",
	Run: func(pass *analysis.Pass) (any, error) {
		for _, f := range pass.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && (lit.Value == "1" || lit.Value == "2") {
					to := map[string]string{"1": "2", "2": "1"}[lit.Value]
					pass.Report(analysis.Diagnostic{Pos: lit.Pos(), End: lit.End(), Message: "flip",
						SuggestedFixes: []analysis.SuggestedFix{{Message: "Flip", TextEdits: []analysis.TextEdit{{Pos: lit.Pos(), End: lit.End(), NewText: []byte(to)}}}}})
				}
				return true
			})
		}
		return nil, nil
	},
}

// grow always proposes one more declaration: its fixes never run out.
var grow = &analysis.Analyzer{
	Name: "grow",
	Doc:  "add a declaration",
	Run: func(pass *analysis.Pass) (any, error) {
		f := pass.Files[0]
		n := len(f.Decls)
		pass.Report(analysis.Diagnostic{Pos: f.Name.Pos(), End: f.Name.End(), Message: "grow",
			SuggestedFixes: []analysis.SuggestedFix{{Message: "Grow", TextEdits: []analysis.TextEdit{{Pos: f.End(), End: f.End(), NewText: fmt.Appendf(nil, "\nvar v%d = 0\n", n)}}}}})
		return nil, nil
	},
}

// TestNotConverging: a file whose fixes cycle or never run out is left unchanged, with
// the reason, so that the result stays a fixed point (a second run would otherwise
// change it again).
func TestNotConverging(t *testing.T) {
	for _, tc := range []struct {
		a    *analysis.Analyzer
		want string
	}{
		{flip, "undo each other"},
		{grow, "did not converge in 100 rounds"},
	} {
		t.Run(tc.a.Name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module m\n\ngo 1.26\n"), 0o666)
			os.WriteFile(filepath.Join(dir, "m.go"), []byte("package m\n\nvar x = 1\n"), 0o666)
			var logged []string
			cfg := &Config{Dir: dir, Analyzers: []*analysis.Analyzer{tc.a}, Fix: true, Logf: func(format string, args ...any) {
				logged = append(logged, fmt.Sprintf(format, args...))
			}}
			res, err := Run(context.Background(), cfg, "./...")
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Changes) != 0 {
				t.Errorf("changes = %d files, want none:\n%s", len(res.Changes), res.Changes[0].New)
			}
			found := false
			for _, p := range res.Problems {
				found = found || strings.Contains(p.Err.Error(), tc.want)
			}
			if !found {
				t.Errorf("no problem says %q: %v", tc.want, res.Problems)
			}
			if !strings.Contains(strings.Join(logged, "\n"), "left unchanged") {
				t.Errorf("-v notes do not say the file is left unchanged:\n%s", strings.Join(logged, "\n"))
			}
		})
	}
}

// once turns the literal 1 into 2; then reacts to 2 with a fix of its own (3): a finding
// that exists only because of the first rule's rewrite.
var once = &analysis.Analyzer{
	Name: "once",
	Doc:  "turn 1 into 2",
	Run: func(pass *analysis.Pass) (any, error) {
		return nil, literalFix(pass, "1", "2")
	},
}

var then = &analysis.Analyzer{
	Name: "then",
	Doc:  "turn 2 into 3",
	Run: func(pass *analysis.Pass) (any, error) {
		return nil, literalFix(pass, "2", "3")
	},
}

func literalFix(pass *analysis.Pass, from, to string) error {
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Value == from {
				pass.Report(analysis.Diagnostic{Pos: lit.Pos(), End: lit.End(), Message: "literal " + from,
					SuggestedFixes: []analysis.SuggestedFix{{Message: "Change", TextEdits: []analysis.TextEdit{{Pos: lit.Pos(), End: lit.End(), NewText: []byte(to)}}}}})
			}
			return true
		})
	}
	return nil
}

// TestComposedNote: a later-round fix with no original finding to account for it is kept
// and noted in -v.
func TestComposedNote(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module m\n\ngo 1.26\n"), 0o666)
	os.WriteFile(filepath.Join(dir, "m.go"), []byte("package m\n\nvar x = 1\n"), 0o666)
	var logged []string
	cfg := &Config{Dir: dir, Analyzers: []*analysis.Analyzer{once, then}, Fix: true, Logf: func(format string, args ...any) {
		logged = append(logged, fmt.Sprintf(format, args...))
	}}
	res, err := Run(context.Background(), cfg, "./...")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1 || !strings.Contains(string(res.Changes[0].New), "var x = 3") {
		t.Fatalf("changes = %v, want x = 3", res.Changes)
	}
	// The "then" finding continues none of the code as loaded: its position is in the
	// text round 1 rewrote, and the note says so.
	if !strings.Contains(strings.Join(logged, "\n"), "m.go:3:9 of the code as rewritten by round 1: then fix found only after an earlier round's rewrite") {
		t.Errorf("-v notes do not mark the composed fix:\n%s", strings.Join(logged, "\n"))
	}
}
