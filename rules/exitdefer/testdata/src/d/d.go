// main ends with an expression statement that is not a call (nats.go's examples wait for
// a signal this way): it does not end the function, so run returns 0 after it.
package main

import (
	"log"
	"os"
	"os/signal"
)

type res struct{}

func (res) Flush() error { return nil }

func main() {
	r := res{}
	defer r.Flush()
	if err := work(); err != nil {
		log.Fatal(err) // want `log.Fatal ends the program`
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	<-sig
}

func work() error { return nil }
