// Package loopdefer defines an Analyzer that reports defer statements in loop bodies and
// gives each iteration its own scope.
//
// # Analyzer loopdefer
//
// loopdefer: report defers in loops, which run only when the function returns
//
// A deferred call runs when the surrounding function returns, not when the loop
// iteration ends. In a loop, every iteration adds one: files and connections stay open
// until the function returns (descriptors pile up), a deferred Unlock after a Lock
// deadlocks on the second iteration, and each defer record is heap-allocated.
//
//	for _, name := range names {
//		f, err := os.Open(name)
//		if err != nil {
//			return err
//		}
//		defer f.Close() // runs only when the function returns
//		...
//	}
//
// The fix makes the iteration's deferred call run when the iteration ends. It takes the
// first of four forms that fits, in the order a person fixing the loop by hand would
// reach for them: an explicit call, a function literal around the body, a guard, and a
// literal that carries the body's exits out in flags.
//
// Explicit calls, where they are provably the same: the body has one defer and nothing
// after it can panic — a lock around arithmetic, map reads and assignments; the proof is
// package rules/internal/explicit's, shared with hotdefer, not this rule's. The deferred
// call moves before each continue, break and return that leaves the iteration (returned
// values held first when the call could change them, with their comments) and to the
// end of the body. The loop then costs what it costs without a defer.
//
//	for _, c := range counters {            for _, c := range counters {
//		c.mu.Lock()                             c.mu.Lock()
//		defer c.mu.Unlock()           ⇒         if c.n < 0 {
//		if c.n < 0 {                                c.mu.Unlock()
//			continue                                continue
//		}                                       }
//		total += c.n                            total += c.n
//	}                                           c.mu.Unlock()
//	                                        }
//
// Otherwise — something after the defer may panic (a call, an index, a type assertion),
// where an explicit call would be skipped: a lock left held for the code that recovers, a
// file left open when t.Fatal ends a test; or the body has several defers — the defers
// stay, and the body is wrapped in a function literal called once per iteration, the way Go
// programmers scope a defer to an iteration. The body is moved as written, comments in
// place; continue becomes return. When the body returns from the function and every
// return returns zero values and a provably non-nil error (err inside if err != nil counts only when
// nothing in that if can change err first: no assignment, and no call or channel
// operation when a closure captures err or its address is taken), the literal returns
// the error:
//
//	for _, name := range names {            for _, name := range names {
//		f, err := os.Open(name)                 if err := func() error {
//		if err != nil {                             f, err := os.Open(name)
//			return err                  ⇒           if err != nil {
//		}                                               return err
//		defer f.Close()                             }
//		if err := scan(f); err != nil {             defer f.Close()
//			return err                              if err := scan(f); err != nil {
//		}                                               return err
//	}                                               }
//	                                                return nil
//	                                            }(); err != nil {
//	                                                return err
//	                                            }
//	                                        }
//
// The literal costs a call per iteration (about 2–3 ns, see BenchmarkLoop): nothing
// next to the files and connections such bodies handle, but 1.5–2× a loop around a few
// arithmetic operations.
//
// When the body also breaks out of the loop, jumps to an outer label, or returns anything
// else (other values, or from a function without results), a literal would have to say how the iteration was left in results and act on
// them after the call. A guard reads better then: the explicit calls are written as
// above, the body's control flow stays as written, and one defer before the function's
// outermost loop makes the call if a panic left an iteration before it did. A flag named
// for what it says (locked, closePending) is set where the defer stood and cleared before
// each explicit call; the values the call uses that are declared in the loop are held in
// variables named for them (curF for f) — or, when the call's function or arguments may
// change before the exits, the values the defer statement evaluates, and then the calls
// at the exits use them too. A comment above the guard says why it is there. Several
// defers in the body get a flag each, and their calls come in reverse order, as deferred
// calls run.
//
//	for _, name := range names {            var (
//		f, err := os.Open(name)                 closePending bool
//		if err != nil {                         curF         *os.File
//			return "", err                  )
//		}                             ⇒     // Calls f.Close() if a panic leaves the loop before the iteration does.
//		defer f.Close()                     defer func() {
//		if line, ok := match(f); ok {           if closePending {
//			return line, nil                        curF.Close()
//		}                                       }
//	}                                       }()
//	                                        for _, name := range names {
//	                                            f, err := os.Open(name)
//	                                            if err != nil {
//	                                                return "", err
//	                                            }
//	                                            curF, closePending = f, true
//	                                            if line, ok := match(f); ok {
//	                                                closePending = false
//	                                                f.Close()
//	                                                return line, nil
//	                                            }
//	                                            closePending = false
//	                                            f.Close()
//	                                        }
//
// Last, where no guard fits — a defer inside one of the body's if or switch statements,
// a deferred function literal, a goto in the function, another defer in the loops
// around, a value whose type cannot be written before the loop — or where the deferred
// call must stay deferred — a Close or Flush that finishes a write and drops its error
// (so that closecheck can check it), a fix that is unsafe — the literal carries the
// exits out: break of the loop, break or continue of an outer label, and return from the
// function are signalled by the literal's results and carried out after the call;
// returned values are evaluated inside the literal, before the iteration's deferred
// calls run, as in the original.
//
// t.Cleanup (or b.Cleanup) is not a form of the fix. A cleanup runs when the test ends,
// as the deferred call does: in a loop it piles up just the same. A loop whose body is a
// t.Run subtest already gives each iteration a scope (the subtest's function), so its
// defers are not findings. Changing a loop body into a subtest would change what the
// test reports and what t.Fatal stops, so it is not offered either.
//
// Findings that look intended are not reported unless asked (deferfix -all; -v lists them
// with the reason; go vet -loopdefer.all, or the analyzer flag -all for other drivers).
// Deferred calls pile up only when many iterations each hold what they acquired; where the
// code shows that cannot happen or is the point, the finding looks intended, and a fix
// would break it. The evidence:
//
//   - how the loop is bounded: it runs once (every iteration that reaches the defer leaves
//     the loop — a break, a return, or a call that never returns: t.Fatal, t.Skip,
//     log.Fatal, os.Exit — a retry loop, a mismatch reported before the test stops; or
//     the defer is only in a select case receiving from a time.NewTimer made before the
//     loop, which fires once: reset only under if t.Stop(), never assigned, handed
//     nowhere), or at
//     most 16 times by a constant bound (a range over a literal, an array, a table
//     variable never changed — or given only literals, nil, other such tables and
//     reslices of itself, or a map written only at constant keys and handed nowhere —
//     a constant, or arithmetic on those and their lengths: i < 2*len(cmds); loops
//     around it multiply) — except a lock taken again on the same
//     mutex, which deadlocks on the second iteration however few there are; or it ranges
//     over a fixed set the package ships: what it reads from its testdata directory (a
//     listing, filepath.Glob("testdata/*.dat"); an archive's entries,
//     zip.OpenReader("testdata/x.zip").File; a helper given such a path) or embeds with
//     //go:embed, with every loop around it bounded too. The go tool ignores testdata;
//     what is there is shipped by the repository, not sized by input, so the pile-up is
//     the same on every run — if it exhausted a limit, every run would fail, its author's
//     first. Only the package's own testdata counts — a relative path whose first
//     element is testdata ("testdata/x", "./testdata"), read by test code (a _test.go
//     file, or a function given a *testing.T, B, F or testing.TB), which go test runs in
//     the package's directory; elsewhere a relative path resolves against the directory
//     the program runs in, and a path that merely contains a testdata element
//     (/srv/testdata, ../other/testdata) is not what the package ships. A table that
//     test code spells out (test cases, a list of golden files: a literal, or a table
//     variable bounded as above) is a fixed set of any size for the same reason: its
//     rows are in the repository as testdata's files are (outside tests a table gets
//     16 rows; a count, range n, is not a table);
//   - whether the deferred call is a backstop: the iteration makes the same call itself
//     later in the same statements (f.Close(), err = f.Close()), with no continue between
//     and the value not reassigned, so every iteration that goes on to the next has
//     released what it acquired, and the defer covers only the exits before that call;
//   - whether the iteration uses what it acquired: a body that only acquires it and
//     defers its release holds it open on purpose; one that reads it, before or after the
//     defer, is done with it;
//   - whether the code after the loop observes what the loop holds: it refers to the
//     loop's constant count again, or the loop runs until acquiring fails and the code
//     after it reads what it counted (connect until the server's limit refuses one).
//
// So are the patterns that keep or restore something for the function's return: a
// released value stored, sent or used after the loop; a deferred call that releases
// nothing acquired in the iteration (defer fmt.Println(i), defer step.Undo(): running them
// at the return, in reverse, may be the point); one that undoes a change the iteration
// makes with the same function after it (defer os.Setenv(k, old) before os.Setenv(k, v))
// or before it (os.Chmod(d, 0o555) then defer os.Chmod(d, 0o777)); a deferred literal that
// restores state, assigning to something declared outside it (o.Hidden = true; defer
// func() { o.Hidden = false }()); a loop that is all a function literal called in place
// does (the literal already scopes the defers, on purpose, to the loop); a benchmark's
// b.N loop holding nothing but defers (it measures deferring); a deferred literal that
// recovers, in a function that panics after the loop (the defer is there to stop that
// panic, which only a call at the return can; one recovering per job with no panic of
// the function's own stays a finding). A call that can
// only read, print or fail (effects.CallChanges: a body that writes nothing outliving it,
// as check(err) that panics; an assertion helper of another package, require.NoError(t,
// err) or ok(tb, err), taking a test reporter) changes nothing a defer could undo, so the
// same helper before or after the defer is no undo; a setter (log.SetOutput, a function
// assigning a package variable) is.
//
// Tests are held to the same evidence, not exempted or singled out. Most loop defers are
// in tests, and most of those are deliberate — N connections opened and held while the
// test asserts the server counts N; a loop that connects until a limit refuses one —
// and fixing them breaks the test (per-iteration closes never reach the limit). But tests
// leak too: a file opened per entry of a directory the test is given or fills, or per row
// of an input-sized table, read and left open until the test returns, exhausts
// descriptors as the input grows. Being in a _test.go file says neither; the bound, the
// use, the backstop and the observation do. Only the calls that end a test (t.Fatal,
// t.Skip and the like, which return from the test through runtime.Goexit) are known as
// such, because they never return, not because they are in a test. Test code differs in
// two facts, not in leniency: go test runs it in the package's directory, so only there
// does a relative testdata path name what the package ships; and what a test ranges over
// when it spells out a table is fixed by the repository, as testdata is, so the 16-row
// bound for tables elsewhere does not apply to it (a count, range 1000, is no table).
//
// No fix is offered, and the reason is given, when the meaning would change: a deferred
// call that recovers (a panic would no longer end the loop); a deferred call that reads or
// writes a named result — by name, or through its address or a literal that refers to it
// (effects.Func.Reached) —, or a deferred closure — or a closure held in the variable the
// defer calls — that reads a value which may change after the iteration (package
// rules/internal/effects decides: assignments, package variables across calls,
// pointers); a released value captured by a goroutine or another function literal (for
// ctx, cancel := context.WithCancel(...) the two go together); a lock taken again on the
// same mutex by the next iteration with nothing after the defer to scope; a deferred
// function value that may be nil (declared without a value and not set from a call on
// every path to the defer, or set to nil: the call would panic at the iteration's end
// instead of the return); a goto leaving the body; a return of a multi-value call; bare and
// valued returns mixed in one body; a zero value deferfix cannot spell; a body that calls
// recover itself (in a deferred function's loop: in a literal, recover would stop no
// panic).
//
// A deferred call that uses a value before the error it came with is checked (r, err :=
// open(); defer r.Close(); if err != nil ...) may panic on an invalid value; every form of
// the fix would move that panic from the return to the iteration's end, so the fix is
// unsafe (deferbeforecheck moves such a defer after its check, where it can, and the fix
// is then safe). An error dropped with _ is taken to mean the value is valid, and so is
// a value deferred inside if err == nil { ... } with err not set since the call.
//
// A deferred call whose callee is not known — through an interface, a function value (but
// not cancel set only from context.WithCancel and its kin), a method of another module —
// may recover: run per iteration, it would stop a panic in the iteration rather than at
// the function's return. When something after the defer may
// panic, the fix is then unsafe (applied only with -unsafe), and the literal form is used.
// Explicit calls and guards are not used either when evaluating the deferred call may
// panic (a method value on a nil interface): they would move the panic to the exit.
//
// A shape that would write a name meaning something else where it is written — true,
// false, nil, bool or error declared by the function, or at package level by a file of
// another build configuration; a result type a local declaration shadows — gives way to
// another shape, or to no fix. The parameter of a deferred literal (what loopcapture
// writes) is the call's own, not a value acquired in the iteration.
//
// Limits: a call that stores its argument somewhere (register(f)) is not seen as keeping
// the released value; run with -verify to let the package's tests catch what the rules
// cannot.
package loopdefer
