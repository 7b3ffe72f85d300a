package rewrite

import (
	"path/filepath"

	"github.com/deferfix/deferfix/rewrite/linediff"
)

// Diff returns the unified diff of the change, labelled a/PATH and b/PATH with PATH
// relative to dir when it is below it, so `git apply` and `patch -p1` take it. The diff
// is minimal: it changes as few lines as git diff does.
func (c *FileChange) Diff(dir string) string {
	name := c.Path
	if rel, err := filepath.Rel(dir, c.Path); err == nil && filepath.IsLocal(rel) {
		name = filepath.ToSlash(rel)
	}
	return linediff.Unified("a/"+name, "b/"+name, string(c.Old), string(c.New))
}
