package a

import "strings"

func newReader(s string) *strings.Reader { return strings.NewReader(s) }
