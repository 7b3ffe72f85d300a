// Package ruledoc extracts a rule's documentation from its doc.go, so the text a user reads
// in `deferfix -help`, `go vet help` and on pkg.go.dev is written once.
package ruledoc

import (
	"fmt"
	"go/parser"
	"go/token"
	"strings"
)

// Extract returns the section "# Analyzer NAME" of the package comment in src, without
// its heading: the first line is the one-line summary, as analysis.Analyzer.Doc expects.
// It panics if the section is missing: that is a programming error caught by any test.
func Extract(src, name string) string {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", src, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		panic(fmt.Sprintf("ruledoc: %v", err))
	}
	if f.Doc == nil {
		panic("ruledoc: doc.go has no package comment")
	}
	text := f.Doc.Text()
	heading := "# Analyzer " + name + "\n"
	_, rest, ok := strings.Cut(text, heading)
	if !ok {
		panic("ruledoc: doc.go has no section " + strings.TrimSpace(heading))
	}
	if i := strings.Index(rest, "\n# "); i >= 0 {
		rest = rest[:i]
	}
	return strings.TrimSpace(rest)
}
