// Package deferutil holds the questions every defer rule asks of syntax and types: which
// function a defer belongs to, which function a call calls, which loops surround a node,
// and which names are free to introduce.
package deferutil

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Imports reports whether pkg imports path directly; rules use it to bail out early.
func Imports(pkg *types.Package, path string) bool {
	return slices.ContainsFunc(pkg.Imports(), func(p *types.Package) bool { return p.Path() == path })
}

// Func returns the nearest enclosing function (FuncDecl or FuncLit) of cur: the function
// whose exit runs a defer at cur.
func Func(cur inspector.Cursor) (inspector.Cursor, bool) {
	for c := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		if c != cur {
			return c, true
		}
	}
	return inspector.Cursor{}, false
}

// FuncParts returns the type and body of a FuncDecl or FuncLit.
func FuncParts(n ast.Node) (*ast.FuncType, *ast.BlockStmt) {
	switch n := n.(type) {
	case *ast.FuncDecl:
		return n.Type, n.Body
	case *ast.FuncLit:
		return n.Type, n.Body
	}
	return nil, nil
}

// Loops returns the loops (for and range statements) between cur and fn, innermost first.
func Loops(cur, fn inspector.Cursor) []inspector.Cursor {
	var loops []inspector.Cursor
	for c := range cur.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		if c == fn {
			break
		}
		if c == cur {
			continue
		}
		switch c.Node().(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			loops = append(loops, c)
		}
	}
	return loops
}

