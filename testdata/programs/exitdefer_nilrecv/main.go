// exitdefer with a deferred call on a receiver that is still nil at the defer (issue 10,
// class 3 and 8): os.Exit(3) skipped c.Close on a nil *Conn; in run() the call would run,
// dereference nil, and turn exit status 3 into 2.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

type Conn struct{ name string }

func (c *Conn) Close() { fmt.Println("closing", c.name) }

func main() {
	w := bufio.NewWriter(io.Discard)
	defer w.Flush()
	var c *Conn
	defer c.Close()
	fmt.Fprintln(w, "data")
	if len(os.Args) < 3 {
		fmt.Println("usage")
		os.Exit(3)
	}
	c = &Conn{"db"}
}
