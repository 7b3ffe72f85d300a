// Package loopcapture defines an Analyzer that reports deferred closures capturing a loop
// variable in code whose Go version predates per-iteration loop variables.
//
// # Analyzer loopcapture
//
// loopcapture: report deferred closures that capture a shared loop variable (before Go 1.22)
//
// Before Go 1.22 a loop's variables are shared by all its iterations. A deferred closure
// that refers to one runs when the function returns, after the loop, and sees its last
// value:
//
//	for _, name := range names { // go 1.21
//		defer func() { os.Remove(name) }() // removes the last name len(names) times
//	}
//
// Reported in files whose Go version (the module's go line, or a //go:build constraint)
// is below 1.22, wherever the defer sits in the loop body. The fix passes the variable as
// an argument, evaluated at the defer statement as intended:
//
//	defer func(name string) { os.Remove(name) }(name)
//
// No fix when the closure assigns the variable (the writes were meant for the shared
// variable), when the iteration changes it after the defer, or its address outlives the
// iteration and code after the defer may write through it (per iteration the closure
// would see the change, an argument does not; package rules/internal/effects decides),
// or when its type cannot be spelled in the file (a type from a package the
// file does not import), or its spelling would denote another type where the closure
// stands (a local declaration shadows a name in it, or a file of another build
// configuration declares a predeclared name it uses).
package loopcapture
