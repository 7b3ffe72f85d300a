// main ends with a for loop without a condition that a break leaves: not terminating, so
// run returns 0 after it.
package main

import (
	"log"
	"os"
)

type res struct{}

func (res) Flush() error { return nil }

func main() {
	r := res{}
	defer r.Flush()
	for {
		if err := work(); err != nil {
			log.Fatal(err) // want `log.Fatal ends the program`
		}
		if len(os.Args) > 1 {
			break
		}
	}
}

func work() error { return nil }
