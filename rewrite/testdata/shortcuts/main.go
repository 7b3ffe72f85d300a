// Package main has a finding for each rule whose work Run's shortcuts skip, with what
// decides it in other.go, a file that never mentions the keyword.
package main

import (
	"bufio"
	"fmt"
	"log"
	"os"
)

func main() {
	o := &out{w: bufio.NewWriter(os.Stdout)}
	defer flushAll(o)
	if len(os.Args) > 2 {
		log.Fatal("usage: shortcuts [name]")
	}
	fmt.Fprintln(o.w, "hello")
	work()
	if err := use("x"); err != nil {
		exit(err)
	}
}

func work() {
	defer func() { guard() }()
	panic("boom")
}

func use(name string) error {
	r, err := open(name)
	defer r.Close()
	if err != nil {
		return err
	}
	return nil
}

func run() {
	f, err := os.Create("out.txt")
	if err != nil {
		exit(err)
	}
	defer f.Sync()
	fmt.Fprintln(f, "x")
	exit(nil)
}
