// Package fixes turns a rule's dst rewrite of one file into analysis.TextEdits, and holds the
// conventions every rule uses to say what kind of fix it offers or why it offers none.
//
// Rules find on go/ast and rewrite on dst: decorations (comments, blank lines) travel with
// the dst nodes a rule moves, so a rewrite keeps every comment where a reader expects it.
// The rewritten file is printed whole, then diffed line by line against the original, so
// each fix is a minimal set of line edits — the form go vet, go fix, gopls and
// golangci-lint all apply.
package fixes

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"runtime"
	"sort"
	"strings"
	"sync"
	"weak"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/dave/dst/decorator/resolver/gotypes"
	"github.com/dave/dst/decorator/resolver/guess"
	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rewrite/linediff"
	"github.com/deferfix/deferfix/rules/internal/deferutil"
)

// UnsafeSuffix ends the title of every fix that may change behaviour on an exceptional path
// (a panic). Drivers apply such fixes only when asked (deferfix -unsafe).
const UnsafeSuffix = " (changes behaviour on panic)"

// RefusedPrefix starts the related-information message that says why a finding has no fix.
const RefusedPrefix = "not fixed: "

// UnsafePrefix starts the related-information message that says why a finding's fix is
// unsafe: what may panic.
const UnsafePrefix = "unsafe: "

// UnsafeWhy returns why a diagnostic's fixes are unsafe, or "".
func UnsafeWhy(d analysis.Diagnostic) string {
	for _, r := range d.Related {
		if s, ok := strings.CutPrefix(r.Message, UnsafePrefix); ok {
			return s
		}
	}
	return ""
}

// IsUnsafe reports whether a fix was marked unsafe by its rule.
func IsUnsafe(fix analysis.SuggestedFix) bool {
	return strings.HasSuffix(fix.Message, UnsafeSuffix)
}

// Refusal returns the reason a diagnostic carries no fix, or "".
func Refusal(d analysis.Diagnostic) string {
	for _, r := range d.Related {
		if s, ok := strings.CutPrefix(r.Message, RefusedPrefix); ok {
			return s
		}
	}
	return ""
}

// Refuse reports a finding without a fix; at, when valid, points at what blocks the fix.
func Refuse(pass *analysis.Pass, rng analysis.Range, at token.Pos, msg, reason string) {
	if !at.IsValid() {
		at = rng.Pos()
	}
	pass.Report(analysis.Diagnostic{
		Pos:     rng.Pos(),
		End:     rng.End(),
		Message: msg,
		Related: []analysis.RelatedInformation{{Pos: at, End: at, Message: RefusedPrefix + reason}},
	})
}

// File is one file of a pass decorated with dst for rewriting. Decorate a fresh File for
// each fix: fixes are computed independently and a File is consumed by Edits.
type File struct {
	Pass *analysis.Pass
	AST  *ast.File
	Dst  *dst.File
	dec  *decorator.Decorator
	src  []byte
	tok  *token.File

	imports bool // decorated with import management

	// For a File made by FixAt: Dst holds only this top-level declaration (with its
	// comments), which spans src[start:end] in whole lines.
	decl       ast.Decl
	start, end int
}

// Decorate converts f to dst. Qualified identifiers are resolved with the pass's type
// information (exact and free), so a rule may add references to imported packages and
// the restorer keeps the import block right.
func Decorate(pass *analysis.Pass, f *ast.File) (*File, error) {
	tok := pass.Fset.File(f.FileStart)
	if tok == nil {
		return nil, fmt.Errorf("decorate: no position information for file")
	}
	src, err := readFile(pass, tok.Name())
	if err != nil {
		return nil, fmt.Errorf("decorate %q: %w", tok.Name(), err)
	}
	if len(src) != tok.Size() {
		return nil, fmt.Errorf("decorate %q: file changed since it was parsed", tok.Name())
	}
	// The printer formats what it prints; on a file that is not gofmt-clean the fix would
	// carry unrelated reformatting. Refuse rather than touch lines the fix is not about.
	if !gofmtClean(tok, src) {
		return nil, fmt.Errorf("the file is not gofmt-formatted; run gofmt first, then deferfix can fix it without touching other lines")
	}
	// dst merges imports of one path under two names (net/http's request.go imports
	// "net/url" twice); such files are decorated without import management, so they come
	// back unchanged, and a rule cannot add imports to them.
	dec := decorator.NewDecorator(pass.Fset)
	if !duplicateImports(f) {
		dec = decorator.NewDecoratorWithImports(pass.Fset, pass.Pkg.Path(), gotypes.New(pass.TypesInfo.Uses))
	}
	df, err := dec.DecorateFile(f)
	if err != nil {
		return nil, fmt.Errorf("decorate %q: %w", tok.Name(), err)
	}
	return &File{Pass: pass, AST: f, Dst: df, dec: dec, src: src, tok: tok, imports: !duplicateImports(f)}, nil
}

