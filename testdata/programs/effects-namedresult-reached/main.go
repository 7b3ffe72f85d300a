// A named result reached without its name (issue 10, class 1): the released value holds
// the result's address, or a literal that reads it. The deferred Close reads or writes
// it; loopdefer runs it per iteration, before the return sets the result, so the
// function returns another value.
package main

import "fmt"

var held int

type Res struct {
	id  int
	out *int
}

func Open(id int, out *int) *Res { held++; return &Res{id, out} }

func (r *Res) Close() { held--; *r.out += 100 }

func (r *Res) Read() int { return r.id }

// Close adds to the result through the pointer the value holds.
func find(xs []int) (n int) {
	for _, x := range xs {
		r := Open(x, &n)
		defer r.Close()
		if r.Read() == 3 {
			return x
		}
	}
	return -1
}

type Logger struct {
	id     int
	report func() int
}

var seen []int

func (l *Logger) Close() { held--; seen = append(seen, l.report()) }

// Close reads the result through a literal the value holds.
func count(xs []int) (total int) {
	for _, x := range xs {
		held++
		l := &Logger{x, func() int { return total }}
		defer l.Close()
		if x == 0 {
			continue
		}
		total += x
	}
	return total * 10
}

func main() {
	fmt.Println(find([]int{1, 2, 3, 4}))
	fmt.Println(find([]int{5}))
	fmt.Println(count([]int{1, 0, 2}), seen)
	fmt.Println("held", held)
}
