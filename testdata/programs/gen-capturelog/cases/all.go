package cases

// All lists the cases in order.
var All = []struct {
	Name string
	F    func()
}{
	{"c000575", C000575},
}
