// A fact that a fix of the same run invalidates (issue 10, class 5): store.Make returns
// nil with every error, so moving the deferred release after the check looks safe
// (deferbeforecheck); but closecheck rewrites Make's deferred Flush to return its error,
// and Make then returns a live handle with that error, which the moved defer no longer
// releases.
package main

import (
	"fmt"

	"example.com/nilonerrrewritten/store"
)

func use(id int) error {
	h, err := store.Make(id)
	defer h.Close()
	if err != nil {
		return err
	}
	return nil
}

func main() {
	for i := 0; i < 4; i++ {
		use(i)
	}
	fmt.Println("released", store.Released)
}
