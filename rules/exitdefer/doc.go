// Package exitdefer defines an Analyzer that reports calls that end the program while a
// deferred call whose effect outlives the program is pending: it never runs.
//
// # Analyzer exitdefer
//
// exitdefer: report os.Exit and log.Fatal that skip a deferred flush, commit or cleanup
//
// os.Exit ends the program at once; deferred calls do not run. log.Fatal, Fatalf and
// Fatalln (and the *log.Logger methods) call os.Exit. Most deferred calls are moot then —
// the kernel closes files and connections and releases locks, so a skipped Close,
// cancel(), Unlock, wg.Done or Rollback loses nothing — but some are not:
//
//	func main() {
//		w := bufio.NewWriter(os.Stdout)
//		defer w.Flush()
//		if err := write(w); err != nil {
//			log.Fatal(err) // the buffered output is never written
//		}
//	}
//
// Reported: a call to os.Exit, a log Fatal function or method, or a function that always
// ends in one (it has no return and its last statement is such a call: known in its own
// package, and in importing packages through an analysis fact where the driver carries
// facts, as go vet does), at a point the control-flow graph reaches after a defer
// statement of the same function whose call has an effect that outlives the process,
// once per function (at the first such exit). Such calls, by callee identity: Flush of a
// bufio.Writer or csv.Writer, any other concrete Flush() error method, and another
// package's Flush() function such as glog.Flush (buffered output is lost); Close or Flush
// of the gzip, zlib, flate and lzw writers, zip.Writer and tar.Writer (the stream or
// archive is left unfinished); any concrete Sync() error
// method, an *os.File's or a logger's (data never made durable); os.Remove and
// os.RemoveAll (a temporary file or directory is left on disk) and os.Rename;
// pprof.StopCPUProfile, pprof.WriteHeapProfile, (*pprof.Profile).WriteTo and trace.Stop
// (the profile or trace is incomplete); (*sql.Tx).Commit. A function or method whose body
// makes such a call counts too (in its package, and through an analysis fact in packages
// that import it), as does a deferred function literal that makes one, and a method
// called through an interface when the function assigns the receiver a concrete value
// whose method counts. Close of an *os.File, even one written to, is not reported: its
// writes already reached the kernel, which closes the descriptor at exit.
// log.Panic is not reported: a panic runs deferred calls.
//
// What a skipped call loses is graded — data (output, streams, syncs, renames, commits),
// a profile or trace, litter (a file or directory left on disk) — and weighed against
// the exit. A success exit (os.Exit(0), or a status computed at run time, which may be 0)
// that skips any of them is reported, and so is data lost at any exit: the output of a
// failing run is what a person reads to see why. Two findings look intended and are not
// reported unless asked (deferfix -all; -v lists them with the reason; go vet
// -exitdefer.all, or the analyzer flag -all for other drivers):
//
//   - litter left by a failure exit (log.Fatal*, os.Exit with a non-zero constant, a
//     function that always ends in one) in a _test.go file: a failing test or example
//     leaves its temporary file in a temporary directory, on a developer's machine or in
//     CI, for a run that already failed loudly; nothing is lost, and nobody rewrites an
//     example's error path for it. In code users run, and when TestMain's
//     os.Exit(m.Run()) skips a removal on every run, passing ones too, it stays a
//     finding;
//   - a profile or trace left incomplete by a failure exit in a block that starts or
//     writes a profile (os.Create(*memprofile) failing after the CPU profile started):
//     the failure of the profiling setup itself, reported by the exit, leaves a profile
//     of the program's start only. A failure after the setup, in the program's work,
//     loses the profile of the run that failed, and stays a finding.
//
// The fix, for func main only, moves main's body into func run() int, turns each os.Exit(c)
// into return c and each log.Fatal(...) into log.Print(...) followed by return 1, and makes
// main call os.Exit(run()): the deferred calls now run before the program exits with the
// same status. The example above becomes
//
//	func main() {
//		os.Exit(run())
//	}
//
//	// run is the body of main. It returns the exit status, so that deferred
//	// calls run before main exits with it.
//	func run() int {
//		w := bufio.NewWriter(os.Stdout)
//		defer w.Flush()
//		if err := write(w); err != nil {
//			log.Print(err)
//			return 1
//		}
//		return 0
//	}
//
// An exit followed by a return hands its status to that return (no
// unreachable code is left). Exits inside function literals in main stay as they are.
// No fix is offered when a deferred call of main may itself exit or wait for another
// goroutine (in run it would run before main's exit and replace the status, or hang: a
// channel operation, wg.Wait, a mutex Lock; a mutex Unlock, which throws a fatal error
// when the lock is not held; a call whose code cannot be read — a
// function value, an interface method, a function of another package outside the
// standard library — may), when a deferred call uses a value taken with an error not
// yet checked at the defer, or its function or pointer receiver may still be nil there
// (the exit skipped a call on what may be nil; run would make it, and its panic would
// replace the status), when Print does not
// resolve to the log package's own (a wrapper type embedding *log.Logger with a Print of
// its own), or when other statements follow an exit. Elsewhere the finding is reported
// without a fix: return an error and exit in main.
package exitdefer