// sources holds, per pass, the contents of the files its fixes read. A rule makes a fix
// for each finding, and each checks the file is the one parsed: read every time, a file
// with n findings was read n times, and fixing it cost n times its size. The contents go
// with the pass (a cleanup drops the entry once the pass is unreachable), in every host:
// deferfix, go vet -vettool, gopls.
var sources sync.Map // weak.Pointer[analysis.Pass] → *passSources

type passSources struct {
	mu   sync.Mutex
	read map[string][]byte
}

// readFile is pass.ReadFile, once per file and pass. The contents are shared: readers
// must not modify them.
func readFile(pass *analysis.Pass, name string) ([]byte, error) {
	key := weak.Make(pass)
	v, loaded := sources.LoadOrStore(key, &passSources{read: make(map[string][]byte)})
	if !loaded {
		runtime.AddCleanup(pass, func(k weak.Pointer[analysis.Pass]) { sources.Delete(k) }, key)
	}
	ps := v.(*passSources)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if src, ok := ps.read[name]; ok {
		return src, nil
	}
	src, err := pass.ReadFile(name)
	if err == nil {
		ps.read[name] = src
	}
	return src, err
}

// gofmtCache remembers, per parsed file, whether it is gofmt-clean: several fixes in one
// file ask, and formatting a large file costs as much as decorating it.
var gofmtCache sync.Map // *token.File → bool

func gofmtClean(tok *token.File, src []byte) bool {
	if v, ok := gofmtCache.Load(tok); ok {
		return v.(bool)
	}
	formatted, err := format.Source(src)
	clean := err == nil && bytes.Equal(formatted, src)
	gofmtCache.Store(tok, clean)
	return clean
}

func duplicateImports(f *ast.File) bool {
	seen := make(map[string]bool)
	for _, imp := range f.Imports {
		if seen[imp.Path.Value] {
			return true
		}
		seen[imp.Path.Value] = true
	}
	return false
}

// ManagesImports reports whether references to other packages may be written as
// dst.Ident with Path set (the restorer then adds the import).
func (f *File) ManagesImports() bool { return f.imports }

// Node returns the dst node decorated from n, or nil.
func (f *File) Node(n ast.Node) dst.Node { return f.dec.Dst.Nodes[n] }

// Name returns the file's name as the file set knows it.
func (f *File) Name() string { return f.tok.Name() }

// Restore prints the (rewritten) dst file, gofmt-formatted. For a File made by FixAt it
// prints the declaration alone.
func (f *File) Restore() ([]byte, error) {
	if f.decl != nil {
		return f.restoreDecl()
	}
	r := decorator.NewRestorer()
	if f.imports {
		names := make(map[string]string)
		for _, imp := range f.Pass.Pkg.Imports() {
			names[imp.Path()] = imp.Name()
		}
		r = decorator.NewRestorerWithImports(f.Pass.Pkg.Path(), guess.WithMap(names))
	}
	var buf bytes.Buffer
	if err := r.Fprint(&buf, f.Dst); err != nil {
		return nil, fmt.Errorf("print %q: %w", f.Name(), err)
	}
	out, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("print %q: rewritten file does not format: %w", f.Name(), err)
	}
	return out, nil
}

// Edits restores the file and returns the line edits that turn the original into it.
func (f *File) Edits() ([]analysis.TextEdit, error) {
	out, err := f.Restore()
	if err != nil {
		return nil, err
	}
	if f.decl != nil {
		edits := LineEdits(f.tok, f.src[f.start:f.end], out)
		for i := range edits {
			edits[i].Pos += token.Pos(f.start)
			edits[i].End += token.Pos(f.start)
		}
		return edits, nil
	}
	return LineEdits(f.tok, f.src, out), nil
}

