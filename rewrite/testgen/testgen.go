// Package testgen holds what several packages' tests generate or compute the same way:
// a module with many independent findings, a module where one fix removes another
// finding, the sample texts of the diff tests, and the longest-common-subsequence oracle
// that says how few lines a diff may change. One copy, so that the tests agree on what
// they measure. It is for deferfix's own tests (under rewrite/ because cmd/deferfix's
// tests need it too and the top level holds no other directory), not an API.
package testgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// LCS is the length of a longest common subsequence of a and b, by dynamic programming:
// a minimal diff of lines a and b deletes len(a)-LCS lines and inserts len(b)-LCS.
func LCS(a, b []string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// ManyFindings returns a file of package m with n functions, each opening files in a
// loop with a deferred Close: n loopdefer findings with independent fixes (each changes
// about 15 lines).
func ManyFindings(n int) string {
	var src strings.Builder
	src.WriteString("package m\n\nimport \"os\"\n")
	for i := range n {
		fmt.Fprintf(&src, `
// F%d opens every file.
func F%d(names []string) error {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.Stat(); err != nil {
			return err
		}
	}
	return nil
}
`, i, i)
	}
	return src.String()
}

// WriteModule writes module m (go 1.26) into dir with the given files, by name.
func WriteModule(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	files["go.mod"] = "module m\n\ngo 1.26\n"
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o666); err != nil {
			tb.Fatal(err)
		}
	}
}

// Covered is a file of package m with a loop of two defers, whose first fix (the body
// wrapped in a literal, line 8) removes the second finding (line 10) too, and a finding
// of the same rule and message without a fix (line 19: the file goes to a goroutine).
const Covered = `package m

import "os"

func pair(names []string) {
	for _, n := range names {
		f, _ := os.Open(n)
		defer f.Close()
		g, _ := os.Open(n + ".sum")
		defer g.Close()
		f.Stat()
		g.Stat()
	}
}

func held(names []string) {
	for _, name := range names {
		f, _ := os.Open(name)
		defer f.Close()
		go f.Stat()
	}
}
`

// PatchSample returns 60 lines and a version of them with a line changed at 12 and 18
// (one hunk, joined by the unchanged lines between), one inserted after 30 and line 45
// deleted; with first, a line inserted before line 1 too.
func PatchSample(first bool) (old, new []string) {
	for i := 1; i <= 60; i++ {
		line := "line " + strings.Repeat("x", i%7)
		old = append(old, line)
		switch i {
		case 1:
			if first {
				new = append(new, "first")
			}
			new = append(new, line)
		case 12, 18:
			new = append(new, line+" changed")
		case 30:
			new = append(new, line, "inserted")
		case 45:
			// deleted
		default:
			new = append(new, line)
		}
	}
	return old, new
}
