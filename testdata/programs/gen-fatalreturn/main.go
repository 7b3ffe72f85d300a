// Program fatalreturn (found by cmd/divergence, seed 1 case 504): "log.Fatal(...); return"
// in main. exitdefer turns log.Fatal into log.Print and a return 1, so the return that
// followed becomes unreachable code, a new go vet finding.
package main

import (
	"fmt"
	"log"
	"os"
)

func main() {
	log.SetFlags(0)
	f := func() { fmt.Println("deferred") }
	defer f()
	if len(os.Args) < 5 {
		log.Fatal("fatal")
		return
	}
	fmt.Println("not reached")
}
