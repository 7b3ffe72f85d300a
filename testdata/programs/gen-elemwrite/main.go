// Program elemwrite (found by cmd/divergence, seed 1 case 377): deferargs checks that no
// variable among the deferred arguments is assigned after the defer, but arr[0] = 13 and
// fill(a[:]) write the array without assigning to it as a whole.
package main

import (
	"fmt"
	"time"
)

var arr [4]int

func fill(a []int) {
	for i := range a {
		a[i] += 7
	}
}

func element() {
	start := time.Now()
	defer fmt.Println("element", arr, time.Since(start) < time.Hour)
	arr[0] = 13
}

func slice() {
	var local [3]int
	start := time.Now()
	defer fmt.Println("slice", local, time.Since(start) < time.Hour)
	fill(local[:])
}

func main() {
	element()
	slice()
}