// DecorateDecl converts only the top-level declaration of f that contains at, with the
// comments inside it, to dst: fixes confined to one declaration (most are) then cost in
// proportion to the declaration, not the file. Qualified identifiers are left as they are
// written, so a rule cannot add imports this way (use Decorate).
func DecorateDecl(pass *analysis.Pass, f *ast.File, at ast.Node) (*File, error) {
	tok := pass.Fset.File(f.FileStart)
	if tok == nil {
		return nil, fmt.Errorf("decorate: no position information for file")
	}
	decl := deferutil.DeclAt(f, at.Pos())
	if decl != nil && at.End() > decl.End() {
		decl = nil
	}
	if decl == nil {
		return nil, fmt.Errorf("decorate: no declaration holds the node")
	}
	src, err := readFile(pass, tok.Name())
	if err != nil {
		return nil, fmt.Errorf("decorate %q: %w", tok.Name(), err)
	}
	if len(src) != tok.Size() {
		return nil, fmt.Errorf("decorate %q: file changed since it was parsed", tok.Name())
	}
	if !gofmtClean(tok, src) {
		return nil, fmt.Errorf("the file is not gofmt-formatted; run gofmt first, then deferfix can fix it without touching other lines")
	}
	// The declaration's lines, from its doc comment to the end of its last line (a
	// trailing comment included).
	startPos := decl.Pos()
	switch d := decl.(type) {
	case *ast.FuncDecl:
		if d.Doc != nil {
			startPos = d.Doc.Pos()
		}
	case *ast.GenDecl:
		if d.Doc != nil {
			startPos = d.Doc.Pos()
		}
	}
	start := tok.Offset(tok.LineStart(tok.Line(startPos)))
	endLine := tok.Line(decl.End())
	end := tok.Size()
	if endLine < tok.LineCount() {
		end = tok.Offset(tok.LineStart(endLine + 1))
	}
	if start != tok.Offset(startPos) {
		return nil, fmt.Errorf("decorate: the declaration does not start a line")
	}
	// The comments come in source order: those in the declaration's lines are a run of
	// them, found by binary search (a scan of all was a cost per fix of the file's size).
	var comments []*ast.CommentGroup
	first := sort.Search(len(f.Comments), func(i int) bool { return tok.Offset(f.Comments[i].Pos()) >= start })
	for _, g := range f.Comments[first:] {
		if tok.Offset(g.Pos()) >= end {
			break
		}
		comments = append(comments, g)
	}
	fset, mini := declFile(tok, f, decl, comments, start, end)
	dec := decorator.NewDecorator(fset)
	df, err := dec.DecorateFile(mini)
	if err != nil {
		return nil, fmt.Errorf("decorate %q: %w", tok.Name(), err)
	}
	return &File{Pass: pass, AST: f, Dst: df, dec: dec, src: src, tok: tok, decl: decl, start: start, end: end}, nil
}

// declFile returns a file holding only decl, its comments and a package clause, in a
// file set of its own whose one file covers just those lines. dst's decorator visits every
// byte of the token.File it is given to find line breaks, so decorating one declaration
// against the whole file made each fix cost as much as the file, and the fixes of a file
// with many findings cost its size times their number. The new token.File keeps the
// declaration's positions (its base is chosen so) and its line breaks, and puts a package
// clause line just before it: the decorator sees a small, well-formed file. The printer
// reads decorations, not positions, so the declaration prints as before.
func declFile(tok *token.File, f *ast.File, decl ast.Decl, comments []*ast.CommentGroup, start, end int) (*token.FileSet, *ast.File) {
	clause := len("package ") + len(f.Name.Name) + 1 // "package NAME\n", shorter than what precedes decl
	base := tok.Base() + start - clause
	fset := token.NewFileSet()
	mf := fset.AddFile(tok.Name(), base, clause+end-start)
	lines := []int{0}
	for l := tok.Line(tok.Pos(start)); l <= tok.LineCount(); l++ {
		off := tok.Offset(tok.LineStart(l))
		if off >= end {
			break
		}
		lines = append(lines, clause+off-start)
	}
	mf.SetLines(lines)
	pkg := token.Pos(base)
	name := &ast.Ident{NamePos: pkg + token.Pos(len("package ")), Name: f.Name.Name}
	return fset, &ast.File{Package: pkg, Name: name, Decls: []ast.Decl{decl}, Comments: comments, FileStart: pkg, FileEnd: token.Pos(base + clause + end - start)}
}

