// Go 1.21: the deferred closure captures the shared loop variable. loopcapture passes
// it as an argument; the closure's new parameter must not make loopdefer see a value
// "acquired in this iteration" and move the call to the iteration's end.
package main

import "fmt"

func main() {
	for _, name := range []string{"a"} {
		defer func() { fmt.Println("deferred", name) }()
		fmt.Println("loop", name)
	}
	fmt.Println("after the loop")
}