// IsFunc reports whether obj is the package-level function pkg.name for one of names.
func IsFunc(obj types.Object, pkg string, names ...string) bool {
	fn, ok := obj.(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != pkg || fn.Signature().Recv() != nil {
		return false
	}
	return slices.Contains(names, fn.Name())
}

// IsMethod reports whether obj is a method named one of names declared on the named type
// pkg.typ (or a pointer to it).
func IsMethod(obj types.Object, pkg, typ string, names ...string) bool {
	fn, ok := obj.(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != pkg || !slices.Contains(names, fn.Name()) {
		return false
	}
	recv := fn.Signature().Recv()
	if recv == nil {
		return false
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Name() == typ
}

// Callee returns the function or method a call statically calls, or nil.
func Callee(info *types.Info, call *ast.CallExpr) types.Object {
	return typeutil.Callee(info, call)
}

// IsBuiltin reports whether call calls the predeclared function name.
func IsBuiltin(info *types.Info, call *ast.CallExpr, name string) bool {
	b, ok := typeutil.Callee(info, call).(*types.Builtin)
	return ok && b.Name() == name
}

// Names collects a function's identifiers, for choosing fresh names that neither clash
// with nor shadow anything the function refers to.
type Names struct {
	info  *types.Info
	used  map[string]bool
	scope *types.Scope
	pos   token.Pos
}

// NewNames records every identifier under node; new names are checked against scope at pos
// as well, so they shadow nothing visible there.
func NewNames(info *types.Info, node ast.Node, scope *types.Scope, pos token.Pos) *Names {
	n := &Names{info: info, used: make(map[string]bool), scope: scope, pos: pos}
	var visit func(x ast.Node) bool
	visit = func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(x.X, visit) // x.Sel, a field or method, is never shadowed
			return false
		case *ast.Ident:
			n.used[x.Name] = true
		}
		return true
	}
	ast.Inspect(node, visit)
	return n
}

// Fresh returns base, or base followed by the smallest number that makes it free, and
// reserves it.
func (n *Names) Fresh(base string) string {
	name := base
	for i := 2; n.taken(name); i++ {
		name = base + strconv.Itoa(i)
	}
	n.used[name] = true
	return name
}

func (n *Names) taken(name string) bool {
	if n.used[name] || token.IsKeyword(name) {
		return true
	}
	if n.scope != nil {
		if _, obj := n.scope.LookupParent(name, n.pos); obj != nil {
			return true
		}
	}
	return false
}

// Reserve marks name as taken: another fix in the same function declares it.
func (n *Names) Reserve(name string) { n.used[name] = true }

// Used reports whether the function uses the identifier name anywhere.
func (n *Names) Used(name string) bool { return n.used[name] }

// Keyword is the range of a defer statement's keyword, which diagnostics highlight.
type Keyword struct{ Defer *ast.DeferStmt }

func (k Keyword) Pos() token.Pos { return k.Defer.Defer }
func (k Keyword) End() token.Pos { return k.Defer.Defer + token.Pos(len("defer")) }

// File returns the file that holds cur.
func File(cur inspector.Cursor) *ast.File {
	for c := range cur.Enclosing((*ast.File)(nil)) {
		return c.Node().(*ast.File)
	}
	return nil
}

// DeclAt returns the top-level declaration of f whose extent, ends included, holds pos,
// or nil. Declarations do not overlap and come in source order, so it is a binary
// search: the rules ask once per finding, and a scan of every declaration for each made
// a file of many findings cost their number times its length.
func DeclAt(f *ast.File, pos token.Pos) ast.Decl {
	i := sort.Search(len(f.Decls), func(i int) bool { return f.Decls[i].End() >= pos })
	if i < len(f.Decls) && f.Decls[i].Pos() <= pos {
		return f.Decls[i]
	}
	return nil
}

// Innermost returns pkg.Scope().Innermost(pos), starting from the scope of fn, the
// *ast.FuncDecl or *ast.FuncLit that holds pos. Scopes nest, and siblings do not overlap,
// so the search from any scope holding pos ends where the search from the package does;
// but the package's own tries every function of the file in turn, which made a file of
// many findings cost their number times its length.
func Innermost(pkg *types.Package, info *types.Info, fn ast.Node, pos token.Pos) *types.Scope {
	var ft *ast.FuncType
	switch fn := fn.(type) {
	case *ast.FuncDecl:
		ft = fn.Type
	case *ast.FuncLit:
		ft = fn.Type
	}
	if ft != nil {
		if s := info.Scopes[ft]; s != nil && s.Contains(pos) {
			return s.Innermost(pos)
		}
	}
	return pkg.Scope().Innermost(pos)
}

// IsError reports whether t is the predeclared error type.
func IsError(t types.Type) bool { return types.Identical(t, types.Universe.Lookup("error").Type()) }

// LoopVars returns the variables a for or range statement declares with :=, which each
// iteration has its own copy of from Go 1.22 on.
func LoopVars(info *types.Info, loop ast.Node) []*types.Var {
	var out []*types.Var
	add := func(e ast.Expr) {
		if id, ok := e.(*ast.Ident); ok {
			if v, ok := info.Defs[id].(*types.Var); ok {
				out = append(out, v)
			}
		}
	}
	switch l := loop.(type) {
	case *ast.ForStmt:
		if as, ok := l.Init.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
			for _, e := range as.Lhs {
				add(e)
			}
		}
	case *ast.RangeStmt:
		if l.Tok == token.DEFINE {
			if l.Key != nil {
				add(l.Key)
			}
			if l.Value != nil {
				add(l.Value)
			}
		}
	}
	return out
}

// IsNotNil reports whether cond is v != nil (or nil != v).
func IsNotNil(info *types.Info, cond ast.Expr, v *types.Var) bool {
	b, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok || b.Op != token.NEQ {
		return false
	}
	x, y := ast.Unparen(b.X), ast.Unparen(b.Y)
	if id, ok := y.(*ast.Ident); ok && info.Uses[id] == v {
		x, y = y, x
	}
	id, ok := x.(*ast.Ident)
	nilID, ok2 := y.(*ast.Ident)
	if !ok || !ok2 {
		return false
	}
	_, isNil := info.Uses[nilID].(*types.Nil)
	return isNil && info.Uses[id] == v
}

