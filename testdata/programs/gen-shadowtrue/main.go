// Program shadowtrue (found by cmd/divergence -names, seed 1 case 311): the function
// declares locals named true and false. The literal form of loopdefer signals break with
// "return true", which here returns the local: the loop stops after one iteration.
package main

import "fmt"

var held, maxHeld int

type res struct{ name string }

func open(name string) *res {
	held++
	maxHeld = max(maxHeld, held)
	return &res{name: name}
}

func (r *res) Close() error { held--; return nil }

func work(names []string) (n int) {
	true, false := false, true // a test table's expected and actual, say
	for i := 0; ; i++ {
		if i >= len(names) {
			break
		}
		r := open(names[i])
		defer func() {
			if err := r.Close(); err != nil {
				fmt.Println(err)
			}
		}()
		n += len(r.name)
	}
	fmt.Println("flags", true, false)
	return n
}

func main() {
	fmt.Println(work([]string{"a", "bb", "ccc"}), "held", held)
}
