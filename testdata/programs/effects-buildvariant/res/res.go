package res

type Res struct{ Name string }

func Open(name string) *Res { return &Res{Name: name} }
