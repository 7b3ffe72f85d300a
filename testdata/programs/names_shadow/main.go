// The function declares false for itself. A rewrite that writes "false" (loopdefer's
// guard: pending = false after the explicit release) would mean the function's variable,
// and release twice. Releases are counted, not printed: their order may change.
package main

import "fmt"

type res struct{ name string }

var opened, closed int

func open(name string) *res {
	opened++
	return &res{name}
}

func (r *res) Close() error {
	closed++
	return nil
}

func sizes(names []string, weigh func(string) int) int {
	false := len(names) > 1
	total := 0
	for _, name := range names {
		r := open(name)
		defer r.Close()
		if false {
			total++
		}
		total += weigh(r.name)
	}
	return total
}

func main() {
	fmt.Println(sizes([]string{"a", "bb"}, func(s string) int { return len(s) }))
	fmt.Println("opened", opened, "closed", closed)
}
