// Package lib has a release that stops panics: deferred, its Done recovers.
package lib

import "fmt"

type Guard struct{ ID int }

func New(id int) *Guard { return &Guard{id} }

// Done releases the guard and stops a panic in progress.
func (g *Guard) Done() {
	if r := recover(); r != nil {
		fmt.Println("guard", g.ID, "recovered:", r)
	}
}

// Finish reports whether it was late and stops a panic in progress.
func (g *Guard) Finish(late bool) {
	if r := recover(); r != nil {
		fmt.Println("guard", g.ID, "finished late:", late, "recovered:", r)
	}
}
