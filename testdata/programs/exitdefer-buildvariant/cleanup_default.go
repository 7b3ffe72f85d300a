//go:build !quiet

package main

import (
	"fmt"
	"os"
)

func cleanup() {
	fmt.Println("cleanup: exit 3")
	os.Exit(3)
}
