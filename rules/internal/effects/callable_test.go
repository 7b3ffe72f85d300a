package effects

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStdCallableResults checks the argument behind stdCallableResults against this Go
// installation: each listed function exists and returns a function, and in its package no
// function literal or declared function calls recover directly, so whatever function it
// returns (a literal or a method value of that package) cannot stop a panic when deferred.
func TestStdCallableResults(t *testing.T) {
	byPkg := make(map[string][]string)
	for key := range stdCallableResults {
		i := strings.LastIndex(key, ".")
		byPkg[key[:i]] = append(byPkg[key[:i]], key[i+1:])
	}
	for path, names := range byPkg {
		out, err := exec.Command("go", "list", "-f", "{{.Dir}}", path).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", path, err)
		}
		dir := strings.TrimSpace(string(out))
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		fset := token.NewFileSet()
		returnsFunc := make(map[string]bool)
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				var body *ast.BlockStmt
				switch n := n.(type) {
				case *ast.FuncDecl:
					body = n.Body
					if n.Recv == nil && n.Type.Results != nil {
						for _, r := range n.Type.Results.List {
							if _, ok := r.Type.(*ast.FuncType); ok || strings.HasSuffix(typeName(r.Type), "Func") {
								returnsFunc[n.Name.Name] = true // func() bool, CancelFunc
							}
						}
					}
				case *ast.FuncLit:
					body = n.Body
				}
				if body != nil && callsRecoverSyntax(body) {
					t.Errorf("%s: a function of %s calls recover directly: remove the package's entries from stdCallableResults", fset.Position(n.Pos()), path)
				}
				return true
			})
		}
		for _, name := range names {
			if !returnsFunc[name] {
				t.Errorf("%s.%s: no such function returning a function in %s", path, name, dir)
			}
		}
	}
}

// typeName spells a result type's name: CancelFunc, context.CancelFunc.
func typeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}
