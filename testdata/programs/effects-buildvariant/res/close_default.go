//go:build !nopanic

package res

import "fmt"

func (r *Res) Close() {
	if p := recover(); p != nil {
		fmt.Println("close", r.Name, "recovered:", p)
	}
}