// StmtList returns the statements n holds in sequence — a block's list, a case or
// comm clause's body — and whether n is such a node.
func StmtList(n ast.Node) ([]ast.Stmt, bool) {
	switch n := n.(type) {
	case *ast.BlockStmt:
		return n.List, true
	case *ast.CaseClause:
		return n.Body, true
	case *ast.CommClause:
		return n.Body, true
	}
	return nil, false
}

// Terminating reports whether control never flows past s, following the spec's
// "Terminating statements"; the branch and expression statements in exits (those a
// rewrite turns into returns) count as terminating too.
func Terminating(info *types.Info, s ast.Stmt, exits map[ast.Stmt]bool) bool {
	return terminating(info, s, exits, "")
}

// terminating is Terminating for a statement with the given label ("" if none).
func terminating(info *types.Info, s ast.Stmt, exits map[ast.Stmt]bool, label string) bool {
	switch s := s.(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.BranchStmt:
		return s.Tok == token.GOTO || exits[s]
	case *ast.ExprStmt:
		call, ok := ast.Unparen(s.X).(*ast.CallExpr)
		return exits[s] || (ok && IsBuiltin(info, call, "panic"))
	case *ast.BlockStmt:
		return len(s.List) > 0 && terminating(info, s.List[len(s.List)-1], exits, "")
	case *ast.IfStmt:
		return s.Else != nil && terminating(info, s.Body, exits, "") && terminating(info, s.Else, exits, "")
	case *ast.LabeledStmt:
		return terminating(info, s.Stmt, exits, s.Label.Name)
	case *ast.ForStmt:
		return s.Cond == nil && !hasBreak(label, s.Body)
	case *ast.SwitchStmt:
		return clausesTerminate(info, label, s.Body, exits, false)
	case *ast.TypeSwitchStmt:
		return clausesTerminate(info, label, s.Body, exits, false)
	case *ast.SelectStmt:
		return clausesTerminate(info, label, s.Body, exits, true)
	}
	return false
}

// clausesTerminate reports whether a switch or select ends every clause in a terminating
// statement and no break leaves it. A switch needs a default; a select does not, and
// select {} terminates.
func clausesTerminate(info *types.Info, label string, body *ast.BlockStmt, exits map[ast.Stmt]bool, isSelect bool) bool {
	hasDefault := isSelect
	for _, c := range body.List {
		var list []ast.Stmt
		switch c := c.(type) {
		case *ast.CaseClause:
			list, hasDefault = c.Body, hasDefault || c.List == nil
		case *ast.CommClause:
			list, hasDefault = c.Body, true // select needs no default
		}
		if len(list) == 0 {
			return false
		}
		last := list[len(list)-1]
		if b, ok := last.(*ast.BranchStmt); ok && b.Tok == token.FALLTHROUGH {
			continue
		}
		if !terminating(info, last, exits, "") {
			return false
		}
	}
	return hasDefault && !hasBreak(label, body)
}

// hasBreak reports whether body holds a break that targets its statement: unlabeled and
// not inside a nested breakable statement, or naming label. Labels are compared by name,
// which is exact within one function.
func hasBreak(label string, body *ast.BlockStmt) bool {
	found := false
	var walk func(n ast.Node, nested bool)
	walk = func(root ast.Node, nested bool) {
		ast.Inspect(root, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				if n != root {
					walk(n, true)
					return false
				}
			case *ast.BranchStmt:
				if n.Tok == token.BREAK && (n.Label == nil && !nested || n.Label != nil && n.Label.Name == label) {
					found = true
				}
			}
			return !found
		})
	}
	walk(body, false)
	return found
}

// A rewrite writes names that it does not declare: predeclared identifiers (true, false,
// nil, error, bool, int, new) and names of the package's scope (exitdefer's run). Each must
// mean, at the insertion point and in every build configuration, what the rewrite means
// by it. The type checker sees one configuration: files excluded by build constraints
// (pass.IgnoredFiles: a func run in a _windows.go file, a const true in a file behind a
// tag) are parsed here for their package-level names, which another configuration puts
// in the package scope.

