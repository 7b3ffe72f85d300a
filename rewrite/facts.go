package rewrite

import (
	"go/types"
	"reflect"

	"golang.org/x/tools/go/analysis"
)

type factKey struct {
	obj types.Object
	typ reflect.Type
}

// copyFact copies src into dst (both pointers to the same fact type); false if src is nil.
func copyFact(src, dst analysis.Fact) bool {
	if src == nil {
		return false
	}
	reflect.ValueOf(dst).Elem().Set(reflect.ValueOf(src).Elem())
	return true
}
