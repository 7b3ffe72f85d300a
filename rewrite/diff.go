package rewrite

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/aymanbagabas/go-udiff"
)

// Diff returns the unified diff of the change, labelled a/PATH and b/PATH with PATH
// relative to dir when it is below it, so `git apply` and `patch -p1` take it.
func (c *FileChange) Diff(dir string) string {
	name := c.Path
	if rel, err := filepath.Rel(dir, c.Path); err == nil && filepath.IsLocal(rel) {
		name = filepath.ToSlash(rel)
	}
	return unified("a/"+name, "b/"+name, string(c.Old), string(c.New))
}

var hunkHeader = regexp.MustCompile(`(?m)^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@`)

// unified is udiff.Unified with the new-file line numbers of the hunk headers
// recomputed: go-udiff v0.4.1 does not count the unchanged lines that join two edits
// into one hunk, so every later hunk's "+" start comes out too small.
func unified(from, to, old, new string) string {
	d := udiff.Unified(from, to, old, new)
	shift := 0 // lines added minus lines removed by earlier hunks
	return hunkHeader.ReplaceAllStringFunc(d, func(h string) string {
		m := hunkHeader.FindStringSubmatch(h)
		a, _ := strconv.Atoi(m[1])
		b, c := 1, 1
		if m[2] != "" {
			b, _ = strconv.Atoi(m[2])
		}
		if m[4] != "" {
			c, _ = strconv.Atoi(m[4])
		}
		first := a // first old line of the hunk
		if b == 0 {
			first = a + 1
		}
		start := first + shift
		if c == 0 {
			start--
		}
		shift += c - b
		return fmt.Sprintf("@@ -%s +%s @@", span(a, b, m[2] != ""), span(start, c, m[4] != ""))
	})
}

func span(start, n int, explicit bool) string {
	if !explicit && n == 1 {
		return strconv.Itoa(start)
	}
	return strings.Join([]string{strconv.Itoa(start), strconv.Itoa(n)}, ",")
}
