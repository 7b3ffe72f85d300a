// Command batch runs every generated case under recover and prints what it did.
package main

import (
	"fmt"
	"os"

	"gen.example/batch/cases"
	"gen.example/batch/rt"
)

func main() {
	for _, c := range cases.All {
		if len(os.Args) > 1 && os.Args[1] != c.Name {
			continue
		}
		runCase(c.Name, c.F)
	}
}

func runCase(name string, f func()) {
	fmt.Printf("=== %s\n", name)
	defer rt.End(name)
	defer func() {
		if p := recover(); p != nil {
			fmt.Printf("panic: %v\n", p)
		}
	}()
	f()
}
