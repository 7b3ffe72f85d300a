// recover called by code that a fix moves into a function literal (issue 10, class 4):
// loopdefer's per-iteration literal around a loop body in a deferred function, and
// hotdefer's split of the statements after the last defer. In the literal, recover is
// no longer called by the deferred function: it returns nil and the panic goes on.
package main

import "fmt"

var held int

type R struct{ id int }

func open(id int) (*R, error) {
	if id < 0 {
		return nil, fmt.Errorf("bad %d", id)
	}
	held++
	return &R{id}, nil
}

func (r *R) Close() { held-- }

// The loop body of a deferred literal calls recover.
func inLoop(ids []int) (err error) {
	defer func() {
		for _, id := range ids {
			r, e := open(id)
			if e != nil {
				err = e
				return
			}
			if id > 0 {
				defer r.Close()
			}
			if p := recover(); p != nil {
				err = fmt.Errorf("recovered in %d: %v", r.id, p)
			}
		}
		fmt.Println("deferred loop done")
	}()
	panic("boom")
}

var log []string

func note(s string) { log = append(log, s) }

// A deferred handler whose defers are not open-coded (4 returns × 4 defers): the split
// would move its recover into a literal.
func handler(code *int) {
	defer note("a")
	note("x")
	defer note("b")
	note("y")
	defer note("c")
	note("z")
	defer note("d")
	r := recover()
	if r == nil {
		return
	}
	if r == "one" {
		*code = 1
		return
	}
	if r == "two" {
		*code = 2
		return
	}
	if r == "three" {
		*code = 3
		return
	}
	*code = 9
}

func split(p string) (code int) {
	defer handler(&code)
	panic(p)
}

func main() {
	fmt.Println(inLoop([]int{1, 2}))
	fmt.Println("held", held)
	fmt.Println(split("one"), split("two"), split("x"))
	fmt.Println(log)
}
