package b

var nil = 0
