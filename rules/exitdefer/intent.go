package exitdefer

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/deferfix/deferfix/rules/internal/deferutil"
)

// Intended exits. What a skipped call loses is graded (grade in lasting.go): data, a
// profile, litter. Whether the loss matters depends on how the program ends, and where:
//
//   - A success exit (os.Exit(0), os.Exit with a status computed at run time, which may be
//     0) that skips any lasting call is a finding: the run looks fine and is not.
//   - Data lost (an unflushed writer, an unfinished stream, an unsynced file, an
//     uncommitted transaction) is a finding at any exit: the output of a failing run is
//     what a person looks at to see why it failed.
//   - Litter — a temporary file or directory left on disk because a deferred os.Remove or
//     os.RemoveAll was skipped — left by a failure exit (log.Fatal*, os.Exit with a
//     non-zero constant, a function that always ends in one) of test code (a _test.go
//     file: tests, examples, TestMain) looks intended. go test builds that code only for
//     the run that fails; it fails loudly, on a developer's machine or in CI, and the
//     file is left in a temporary directory nothing else reads: nothing is lost, and
//     nobody rewrites an example's error path for it. The same litter left by a program
//     users run, or by a test run that passes (os.Exit(m.Run()) in TestMain skipping
//     its os.RemoveAll), stays a finding.
//   - A profile or trace left incomplete by a failure exit that reports a failure of the
//     profiling setup itself (the exit is in a block that starts or writes a profile or
//     trace: os.Create(*memprofile) failing after the CPU profile started) looks
//     intended: the profile covers only the program's start, before any of its work, and
//     the exit says why. A failure exit after the setup, in the program's work, loses the
//     profile of the run that failed, and stays a finding.

// failure reports whether call ends the program with a failure status: a log Fatal
// (status 1), os.Exit with a non-zero constant, or a function that always ends in one
// (noReturn.Failure, of this package or through its fact).
func failure(pass *analysis.Pass, noret map[*types.Func]*noReturn, call *ast.CallExpr) bool {
	info := pass.TypesInfo
	obj := deferutil.Callee(info, call)
	switch {
	case deferutil.IsFunc(obj, "os", "Exit"):
		if len(call.Args) != 1 {
			return false
		}
		tv, ok := info.Types[call.Args[0]]
		if !ok || tv.Value == nil || tv.Value.Kind() != constant.Int {
			return false // a status computed at run time may be 0
		}
		v, exact := constant.Int64Val(tv.Value)
		return !exact || v != 0
	case deferutil.IsFunc(obj, "log", "Fatal", "Fatalf", "Fatalln"),
		deferutil.IsMethod(obj, "log", "Logger", "Fatal", "Fatalf", "Fatalln"):
		return true
	}
	fn, ok := obj.(*types.Func)
	if !ok {
		return false
	}
	if nr := noret[fn]; nr != nil {
		return nr.Failure
	}
	var nr noReturn
	return fn.Pkg() != pass.Pkg && pass.ImportObjectFact(fn, &nr) && nr.Failure
}

// excused returns why skipping d, whose loss is l, at exit (failed: with a failure
// status) in the function at cur looks intended, or "" when it does not.
func excused(pass *analysis.Pass, local *lazyLasting, cur inspector.Cursor, exit *ast.ExprStmt, failed bool, d *ast.DeferStmt, l loss) string {
	if !failed {
		return ""
	}
	line := pass.Fset.Position(d.Pos()).Line
	switch grade(l) {
	case gradeLitter:
		if inTestFile(pass, exit.Pos()) {
			return sprintf("a failing test or example exits leaving a file or directory on disk (the deferred %s, line %d): litter of a run that already failed, and no data is lost", deferredName(d.Call), line)
		}
	case gradeProfile:
		if at := profilingSetup(pass, local, cur, exit); at != nil {
			return sprintf("the exit reports a failure of the profiling setup itself (%s, line %d): the profile the deferred %s (line %d) leaves incomplete covers only the program's start", deferredName(at), pass.Fset.Position(at.Pos()).Line, deferredName(d.Call), line)
		}
	}
	return ""
}

// inTestFile reports whether pos is in a _test.go file: code go test builds, and only it.
func inTestFile(pass *analysis.Pass, pos token.Pos) bool {
	f := pass.Fset.File(pos)
	return f != nil && strings.HasSuffix(f.Name(), "_test.go")
}

// profilingSetup returns a call that starts or writes a profile or trace (pprof.
// StartCPUProfile, trace.Start, or a call whose skipped effect is an incomplete profile:
// pprof.WriteHeapProfile, a helper that calls it) in the block that holds exit or in the
// block around that one — not the function's body, which holds the program's work as
// well — or nil. The exit then reports a failure of that setup (if err != nil {
// log.Fatal(err) } after os.Create(*memprofile), or around trace.Start). Blocks further
// out may hold the work the profile is for.
func profilingSetup(pass *analysis.Pass, local *lazyLasting, cur inspector.Cursor, exit *ast.ExprStmt) *ast.CallExpr {
	_, body := deferutil.FuncParts(cur.Node())
	c, ok := cur.FindNode(exit)
	if !ok {
		return nil
	}
	blocks := 0
	for c = c.Parent(); blocks < 2 && c.Node() != cur.Node() && c.Node() != body; c = c.Parent() {
		block, ok := c.Node().(*ast.BlockStmt)
		if !ok {
			continue
		}
		blocks++
		var found *ast.CallExpr
		ast.Inspect(block, func(n ast.Node) bool {
			if _, ok := n.(*ast.FuncLit); ok || found != nil {
				return false
			}
			if call, ok := n.(*ast.CallExpr); ok {
				obj := deferutil.Callee(pass.TypesInfo, call)
				if deferutil.IsFunc(obj, "runtime/pprof", "StartCPUProfile") || deferutil.IsFunc(obj, "runtime/trace", "Start") ||
					grade(local.callLoss(body, call)) == gradeProfile {
					found = call
				}
			}
			return found == nil
		})
		if found != nil {
			return found
		}
	}
	return nil
}
