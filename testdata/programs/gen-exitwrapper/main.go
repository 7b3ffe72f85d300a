// Program exitwrapper (found by cmd/divergence, seed 1 case 0): lg.Fatal is the promoted
// (*log.Logger).Fatal, which prints and exits 1. exitdefer rewrites Fatal into Print by
// name, which on this wrapper type selects its own Print method: the message is lost.
package main

import (
	"fmt"
	"log"
	"os"
)

type logger struct{ *log.Logger }

// Print discards messages: a quiet logger whose Fatal still reports.
func (l logger) Print(v ...any) {}

type res struct{}

func (r *res) Close() error { fmt.Fprintln(os.Stderr, "closed"); return nil }

func main() {
	lg := logger{log.New(os.Stdout, "", 0)}
	r := &res{}
	defer r.Close()
	lg.Fatal("wrapped")
}
