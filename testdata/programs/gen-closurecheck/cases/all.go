package cases

// All lists the cases in order.
var All = []struct {
	Name string
	F    func()
}{
	{"c001711", C001711},
}
