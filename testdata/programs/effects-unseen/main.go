// Code that runs without a call in the syntax (issue 10, class 2): a range over a
// function runs the iterator, a channel operation lets another goroutine run. Explicit
// calls, guards and moved defers must see them.
package main

import (
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
)

var total int

// saw records what each release saw: per-iteration releases run in another order than
// the function's deferred ones, so main prints them by id.
var saw = map[int]int{}

type res struct{ id int }

func acquire(id int) *res          { return &res{id} }
func (r *res) release(seen int)    { saw[r.id] = seen }
func (r *res) Close() error        { fmt.Println("closed", r.id); return nil }
func openRes(id int) (*res, error) { return &res{id}, nil }

// adder adds what it receives to total and answers.
func adder(ch chan int) {
	for n := range ch {
		total += n
		ch <- 0
	}
}

// A goroutine the iteration synchronises with changes total after the defer.
func withGoroutine(ids []int) {
	ch := make(chan int)
	go adder(ch)
	for _, id := range ids {
		r := acquire(id)
		defer r.release(total)
		ch <- id
		<-ch
	}
}

// grow yields n times, adding to total before each.
func grow(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			total += 10
			if !yield(i) {
				return
			}
		}
	}
}

// A range over a function changes total after the defer.
func withIterator(ids []int) {
	seq := grow(1)
	for _, id := range ids {
		r := acquire(id)
		defer r.release(total)
		for range seq {
		}
	}
}

func failing() iter.Seq[int] {
	return func(yield func(int) bool) { panic(errors.New("iterator failed")) }
}

// A range over a function between a defer and its error check may panic: the deferred
// Close must still run then.
func beforeCheck() (err error) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Println("recovered:", r)
		}
	}()
	seq := failing()
	r, err := openRes(7)
	defer r.Close()
	for range seq {
	}
	if err != nil {
		return err
	}
	return nil
}

func main() {
	withGoroutine([]int{1, 2})
	withIterator([]int{3, 4})
	for _, id := range slices.Sorted(maps.Keys(saw)) {
		fmt.Println("release", id, "saw total", saw[id])
	}
	beforeCheck()
}
