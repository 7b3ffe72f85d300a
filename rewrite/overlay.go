package rewrite

import (
	"context"
	"os"
)

// readFile returns a file's content: the overlay's, if it has the file, else the disk's.
func (c *Config) readFile(name string) ([]byte, error) {
	if src, ok := c.Overlay[name]; ok {
		return src, nil
	}
	return os.ReadFile(name)
}

// FixOne returns the changes f's fix alone makes, applied and verified as a round of Run
// is (formatted, comments kept, the package type-checked again), without the fixes of
// later rounds: an editor's quick fix for one finding. f must be one of r.Findings, from a
// run with Config.Fix; nil if the fix was dropped.
func (r *Result) FixOne(ctx context.Context, f *Finding) []*FileChange {
	return r.replan(ctx, []*Finding{f})
}
