package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
)

type out struct{ w *bufio.Writer }

// Close flushes: a lasting call made through the package's own functions.
func (o *out) Close() error { return o.w.Flush() }

func flushAll(o *out) { o.Close() }

// guard recovers, but only as the very call registered to run at return.
func guard() {
	if r := recover(); r != nil {
		fmt.Println(r)
	}
}

type res struct{}

func (*res) Close() error { return nil }

// open returns a nil *res with every error.
func open(name string) (*res, error) {
	if name == "" {
		return nil, errors.New("no name")
	}
	return &res{}, nil
}

// exit never returns.
func exit(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
