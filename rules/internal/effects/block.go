package effects

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"
)

// MayBlock returns what in n (function literals included) may wait for another
// goroutine, and so may never return when nothing else runs: a channel send or receive,
// a select without a default case, a range over a channel, or a call of a standard
// library function that waits (stdWaits). A fix that makes code run which did not run
// before — exitdefer's run(), where main's deferred calls now run before the exit — must
// not add a wait: a deferred wg.Wait that os.Exit skipped would hang on a worker that
// never ends (programs/exitdefer_blocks). Calls of other functions are not followed:
// the caller asks about their bodies itself, or counts them as unseen.
func MayBlock(info *types.Info, n ast.Node) ast.Node {
	var found ast.Node
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SendStmt:
			found = n
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				found = n
			}
		case *ast.SelectStmt:
			hasDefault := false
			for _, c := range n.Body.List {
				if cc, ok := c.(*ast.CommClause); ok && cc.Comm == nil {
					hasDefault = true
				}
			}
			if !hasDefault {
				found = n
			}
		case *ast.RangeStmt:
			if _, ok := under(info.TypeOf(n.X)).(*types.Chan); ok {
				found = n
			}
		case *ast.CallExpr:
			if stdCallee(info, n, stdWaits) {
				found = n
			}
		}
		return found == nil
	})
	return found
}

// stdCallee reports whether call statically calls a function of table (by
// types.Func.FullName).
func stdCallee(info *types.Info, call *ast.CallExpr, table map[string]bool) bool {
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	return ok && table[fn.Origin().FullName()]
}

// stdWaits lists standard library functions (types.Func.FullName) that wait for another
// goroutine or process.
var stdWaits = map[string]bool{
	"(*sync.WaitGroup).Wait":            true,
	"(*sync.Mutex).Lock":                true,
	"(*sync.RWMutex).Lock":              true,
	"(*sync.RWMutex).RLock":             true,
	"(*sync.Cond).Wait":                 true,
	"(*os/exec.Cmd).Wait":               true,
	"(*os/exec.Cmd).Run":                true,
	"(*os.Process).Wait":                true,
	"(*net/http.Server).Shutdown":       true,
	"(*net/http.Server).ListenAndServe": true,
	"(*net/http.Server).Serve":          true,
	"(*net/http/httptest.Server).Close": true,
}

// MayThrow returns a call in n (function literals included) of a standard library
// function that may end the program with a fatal error no recover stops (stdThrows), or
// nil. A fix that makes code run which did not run before must treat it as an exit: a
// deferred mu.Unlock that os.Exit skipped throws "unlock of unlocked mutex" when the lock
// is not held, and exits with status 2 (programs/exitdefer-unlock). Whether the lock is
// held is not proven.
func MayThrow(info *types.Info, n ast.Node) ast.Node {
	var found ast.Node
	ast.Inspect(n, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && stdCallee(info, call, stdThrows) {
			found = call
		}
		return found == nil
	})
	return found
}

// stdThrows lists standard library functions (types.Func.FullName) that throw a fatal
// error when misused.
var stdThrows = map[string]bool{
	"(*sync.Mutex).Unlock":    true,
	"(*sync.RWMutex).Unlock":  true,
	"(*sync.RWMutex).RUnlock": true,
}
