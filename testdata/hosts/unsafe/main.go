// Command unsafe has one finding, whose fix is unsafe: hosts other than deferfix -unsafe
// must not apply it unless asked (TestHosts).
package main

import "fmt"

// quiet means to swallow its panic; a deferred literal that calls recover would, and
// would change what happens on a panic.
func quiet() {
	defer recover()
	panic("quiet")
}

func main() {
	quiet()
	fmt.Println("done")
}