// restoreDecl prints the declaration of a File made by DecorateDecl.
func (f *File) restoreDecl() ([]byte, error) {
	var buf bytes.Buffer
	if err := decorator.NewRestorer().Fprint(&buf, f.Dst); err != nil {
		return nil, fmt.Errorf("print %q: %w", f.Name(), err)
	}
	out := buf.Bytes()
	// Drop the package clause (and the blank lines after it) that the printer adds.
	_, rest, ok := bytes.Cut(out, []byte("\n"))
	if !ok {
		return nil, fmt.Errorf("print %q: no declaration printed", f.Name())
	}
	return bytes.TrimLeft(rest, "\n"), nil
}

// FixAt is Fix confined to the top-level declaration holding at: cheaper on large files,
// and the edits cannot leave that declaration. A declaration on a single line is fixed
// through the whole file, since gofmt aligns such lines with their neighbours.
func FixAt(pass *analysis.Pass, file *ast.File, at ast.Node, title string, rewrite func(*File) error) (analysis.SuggestedFix, error) {
	if fix, ok, err := titleOnly(pass, file, title); ok {
		return fix, err
	}
	if d := deferutil.DeclAt(file, at.Pos()); d != nil && at.End() <= d.End() && pass.Fset.Position(d.Pos()).Line == pass.Fset.Position(d.End()).Line {
		return Fix(pass, file, title, rewrite)
	}
	f, err := DecorateDecl(pass, file, at)
	if err != nil {
		return analysis.SuggestedFix{}, err
	}
	return finish(f, title, rewrite)
}

// LineEdits returns the line-granular edits from before to after, positioned in tok.
func LineEdits(tok *token.File, before, after []byte) []analysis.TextEdit {
	var edits []analysis.TextEdit
	for _, e := range linediff.Lines(string(before), string(after)) {
		edits = append(edits, analysis.TextEdit{
			Pos:     tok.Pos(e.Start),
			End:     tok.Pos(e.End),
			NewText: []byte(e.New),
		})
	}
	return edits
}

// Fix decorates the file holding node, lets rewrite change it and returns the fix, or an
// error that explains why none could be made.
func Fix(pass *analysis.Pass, file *ast.File, title string, rewrite func(*File) error) (analysis.SuggestedFix, error) {
	if fix, ok, err := titleOnly(pass, file, title); ok {
		return fix, err
	}
	f, err := Decorate(pass, file)
	if err != nil {
		return analysis.SuggestedFix{}, err
	}
	return finish(f, title, rewrite)
}

// reportOnly holds the packages whose fixes only need a title: deferfix without -d, -l or
// -w reports findings and whether they can be fixed, and decorating and printing every
// fix would cost it more than loading the packages. Keyed by package, so concurrent runs
// in one process do not interfere.
var reportOnly sync.Map // *types.Package → bool

// ReportOnly marks pkg's fixes as needed by title only, until the returned func is called.
func ReportOnly(pkg *types.Package) (done func()) {
	reportOnly.Store(pkg, true)
	return func() { reportOnly.Delete(pkg) }
}

// titleOnly returns a fix without edits when the pass's package is report-only. The
// cheap reasons a fix cannot be made (the file is not gofmt-clean) are still checked.
func titleOnly(pass *analysis.Pass, file *ast.File, title string) (analysis.SuggestedFix, bool, error) {
	if _, ok := reportOnly.Load(pass.Pkg); !ok {
		return analysis.SuggestedFix{}, false, nil
	}
	tok := pass.Fset.File(file.FileStart)
	src, err := readFile(pass, tok.Name())
	if err != nil {
		return analysis.SuggestedFix{}, true, err
	}
	if !gofmtClean(tok, src) {
		return analysis.SuggestedFix{}, true, fmt.Errorf("the file is not gofmt-formatted; run gofmt first, then deferfix can fix it without touching other lines")
	}
	return analysis.SuggestedFix{Message: title}, true, nil
}

func finish(f *File, title string, rewrite func(*File) error) (analysis.SuggestedFix, error) {
	if err := rewrite(f); err != nil {
		return analysis.SuggestedFix{}, err
	}
	edits, err := f.Edits()
	if err != nil {
		return analysis.SuggestedFix{}, err
	}
	if len(edits) == 0 {
		return analysis.SuggestedFix{}, fmt.Errorf("rewrite changed nothing")
	}
	return analysis.SuggestedFix{Message: title, TextEdits: edits}, nil
}
