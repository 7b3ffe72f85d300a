// Package deferrecover defines an Analyzer that reports calls to recover that cannot stop
// a panic.
//
// # Analyzer deferrecover
//
// deferrecover: report recover calls that have no effect
//
// recover stops a panic only when it is called directly by a deferred function. Two
// common forms are not:
//
//	defer recover() // recover is the deferred call itself, not called by one
//
//	defer func() {
//		handlePanic() // handlePanic calls recover, but handlePanic is not deferred
//	}()
//
// In both the panic goes on as if there were no recover.
//
// The fixes make recover effective — which changes what the program does on a panic, so
// they are unsafe and applied only with -unsafe:
//
//	defer func() { _ = recover() }()
//	defer handlePanic()
//
// The second form is offered only when the deferred literal does nothing but call the
// helper without arguments; otherwise the finding is reported without a fix. Helpers are
// recognised in the same package, where their bodies can be read.
package deferrecover
