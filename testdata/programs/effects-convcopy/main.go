// Values that change without an assignment to their name (issue 10, class 1): a slice
// converted to a string or an array copies its elements, which a write into the slice
// changes. Under -unsafe (the conversions may panic, on paths that do not here),
// deferargs' closure would convert the later contents.
package main

import (
	"fmt"
	"time"
)

func a() {
	start := time.Now()
	bs := []byte("hello")
	defer fmt.Println(string(bs), time.Since(start) < time.Hour)
	bs[0] = 'J'
}

func b() {
	start := time.Now()
	s := []int{1, 2, 3}
	defer fmt.Println([3]int(s), time.Since(start) < time.Hour)
	s[1] = 20
}

func c() {
	start := time.Now()
	rs := []rune("abc")
	defer fmt.Println(string(rs), time.Since(start) < time.Hour)
	copy(rs, []rune("xy"))
}

func main() {
	a()
	b()
	c()
}
