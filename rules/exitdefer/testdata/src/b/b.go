package main

import "log"

type res struct{}

func (res) Close() error { return nil }

func main() {
	r := res{}
	defer r.Close()
	if err := work(); err != nil {
		log.Fatalln("work:", err) // want `log.Fatalln ends the program`
	}
}

func work() error { return nil }
