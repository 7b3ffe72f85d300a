// Package deferargs defines an Analyzer that reports arguments of a deferred call that are
// evaluated when the defer statement runs although they are meant for when the call runs.
//
// # Analyzer deferargs
//
// deferargs: report deferred call arguments evaluated too early
//
// The arguments of a deferred call are evaluated at the defer statement; only the call
// waits for the function to return. So
//
//	start := time.Now()
//	defer log.Printf("took %v", time.Since(start))
//
// logs a duration of nearly zero, and
//
//	defer handle(recover())
//
// calls recover at the defer statement, where it returns nil, so it stops no panic.
//
// Reported: time.Since(t) and time.Now().Sub(t) among the arguments (including inside
// composite expressions, but not inside function literals); recover() among the
// arguments; an argument that is an error variable or a named result of the function,
// assigned again after the defer statement (defer log.Printf("%v", err) before
// err = run()) — not other variables, which are usually passed to restore a saved value,
// nor defers in loops, where each iteration's value is usually the point, nor variables
// whose address is taken.
// The function expression is not inspected, so the idiom defer trace("name")() — which
// evaluates trace at the defer statement on purpose — is not reported.
//
// The fix defers a closure, so every argument is evaluated when the call runs:
//
//	defer func() { log.Printf("took %v", time.Since(start)) }()
//
// The closure delays the evaluation of the other arguments, of the function value and
// receiver, and of the mistaken call's own operands (start in time.Since(start)) too. The
// fix is offered only when that changes nothing: none of them may change between the
// defer statement and the return (package rules/internal/effects states the argument: a
// variable assigned after the defer — for a defer inside a loop, anywhere in the loop —,
// written through a pointer, a slice of it or a closure, a package-level variable across
// a call, a channel operation or a range over a function, a value receiver whose
// variable changes; another call among the arguments). Otherwise the finding is reported
// without a fix, with the reason. When evaluating them may panic (an index out of range,
// a method value on a nil interface), the panic would move from the defer statement to
// the return: the fix is then unsafe, applied only with -unsafe.
//
// The closure calls the deferred function rather than deferring it, so a recover in that
// function would stop no panic: the fix is refused for a function that calls recover
// (package rules/internal/effects), and unsafe for one whose callee is not known (an
// interface method, a function value, a function of another module).
//
// For recover() the fix is unsafe: the closure makes recover effective, so the deferred
// call starts stopping panics. It is applied only with -unsafe.
package deferargs
