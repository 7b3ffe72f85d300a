// exitdefer with a deferred call on a value whose error is checked after the defer
// (issue 10, class 3 and 8): log.Fatal on the error skipped db.Close on a nil *DB; in
// run() the call would run, panic, and turn exit status 1 into 2.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
)

type DB struct{ name string }

func (d *DB) Close() { fmt.Println("closing", d.name) }

func connect(ok bool) (*DB, error) {
	if !ok {
		return nil, errors.New("refused")
	}
	return &DB{"db"}, nil
}

func main() {
	w := bufio.NewWriter(io.Discard)
	defer w.Flush()
	db, err := connect(len(os.Args) > 5)
	defer db.Close()
	fmt.Fprintln(w, "connecting")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("connected")
}