// Predeclared returns an error when one of names may not denote the predeclared
// identifier inside fn (a FuncDecl or FuncLit) — declared anywhere in fn, visible from
// its position in the package or file scope, or declared at package level in a file
// another build configuration compiles — and nil when every one does.
func Predeclared(pass *analysis.Pass, fn ast.Node, names ...string) error {
	info := pass.TypesInfo
	for _, name := range names {
		universe := types.Universe.Lookup(name)
		if universe == nil {
			return fmt.Errorf("%s is not a predeclared identifier", name)
		}
		declared := false
		ast.Inspect(fn, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.Name == name && info.Defs[id] != nil {
				declared = true
			}
			return !declared
		})
		if !declared {
			if s := Innermost(pass.Pkg, info, fn, fn.Pos()); s != nil {
				_, obj := s.LookupParent(name, fn.Pos())
				declared = obj != universe
			}
		}
		if declared || PackageDecl(pass, name) {
			return fmt.Errorf("the rewrite would write %s, which this package or function declares for itself", name)
		}
	}
	return nil
}

// PackageLevel reports whether name is declared in the package scope, or imported under
// that name by one of the package's files, in any build configuration: the package's
// files and those that build constraints exclude.
func PackageLevel(pass *analysis.Pass, name string) bool {
	if pass.Pkg.Scope().Lookup(name) != nil {
		return true
	}
	for _, f := range pass.Files {
		for _, imp := range f.Imports {
			if importName(imp) == name {
				return true
			}
		}
	}
	ig := ignoredNames(pass)
	return ig.decls[name] || ig.imports[name]
}

// PackageDecl reports whether name is declared in the package scope in any build
// configuration (imports, which are file-scoped, aside): a file may then not import a
// package under that name.
func PackageDecl(pass *analysis.Pass, name string) bool {
	return pass.Pkg.Scope().Lookup(name) != nil || ignoredNames(pass).decls[name]
}

// importName returns the name an import declares in its file: its explicit name, or
// (without type information) the last element of its path.
func importName(imp *ast.ImportSpec) string {
	if imp.Name != nil {
		return imp.Name.Name
	}
	path, err := strconv.Unquote(imp.Path.Value)
	if err != nil {
		return ""
	}
	return path[strings.LastIndex(path, "/")+1:]
}

// ignoredCache holds, per excluded file, what it declares at package level, with the
// size and modification time it was parsed at: a package may exclude dozens of files
// (one per GOOS), asked about by every fix, and analyses of the same package come and go
// (rounds, an editor's sessions), so the cache is per file, not per *types.Package.
var ignoredCache sync.Map // file name → *ignoredFile

type ignoredFile struct {
	size    int64
	mod     int64
	pkg     string
	decls   []string
	imports []string
	funcs   []string // functions, and methods as "T.M"
}

type ignored struct{ decls, imports map[string]bool }

// ignoredNames returns the package-level names (and import names) declared by the files
// of pass.IgnoredFiles that belong to the package (same package clause). A file that
// cannot be read or parsed declares nothing the package could compile with.
func ignoredNames(pass *analysis.Pass) *ignored {
	ig := &ignored{make(map[string]bool), make(map[string]bool)}
	for _, name := range pass.IgnoredFiles {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		f := parseIgnored(pass, name)
		if f == nil || f.pkg != pass.Pkg.Name() {
			continue
		}
		for _, n := range f.decls {
			ig.decls[n] = true
		}
		for _, n := range f.imports {
			ig.imports[n] = true
		}
	}
	return ig
}

