// Command deferfix finds misused defer statements in Go code and rewrites them, keeping
// what the program computes. Run `deferfix -help` for usage.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
