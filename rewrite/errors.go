package rewrite

import (
	"errors"
	"fmt"
	"go/token"
)

// A Problem is something deferfix could not do, with where: a package that did not load, a
// rule that failed, a fix that did not survive verification, a file it did not write.
type Problem struct {
	Pos     token.Position // may be invalid
	Package string         // may be empty
	Kind    Kind
	Err     error
}

// Kind tells problems that are errors from those that only cost a fix.
type Kind int

const (
	KindError Kind = iota // a package, rule or file that failed: the run is in error
	KindFix               // a fix that was dropped; its finding remains
)

func (p Problem) Error() string {
	if p.Pos.IsValid() || p.Pos.Filename != "" {
		return fmt.Sprintf("%s: %v", p.Pos, p.Err)
	}
	if p.Package != "" {
		return fmt.Sprintf("%s: %v", p.Package, p.Err)
	}
	return p.Err.Error()
}

func (p Problem) Unwrap() error { return p.Err }

// Errors reported by Write.
var (
	ErrReadOnly = errors.New("file is read-only; not written")
	ErrChanged  = errors.New("file changed on disk since it was loaded; not written")
)
