// Command overlap has findings whose fixes overlap (three rules on one defer, two on
// another), a finding refused a fix, and one whose fix is unsafe: TestHosts runs every
// host on it.
package main

import (
	"bufio"
	"fmt"
	"os"
	"sync"
)

var mu sync.Mutex

// writeAll writes each name into a file of that name.
func writeAll(names []string) error {
	for _, name := range names {
		f, err := os.Create(name)
		defer f.Close()
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		defer w.Flush()
		fmt.Fprintln(w, name)
	}
	return nil
}

// lockAll takes the lock once per name and counts in the deferred calls: refused a fix.
func lockAll(names []string) (n int) {
	for range names {
		mu.Lock()
		defer func() { n++; mu.Unlock() }()
	}
	return n
}

// quiet means to swallow its panic; the fix (a deferred literal that calls recover)
// changes what happens on a panic, so it is applied only when asked.
func quiet() {
	defer recover()
	panic("quiet")
}

func main() {
	quiet()
	if err := writeAll(os.Args[1:]); err != nil {
		fmt.Println(err)
	}
	fmt.Println(lockAll(os.Args[1:]))
}
