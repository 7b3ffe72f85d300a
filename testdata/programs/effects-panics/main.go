// Panics that move (issue 10, class 3): a deferred method value on a nil interface panics
// at the defer statement, an index or a division panics without any call. A fix must not
// move such a panic past statements that run, or drop a cleanup on it.
package main

import (
	"fmt"
	"time"
)

var seen int

type closer interface{ Close() error }

// A nil interface among the closers: defer c.Close() panics at the defer statement,
// before seen counts it.
func closeAll(names []string) {
	for _, name := range names {
		c := lookup(name)
		defer c.Close()
		seen++
	}
}

var closers = map[string]closer{"one": &res{1}}

func lookup(name string) closer { return closers[name] }

type res struct{ id int }

func (r *res) Close() error        { fmt.Println("closed", r.id); return nil }
func openRes(id int) (*res, error) { return &res{id}, nil }

// A division by zero between a defer and its error check: the deferred Close runs on that
// panic, and must still.
func ratio(a, b int) (q int, err error) {
	r, err := openRes(a)
	defer r.Close()
	q = a / b
	if err != nil {
		return 0, err
	}
	return q, nil
}

func report(v int, late bool) { fmt.Println("report", v, late) }

// An index out of range in a deferred call's argument panics at the defer statement;
// deferring a closure would run the statements after it first.
func indexed(i int) {
	var arr [2]int
	start := time.Now()
	defer report(arr[i], time.Now().Sub(start) > time.Hour)
	fmt.Println("after the defer")
}

func try(name string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Println(name, "recovered:", r, "seen", seen)
		}
	}()
	f()
}

func main() {
	try("closeAll", func() { closeAll([]string{"one", "two"}) })
	try("ratio", func() { ratio(2, 0) })
	try("indexed", func() { indexed(2) })
}
