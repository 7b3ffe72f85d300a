package cases

// All lists the cases in order.
var All = []struct {
	Name string
	F    func()
}{
	{"c007619", C007619},
}
