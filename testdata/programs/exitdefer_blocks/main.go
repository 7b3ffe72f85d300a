// exitdefer with a deferred call that waits for another goroutine (issue 10, class 8):
// os.Exit skipped the deferred wg.Wait; in run() it would run and wait for a worker that
// never ends — all goroutines asleep, exit status 2 instead of 0.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	jobs := make(chan int)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for j := range jobs {
			_ = j
		}
	}()
	defer wg.Wait()
	w := bufio.NewWriter(io.Discard)
	defer w.Flush()
	jobs <- 1
	fmt.Println("sent")
	os.Exit(0)
}
