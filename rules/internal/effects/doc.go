// Package effects is the one safety argument every rule's fix rests on: what may happen
// between two points of a function. A rule that moves an evaluation (deferargs and
// closecheck delay a deferred call's operands to the function's exit; explicit calls
// evaluate them at each exit; deferbeforecheck moves a defer past statements) or moves a
// deferred call out of the defer mechanism (explicit calls, loopdefer's guard and
// per-iteration literal) asks three questions, and only here:
//
//  1. May the value of this expression differ between the points? (Span.MayChange)
//  2. May anything between them panic, run code the syntax does not show, or synchronise
//     with another goroutine? (Span.Unseen, MayPanic, EvalMayPanic)
//  3. May this deferred call recover a panic? (Result.Recover)
//
// The analysis is types-aware and syntactic: it reads go/ast and go/types, with no SSA
// and no flow- or points-to analysis, and it is conservative by construction — whatever
// it cannot see answers "yes". The argument:
//
// # What runs between the points
//
// A Span is the code that may run between the two points: a list of statements (the rest
// of a block), or everything in the function after a statement — and, when the statement
// is in a loop, the whole of the outermost loop around it, since the loop comes back to
// code that stands before it. Function literals inside the span count as running there.
// Code outside the syntax runs at every call (other than a conversion or one of the
// builtins len, cap, min, max, new, make, append, copy, clear, complex, real, imag), at
// every range over a function (the iterator's body and the loop body interleave), and,
// through another goroutine, at every channel send or receive, select, range over a
// channel and go statement (they synchronise, so another goroutine's writes become
// visible). A panic, too, runs deferred code; it counts as a call.
//
// # May a value change (1)
//
// Writes the span makes itself are found syntactically: an assignment, ++/--, or range
// assignment writes the variable its target is rooted in (x in x, x.f, x.a[2] where the
// fields are struct values and the indexes index arrays): the write changes that variable
// and every path through it. A := or var declaration in the span makes a new variable,
// which no expression evaluated before the span can denote — except a loop's own
// variables before Go 1.22, which the iterations share: the loop writes them. Every
// other write is
// indirect — through a pointer (*p, p.f), into a slice or map element, by the builtins
// copy, clear and append (which may write into a shared backing array) — and may change
// anything reached through a pointer, and any variable whose address exists.
//
// Unseen code may write a package-level variable, anything reached through a pointer,
// and any local variable that escapes the syntax: one whose address is taken explicitly
// (&x, &x.f) or implicitly (a pointer method called on, or a method value taken from,
// an addressable x; slicing an array x[:]), one assigned inside a function literal (a
// closure that may run whenever unseen code runs: called through a variable, deferred,
// passed on, or started as a goroutine), and one of an enclosing function (a literal's
// captured variable).
//
// Another goroutine's writes that no synchronisation orders with the span are data races;
// a program with one has no meaning for a rewrite to keep, so they are not considered.
//
// So an expression may change when a variable it reads is written in the span, or
// escapes and the span runs unseen code or writes indirectly; when it reads through a
// pointer, a slice or a map element and the span runs unseen code or writes indirectly
// or writes any escaping or package-level variable (the pointer may point to it); when
// it calls anything, receives from a channel, or is a method value whose receiver may
// change. The length of a map is read through the map's reference like an element; the
// length of a channel may change at any moment (a send or receive in any goroutine). The address of a variable (&x, or the receiver of a pointer method on it) never
// changes; a value receiver is a copy, made where the method value is evaluated — at the
// defer statement for a deferred call — so it may change as its operand does.
//
// # Panics (2)
//
// A panic here is any unwinding that runs deferred calls: runtime.Goexit (t.FailNow,
// t.Fatal) unwinds the same way and comes from a call just as a panic may, so every
// answer about panics holds for it, and a fix marked unsafe may change what happens on
// it too.
//
// MayPanic accepts only what cannot panic: see its documentation for the list. Anything
// else — a call, an index or slice expression other than a constant index into an
// array, a dereference of a pointer not known to be non-nil, a non-constant integer
// division or shift by a signed count, a single-value type assertion, a channel
// operation, a map write, a conversion of a slice to an array, a comparison of
// interfaces — may panic. EvalMayPanic asks the same of the evaluation of a deferred
// call's function and arguments, which happens at the defer statement: a method value
// on a nil interface, or on a nil pointer with a value receiver, panics there, and
// explicit calls would move that panic to the exit, after the statements in between ran.
// A pointer is known non-nil at a point when the statement just before it dereferenced
// it unconditionally (c.mu.Lock() before defer c.mu.Unlock()) and nothing in between may
// change it.
//
// # Recover (3)
//
// recover stops a panic only when the deferred function itself calls it. A deferred call
// recovers when it is recover, a function literal whose body calls recover directly, or
// a function whose body does. For a function of this package the body is read. For a
// function of another package, the MayRecover fact the Analyzer exports for every
// function it sees answers, when the driver carries facts across packages: go vet, go
// fix, unitchecker, and deferfix's own driver for the packages of the roots' modules
// (rewrite.factStore); the standard library is answered by a table generated from GOROOT
// (stdrecover.go; TestStdRecover checks it and rewrites it with -update). A local
// function variable set only from calls that return their own package's non-recovering
// functions (cancel from context.WithCancel and its kin: stdCallableResults, checked by
// TestStdCallableResults), never addressed nor set otherwise, does not recover. Everything
// else — a call through an interface or another function value, a method value, a
// function of another module (deferfix's own driver has facts for the packages of the
// roots' modules only) — may recover. So does a function declared without a body
// (assembly, go:linkname) or declared again in a file that build constraints exclude
// (deferutil.Variants): the body read is not the one every build compiles. Unseen
// answers yes for those calls too, and NilOnError is not proven for such a function.
//
// # A nil value's deferred call
//
// Moving `defer v.M()` after `if err != nil { return }` leaves out, on the error path, the
// original's call of M on a nil v (NilOnError). NilCallInert proves that call did nothing
// but maybe panic: the defer statement dereferences nil (a field of v, a value receiver, an
// interface's method value), or M's body returns at once or starts with
// `if recv == nil { return ... }` calling nothing (NilGuarded; the NilInert fact across
// packages; StdNilInert, proven from GOROOT by a test). Anything else may have an effect.
//
// # Cost: why not SSA
//
// golang.org/x/tools/go/ssa (through the buildssa pass) makes implicit address-taking,
// calls and closures explicit, but building it costs far more than these questions need,
// for every package a rule runs on, whether or not it has a defer. BenchmarkCostSSA and
// BenchmarkCostEffects measure both on net/http, go/types, encoding/json, database/sql,
// text/template and os (310 defers): building their SSA takes about 1.2 s and 70 MB
// (1.06M allocations); asking effects every question the rules ask about every defer
// takes 0.08–0.14 s and 1.6 MB. The syntactic argument above is sound for the same
// questions because it over-approximates what SSA would make explicit: every implicit
// address-taking is an escape, every call runs unseen code. What SSA would add —
// points-to precision, which pointer writes reach which variable — the rules do not need
// to keep their fixes.//
// Whether a call may change state that outlasts it, which a second call could set back
// (changes.go, CallChanges): a call that only reads, prints or fails — an assertion
// helper — undoes nothing, whatever its name.
//
// Values that may be invalid where a deferred call runs (invalid.go): a function variable
// declared without a value (unless set from a call on every path to the defer) or set to
// nil (FuncMayBeNil; a pointer receiver likewise, PointerMayBeNil), a value taken
// together with an error that is not yet checked at the defer (UsedBeforeCheck). A
// deferred call on one may panic, and a fix that moves the call moves that panic: such
// fixes are unsafe or refused.
package effects
