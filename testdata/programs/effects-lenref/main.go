// Values that change without an assignment to their name (issue 10, class 1): the length
// of a map or a channel lives behind the reference the variable holds. A send, a
// receive, or a write into the map through an alias changes len without writing the
// variable; deferargs' closure would read the later length.
package main

import (
	"fmt"
	"time"
)

func sends() {
	start := time.Now()
	ch := make(chan int, 4)
	defer fmt.Println("len(ch):", len(ch), time.Since(start) < time.Hour)
	ch <- 1
	ch <- 2
}

func receives() {
	start := time.Now()
	ch := make(chan int, 4)
	ch <- 5
	defer fmt.Println("cap, len:", cap(ch), len(ch), time.Since(start) < time.Hour)
	<-ch
}

func mapWrite() {
	start := time.Now()
	m := map[string]int{}
	defer fmt.Println("len(m):", len(m), time.Since(start) < time.Hour)
	m["x"] = 1
}

func mapAlias() {
	start := time.Now()
	m := map[string]int{}
	defer fmt.Println("len(m) via alias:", len(m), time.Since(start) < time.Hour)
	m2 := m
	m2["y"] = 2
}

func main() {
	sends()
	receives()
	mapWrite()
	mapAlias()
}
