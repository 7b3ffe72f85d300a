//go:build go1.21

package a

import (
	"fmt"
	"os"
	"strings"
)

func remove(names []string) {
	for _, name := range names {
		defer func() { os.Remove(name) }() // want `deferred closure captures loop variable name, shared by all iterations`
	}
}

func nested(rows [][]string, b *strings.Builder) {
	for i, row := range rows {
		if len(row) > 0 {
			// Report each row at the end.
			defer func() {
				fmt.Fprintln(b, i, row) // want `deferred closure captures loop variable i`
			}()
		}
	}
}

func threeClause(n int) {
	for i := 0; i < n; i++ {
		defer func(prefix string) { fmt.Println(prefix, i) }("i =") // want `deferred closure captures loop variable i`
	}
}

// Reported without a fix: the closure writes the shared variable.
func writes(n int) {
	for i := 0; i < n; i++ {
		defer func() { i++ }() // want `deferred closure captures loop variable i`
	}
}

// Fine: the variable is passed already.
func passed(names []string) {
	for _, name := range names {
		defer func(name string) { os.Remove(name) }(name)
	}
}

// Reported without a fix: the iteration changes name after the defer. Per iteration (Go
// 1.22) the closure would print "a'"; passed as an argument, "a".
func changedAfter(names []string) {
	for _, name := range names {
		defer func() { fmt.Println(name) }() // want `deferred closure captures loop variable name`
		name += "'"
	}
}
