// A deferred Unlock of an unlocked mutex: fatal at the end of run().
package main

import (
	"bufio"
	"fmt"
	"os"
	"sync"
)

var mu sync.Mutex

func main() {
	f, err := os.CreateTemp("", "y")
	if err != nil {
		panic(err)
	}
	name := f.Name()
	w := bufio.NewWriter(f)
	defer w.Flush()
	defer mu.Unlock()
	fmt.Fprintln(w, "hello")
	fmt.Println("exiting")
	os.Remove(name)
	os.Exit(0)
}
