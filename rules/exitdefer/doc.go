// Package exitdefer defines an Analyzer that reports calls that end the program while
// deferred calls are pending: those deferred calls never run.
//
// # Analyzer exitdefer
//
// exitdefer: report os.Exit and log.Fatal reached with defers pending
//
// os.Exit ends the program at once; deferred calls do not run. log.Fatal, Fatalf and
// Fatalln (and the *log.Logger methods) call os.Exit. So
//
//	func main() {
//		f, err := os.Create("out")
//		...
//		defer f.Close()
//		if err := write(f); err != nil {
//			log.Fatal(err) // f is never closed: buffered data is lost
//		}
//	}
//
// Reported: a call to os.Exit, a log Fatal function or method, or a function that always
// ends in one (it has no return and its last statement is such a call: known in its own
// package, and in importing packages through an analysis fact where the driver carries
// facts, as go vet does), at a point the control-flow graph reaches after a defer
// statement of the same function, once per function (at the first such exit).
// log.Panic is not reported: a panic runs deferred calls.
//
// The fix, for func main only, moves main's body into func run() int, turns each os.Exit(c)
// into return c and each log.Fatal(...) into log.Print(...) followed by return 1, and makes
// main call os.Exit(run()): the deferred calls now run before the program exits with the
// same status. An exit followed by a return hands its status to that return (no
// unreachable code is left). Exits inside function literals in main stay as they are.
// No fix is offered when a deferred call of main may itself exit (in run it would run
// before main's exit and replace the status), when Print does not resolve to the log
// package's own (a wrapper type embedding *log.Logger with a Print of its own), or when
// other statements follow an exit. Elsewhere the finding is reported without a fix:
// return an error and exit in main.
package exitdefer
