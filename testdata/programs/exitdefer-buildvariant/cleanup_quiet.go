//go:build quiet

package main

import "fmt"

func cleanup() { fmt.Println("cleanup") }
