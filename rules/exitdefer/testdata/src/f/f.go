// main ends with a for loop nothing leaves (the break is the switch's own): run gets no
// return after it, which would be unreachable.
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
		switch len(os.Args) {
		case 1:
			break
		}
	}
}

func work() error { return nil }
