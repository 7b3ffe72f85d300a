// Program hiddenwrite (the routes by which cmd/divergence's args cases change a deferred
// argument, one each): a package variable written by a range-over-func iterator's body, by
// another goroutine the function synchronises with, and by a closure held in a variable.
// None assigns g in the syntax between the defer and the return, yet deferargs' closure
// reads the new value.
package main

import (
	"fmt"
	"time"
)

var g int

func gen(yield func(int) bool) {
	for k := range 2 {
		g += 100
		if !yield(k) {
			return
		}
	}
}

func viaIter() {
	start := time.Now()
	defer fmt.Println("iter", g, time.Since(start) < time.Hour)
	for range gen {
	}
}

func viaGoroutine() {
	req, ack := make(chan int), make(chan bool)
	go func() {
		for v := range req {
			g += v
			ack <- true
		}
	}()
	start := time.Now()
	defer fmt.Println("goroutine", g, time.Since(start) < time.Hour)
	req <- 5
	<-ack
}

func viaClosure() {
	bump := func() { g += 10 }
	start := time.Now()
	defer fmt.Println("closure", g, time.Since(start) < time.Hour)
	bump()
}

func main() {
	viaIter()
	viaGoroutine()
	viaClosure()
}
