// A function with another body in a file the build excludes (issue 10, class 4): deferfix
// run with -tags nopanic sees bodies that do not recover; the program built without the
// tag defers ones that do. Called per iteration (loopdefer), their recover would no
// longer stop the panic, whichever package declares them.
package main

import (
	"fmt"

	"example.com/buildvariant/res"
)

type guard struct{ name string }

func crossPackage(names []string) int {
	total := 0
	for i, name := range names {
		r := res.Open(name)
		defer r.Close()
		fmt.Println("open", r.Name)
		total += 60 / (2 - i)
	}
	return total
}

func samePackage(names []string) int {
	total := 0
	for i, name := range names {
		g := &guard{name}
		defer g.done()
		fmt.Println("guard", g.name)
		total += 60 / (2 - i)
	}
	return total
}

func main() {
	fmt.Println("crossPackage", crossPackage([]string{"a", "b", "c"}))
	fmt.Println("samePackage", samePackage([]string{"a", "b", "c"}))
}
