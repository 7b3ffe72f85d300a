//go:build !nopanic

package main

import "fmt"

func (g *guard) done() {
	if p := recover(); p != nil {
		fmt.Println("guard", g.name, "recovered:", p)
	}
}
