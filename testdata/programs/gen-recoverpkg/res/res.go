// Package res is a resource whose CloseRecover also stops a panic: called directly by a
// deferred call, its recover is effective.
package res

import "fmt"

var Held int

type Res struct{ Name string }

func Open(name string) *Res { Held++; return &Res{Name: name} }

func (r *Res) CloseRecover() {
	if p := recover(); p != nil {
		fmt.Println("recovered in close", r.Name+":", p)
	}
	Held--
}
