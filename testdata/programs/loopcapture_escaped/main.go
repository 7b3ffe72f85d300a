// loopcapture where the loop variable's address outlives its iteration (issue 10,
// class 1): per iteration (the meaning the fix gives the closure), a write through that
// pointer after the loop still reaches the variable the closure reads at the return; an
// argument evaluated at the defer would not see it.
package main

import "fmt"

func viaPointer() {
	var ps []*int
	for i := 0; i < 2; i++ {
		ps = append(ps, &i)
		defer func() { fmt.Println("viaPointer", i) }()
	}
	*ps[0] = 40
}

type T struct{ n int }

func (t *T) set(n int) { t.n = n }

func viaMethod() {
	var last *T
	for _, t := range []T{{1}, {2}} {
		last = &t
		defer func() { fmt.Println("viaMethod", t.n) }()
	}
	last.set(7)
}

func main() {
	viaPointer()
	viaMethod()
}
