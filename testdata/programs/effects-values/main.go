// Values that change without an assignment to their name between a defer statement and
// the function's return (issue 10, class 1). Each fix that delays an evaluation must be
// refused, or keep what the program prints.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"iter"
	"os"
	"time"
)

var label = "first"

func report(what string, late bool) { fmt.Println("report:", what, late) }

// labels yields once, renaming the package's label in between.
func labels() iter.Seq[int] {
	return func(yield func(int) bool) {
		label = "renamed by the iterator"
		yield(1)
	}
}

// A package variable written by a range-over-func iterator.
func byIterator() {
	start := time.Now()
	defer report(label, time.Now().Sub(start) > time.Hour)
	for range labels() {
	}
}

var (
	ready = make(chan bool)
	done  = make(chan bool)
)

func writer() {
	<-ready
	label = "renamed by a goroutine"
	done <- true
}

// A package variable written by a goroutine the function synchronises with.
func byGoroutine() {
	go writer()
	start := time.Now()
	defer report(label, time.Now().Sub(start) > time.Hour)
	ready <- true
	<-done
}

func fill(s []int) {
	for i := range s {
		s[i] = 9
	}
}

func show(a [3]int, late bool) { fmt.Println("show:", a, late) }

// An array written through a slice of it.
func throughSlice() {
	var a [3]int
	start := time.Now()
	defer show(a, time.Now().Sub(start) > time.Hour)
	fill(a[:])
}

// An element write.
func element() {
	xs := []int{1, 2, 3}
	start := time.Now()
	defer fmt.Println("element:", xs[0], time.Now().Sub(start) > time.Hour)
	xs[0] = 7
}

// The mistaken argument's own variable, reassigned.
func ownVariable() {
	start := time.Now()
	defer report("own variable", time.Now().Sub(start) > time.Hour)
	start = start.Add(-2 * time.Hour)
}

type counter struct{ n int }

func (c counter) report(late bool) { fmt.Println("value receiver:", c.n, late) }

// A value receiver, copied at the defer statement, whose field changes later.
func valueReceiver() {
	var c counter
	start := time.Now()
	defer c.report(time.Now().Sub(start) > time.Hour)
	c.n = 5
}

// A closure assigned before the defer that replaces the flushed writer.
func flushed(buf *bytes.Buffer) error {
	w := bufio.NewWriter(os.Stdout)
	swap := func() { w = bufio.NewWriter(buf) }
	defer w.Flush()
	w.WriteString("flushed: to stdout\n")
	swap()
	return nil
}

var phase = "during the loop"

type res struct{ name string }

func open(name string) *res     { return &res{name} }
func (r *res) Close()           { fmt.Println("closed", r.name) }
func (r *res) use() (n int)     { return len(r.name) }
func consume(n int) (total int) { return n }

// A deferred closure in a loop reading a package variable the function changes after it.
func loopClosure(names []string) {
	total := 0
	for _, name := range names {
		r := open(name)
		defer func() {
			r.Close()
			fmt.Println("  phase:", phase)
		}()
		total += consume(r.use())
	}
	phase = "after the loop"
	fmt.Println("total", total)
}

// A closure held in a variable, deferred in a loop, reading a package variable the
// function changes after the loop.
func loopFinish(names []string) {
	total := 0
	for _, name := range names {
		r := open(name)
		finish := func() {
			r.Close()
			fmt.Println("  finish phase:", phase)
		}
		defer finish()
		total += consume(r.use())
	}
	phase = "after the second loop"
	fmt.Println("total", total)
}

func main() {
	byIterator()
	byGoroutine()
	label = "first"
	throughSlice()
	element()
	ownVariable()
	valueReceiver()
	var buf bytes.Buffer
	flushed(&buf)
	fmt.Printf("buffered: %q\n", buf.String())
	loopClosure([]string{"a", "b"})
	phase = "during the loop"
	loopFinish([]string{"c", "d"})
}
