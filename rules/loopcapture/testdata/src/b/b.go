//go:build go1.21

// The parameter's type, spelled as the file names it, must denote the same type where
// the literal stands: a local declaration before the loop may shadow a name it uses.
package b

import (
	"fmt"
	"os"
)

// The package name os is shadowed by a local variable: *os.File would not compile.
func shadowedPackage(files []*os.File) {
	os := "shadow"
	for _, f := range files {
		defer func() { fmt.Println(os, f.Name()) }() // want `deferred closure captures loop variable f`
	}
}

// A local type named int: the loop variable's int would become it.
func shadowedBasic(xs []int) {
	type int = string
	var s int = "x"
	for _, x := range xs {
		defer func() { fmt.Println(s, x) }() // want `deferred closure captures loop variable x`
	}
}