func parseIgnored(pass *analysis.Pass, name string) *ignoredFile {
	st, err := os.Stat(name)
	if err != nil {
		return nil
	}
	if v, ok := ignoredCache.Load(name); ok {
		if f := v.(*ignoredFile); f.size == st.Size() && f.mod == st.ModTime().UnixNano() {
			return f
		}
	}
	var src []byte
	if pass.ReadFile != nil {
		src, err = pass.ReadFile(name)
	} else {
		src, err = os.ReadFile(name)
	}
	if err != nil {
		return nil
	}
	af, err := parser.ParseFile(token.NewFileSet(), name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	f := &ignoredFile{size: st.Size(), mod: st.ModTime().UnixNano(), pkg: af.Name.Name}
	for _, imp := range af.Imports {
		f.imports = append(f.imports, importName(imp))
	}
	for _, d := range af.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				f.decls = append(f.decls, d.Name.Name)
				f.funcs = append(f.funcs, d.Name.Name)
			} else if t := recvTypeName(d.Recv); t != "" {
				f.funcs = append(f.funcs, t+"."+d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.ValueSpec:
					for _, n := range s.Names {
						f.decls = append(f.decls, n.Name)
					}
				case *ast.TypeSpec:
					f.decls = append(f.decls, s.Name.Name)
				}
			}
		}
	}
	ignoredCache.Store(name, f)
	return f
}

// recvTypeName returns the name of a method's receiver base type, without pointer or
// type parameters.
func recvTypeName(recv *ast.FieldList) string {
	if len(recv.List) != 1 {
		return ""
	}
	t := recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// Variants returns a function that reports whether fn, a function or method of pass's
// package, is also declared in a file that build constraints exclude: another build
// configuration compiles that body instead of the one the type checker saw, so what is
// proven from fn's body (it does not recover, it returns nil with every error) holds for
// this configuration only. The excluded files are read once, when Variants is called.
func Variants(pass *analysis.Pass) func(fn *types.Func) bool {
	names := make(map[string]bool)
	for _, file := range pass.IgnoredFiles {
		if !strings.HasSuffix(file, ".go") {
			continue
		}
		if f := parseIgnored(pass, file); f != nil && f.pkg == pass.Pkg.Name() {
			for _, n := range f.funcs {
				names[n] = true
			}
		}
	}
	return func(fn *types.Func) bool {
		if fn.Pkg() != pass.Pkg || len(names) == 0 {
			return false
		}
		name := fn.Name()
		if recv := fn.Signature().Recv(); recv != nil {
			t := recv.Type()
			if p, ok := t.(*types.Pointer); ok {
				t = p.Elem()
			}
			named, ok := t.(*types.Named)
			if !ok {
				return true // an unusual receiver: another body may exist
			}
			name = named.Obj().Name() + "." + name
		}
		return names[name]
	}
}

// TypeSpelledAt returns an error unless the type expression src, written at pos, denotes
// t there — in this build configuration by evaluating it in the scope at pos (a local
// type, variable or package name declared before pos counts), in the others by checking
// that no predeclared name it uses is declared at package level by an excluded file.
func TypeSpelledAt(pass *analysis.Pass, pos token.Pos, src string, t types.Type) error {
	tv, err := types.Eval(pass.Fset, pass.Pkg, pos, src)
	if err != nil || !tv.IsType() || !types.Identical(tv.Type, t) {
		return fmt.Errorf("the type %s, written here, would not denote %s", src, types.TypeString(t, nil))
	}
	expr, err := parser.ParseExpr(src)
	if err != nil {
		return fmt.Errorf("the type %s does not parse: %w", src, err)
	}
	var bad string
	ig := ignoredNames(pass)
	ast.Inspect(expr, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && bad == "" && types.Universe.Lookup(id.Name) != nil && ig.decls[id.Name] {
			bad = id.Name
		}
		return bad == ""
	})
	if bad != "" {
		return fmt.Errorf("the type %s uses %s, which another build configuration of this package declares", src, bad)
	}
	return nil
}

// Universal reports whether name, written at pos in scope, denotes the predeclared
// object in every build configuration.
func Universal(pass *analysis.Pass, scope *types.Scope, pos token.Pos, name string) bool {
	u := types.Universe.Lookup(name)
	if u == nil || ignoredNames(pass).decls[name] {
		return false
	}
	if scope == nil {
		scope = pass.Pkg.Scope().Innermost(pos)
	}
	if scope == nil {
		return false
	}
	_, obj := scope.LookupParent(name, pos)
	return obj == u
}
