// Program hotdefer has functions whose defers the compiler cannot open-code because they
// return from many places. It prints what they compute, which must not change when
// deferfix splits them.
package main

import (
	"errors"
	"fmt"
	"sync"
)

type cache struct {
	mu   sync.Mutex
	hits int
	log  []string
}

func (c *cache) note(s string) { c.log = append(c.log, s) }

// grade returns a letter for a score; every exit releases the lock and notes the call.
func (c *cache) grade(score int) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.note(fmt.Sprint("grade ", score))
	c.hits++
	switch {
	case score < 0:
		return "", errors.New("negative score")
	case score > 100:
		return "", fmt.Errorf("score %d out of range", score)
	case score == 100:
		return "A+", nil
	case score >= 90:
		return "A", nil
	case score >= 80:
		return "B", nil
	case score >= 70:
		return "C", nil
	case score >= 60:
		return "D", nil
	}
	return "F", nil
}

// parity uses named results and bare returns.
func (c *cache) parity(n int) (name string, even bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer func() { c.note("parity " + name) }()
	even = n%2 == 0
	if n == 0 {
		name = "zero"
		return
	}
	if n < 0 {
		name = "negative"
		return
	}
	if n == 1 {
		return "one", false
	}
	if n == 2 {
		return "two", true
	}
	if n == 3 {
		return "three", false
	}
	if n == 4 {
		return "four", true
	}
	if n == 5 {
		return "five", false
	}
	name = "many"
	return
}

func main() {
	c := &cache{}
	for _, s := range []int{-5, 50, 65, 75, 85, 95, 100, 120} {
		g, err := c.grade(s)
		fmt.Println("grade", s, g, err)
	}
	for _, n := range []int{-1, 0, 1, 2, 3, 4, 5, 6} {
		name, even := c.parity(n)
		fmt.Println("parity", n, name, even)
	}
	fmt.Println("hits", c.hits)
	fmt.Println("log", c.log)
}
