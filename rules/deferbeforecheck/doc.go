// Package deferbeforecheck defines an Analyzer that reports a deferred cleanup registered
// before the error of the call that produced its value is checked.
//
// # Analyzer deferbeforecheck
//
// deferbeforecheck: report defers registered before the error check of their value
//
// When a call returns a value and an error, the value is usually invalid (often nil) if
// the error is not nil. A cleanup deferred before the check runs in that case too:
//
//	f, err := os.Open(name)
//	defer f.Close() // runs on a nil *os.File when Open fails
//	if err != nil {
//		return err
//	}
//
// Reported: a defer whose call is a method of the value (or of a field of it, as in
// resp.Body.Close) when the value and the error come from the same call, the defer and
// the check are in the same block with the defer first, and the check — if err != nil —
// leaves the block (return, panic, break, continue, goto) or the program. Values and
// errors are matched by the assignment that defines them, not by their names.
//
// The fix moves the defer to just after the check (or, when the check has an else
// block, to the start of that block: it is the path past the check), where it runs only
// for a valid value:
//
//	f, err := os.Open(name)
//	if err != nil {
//		return err
//	}
//	defer f.Close()
//
// It is offered only when the callee is known to return zero values
// whenever its error is not nil (the NilOnError fact, proven from the callee's source in
// its package and carried to importers by drivers that carry facts, as go vet does; for
// the standard library, a table proven by a test from the GOROOT sources): otherwise the
// original released a live value on the error path, which the moved defer would skip.
// net/http's Get is such a callee (a refused redirect returns the response with the
// error). On the error path the original still made the deferred call, on the nil value:
// the fix is offered only when that call did nothing but maybe panic (effects.NilCallInert:
// the defer statement itself dereferences nil, or the method's body returns at once or
// starts with `if recv == nil { return }` — read from source in the package, carried to
// importers as the NilInert fact, a table proven from GOROOT for the standard library, such
// as os.File's Close); a Close that counts even a nil receiver's release refuses it. The fix is safe when nothing between the defer and the check can panic
// (package rules/internal/effects: a call, an index, a division, a range over a
// function...): then the deferred call runs exactly when it ran before on every path
// where the value was valid. Otherwise the fix is offered as unsafe (the cleanup would no
// longer run on that panic). No fix is offered when a return or a branch may leave in
// between (the value is valid on that path, and the cleanup would no longer run on it:
// a leak without any panic), when another defer stands in between (their order would
// change), when the
// check has an else if (the value is valid there and a defer cannot precede its
// condition), or when the deferred call's receiver or arguments may change before the
// check (the moved defer would evaluate them later).
package deferbeforecheck
