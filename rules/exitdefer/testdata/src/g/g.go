// main ends with select {} and with an if whose branches both exit: run gets no return
// after them, which would be unreachable.
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
	if len(os.Args) > 2 {
		if err := work(); err != nil {
			log.Fatal(err) // want `log.Fatal ends the program`
		} else {
			os.Exit(0)
		}
	}
	select {}
}

func work() error { return nil }
