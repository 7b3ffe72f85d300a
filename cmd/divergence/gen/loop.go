package gen

import (
	"fmt"
	"strings"
)

// names returns a Go slice literal of 2–5 resource names: '!' fails to open, '?' opens
// with an error, 'E' fails to close.
func (g *G) names() (lit string, n int) {
	pool := []string{"a", "bb", "ccc", "!x", "?p", "dE", "ee", "f"}
	n = 2 + g.n(4)
	var xs []string
	for range n {
		xs = append(xs, fmt.Sprintf("%q", pool[g.n(len(pool))]))
	}
	return "[]string{" + strings.Join(xs, ", ") + "}", n
}

// loopCtx is what the statements of a loop body may use.
type loopCtx struct {
	results   string // "", "int", "ie" (int, error), "named" (total int, err error)
	hasR      bool   // r is in scope
	label     string // label of the defer loop, if any
	outer     string // label of an outer loop, if any
	gotoOK    bool
	usedGoto  bool
	usedLabel bool
	usedOuter bool
	val, bump bool
	gor, iter bool
	arr       bool // local array arr
	rangeFunc bool
	n         int // number of names
}

// ret returns a return statement for the function's results.
func (g *G) ret(c *loopCtx) string {
	switch c.results {
	case "":
		return "return"
	case "int":
		return "return " + g.pick("total", "total+1", "len(name)")
	}
	return "return " + g.pick("total", "len(name)", "0") + ", " + g.pick("nil", "errors.New(\"stop \"+name)", "fmt.Errorf(\"at %d\", i)")
}

// exit returns a statement that leaves the iteration.
func (g *G) exit(c *loopCtx) string {
	for {
		switch g.n(9) {
		case 0, 1:
			return "continue"
		case 2:
			return "break"
		case 3, 4:
			s := g.ret(c)
			if strings.Contains(s, "errors.") {
				g.imp("errors")
			}
			if strings.Contains(s, "fmt.") {
				g.imp("fmt")
			}
			return s
		case 5:
			if c.label != "" {
				c.usedLabel = true
				return g.pick("continue ", "break ") + c.label
			}
		case 6:
			if c.outer != "" {
				c.usedOuter = true
				return g.pick("continue ", "break ") + c.outer
			}
		case 7:
			if c.gotoOK {
				c.usedGoto = true
				return "goto end"
			}
		case 8:
			if g.coin(30) {
				g.panics = true
				g.imp("fmt")
				return "panic(fmt.Sprint(\"boom \", i))"
			}
		}
	}
}

// cond returns a condition that holds on some iterations.
func (g *G) cond(c *loopCtx) string {
	switch g.n(5) {
	case 0:
		return fmt.Sprintf("i == %d", g.n(c.n))
	case 1:
		return fmt.Sprintf("name == %q", g.pick("a", "bb", "ccc", "dE"))
	case 2:
		return fmt.Sprintf("total > %d", g.n(6))
	case 3:
		return fmt.Sprintf("%s%%2 == %d", g.id("g"), g.n(2))
	default:
		return fmt.Sprintf("i%%2 == %d", g.n(2))
	}
}

// value returns an expression whose value may change during an iteration.
func (g *G) value(c *loopCtx) string {
	vs := []string{"i", "total", g.id("g"), g.id("arr") + "[0]", g.id("arr"), g.id("s") + ".n", "name"}
	if c.hasR {
		vs = append(vs, "r.N", "r.Name")
	}
	if c.val {
		vs = append(vs, "val.n", "val")
	}
	if c.arr {
		vs = append(vs, "arr[1]", "arr")
	}
	return vs[g.n(len(vs))]
}

// stmt writes one statement of the loop body after the defers.
func (g *G) stmt(c *loopCtx) {
	P := g.id
	switch g.n(22) {
	case 0:
		if c.hasR {
			g.l("total += r.N")
		} else {
			g.l("total += len(name)")
		}
	case 1:
		g.l("%s%s", P("g"), g.pick("++", " += i", " = i*3"))
	case 2:
		g.l("%s.n = i", P("s"))
	case 3:
		g.l("%s[i%%4] = i", P("arr"))
	case 4:
		if c.arr && g.coin(50) {
			g.l("%s(arr[:])", P("fill"))
		} else {
			g.l("%s(%s[:])", P("fill"), P("arr"))
		}
	case 5:
		if c.val {
			g.l("val.Inc()")
		} else {
			g.l("%s.Inc()", P("s"))
		}
	case 6:
		if c.bump {
			g.l("bump()")
		}
	case 7:
		if c.iter {
			g.l("for k := range %s {", P("gen"))
			g.l("total += k")
			g.l("}")
		}
	case 8:
		if c.gor {
			g.l("req <- i")
			g.l("<-ack")
		}
	case 9:
		if g.coin(50) {
			g.l("total += %s[%d]", P("arr"), g.n(4))
		} else {
			g.l("total += %s[i]", P("tab"))
			g.panics = true
		}
	case 10:
		g.l("total += 60 / (3 - i)")
		g.panics = true
	case 11:
		g.l("total += %s.(int)", P("any"))
	case 12:
		if c.hasR {
			g.l("r.N = i * 3")
		}
	case 13:
		if c.hasR && g.coin(50) {
			g.l("r, _ = rt.Open(\"s\" + name)")
		}
	case 14, 15:
		g.imp("fmt")
		g.l("rt.Logf(\"%s i=%%d v=%%v\", i, %s)", g.p, g.value(c))
	case 16, 17, 18:
		g.l("if %s {", g.cond(c))
		if g.coin(30) {
			g.stmt(c)
		}
		g.l("%s", g.exit(c))
		g.l("}")
	case 19:
		if g.coin(40) {
			g.panics = true
			g.imp("fmt")
			g.l("if %s {", g.cond(c))
			g.l("panic(fmt.Sprint(\"boom \", i))")
			g.l("}")
		}
	case 20:
		if c.hasR {
			g.l("r.Show()")
		}
	case 21:
		if c.bump {
			g.l("bump = func() { %s -= 1 }", P("g"))
		}
	}
}

// deferR writes a defer that releases r (or the lock).
func (g *G) deferR(c *loopCtx, r string) {
	P := g.id
	switch g.n(13) {
	case 0, 1:
		g.l("defer %s.Close()", r)
	case 2:
		g.l("defer rt.Release(%s)", r)
	case 3:
		g.l("defer rt.Tag(%s, %s)", r, g.value(c))
	case 4:
		v := g.fresh("c")
		if g.coin(50) {
			g.l("var %s rt.Closer = %s", v, r)
		} else {
			g.l("var %s rt.Closer", v)
			g.l("if name != %q {", g.pick("a", "bb", "ccc"))
			g.l("%s = %s", v, r)
			g.l("}")
			g.panics = true
		}
		g.l("defer %s.Close()", v)
	case 5:
		v := g.fresh("fn")
		if g.coin(50) {
			g.l("%s := %s.Close", v, r)
		} else {
			g.l("var %s func() error", v)
			g.l("if name != %q {", g.pick("a", "bb", "ccc"))
			g.l("%s = %s.Close", v, r)
			g.l("}")
			g.panics = true
		}
		g.l("defer %s()", v)
	case 6:
		g.l("defer func() { %s.Close() }()", r)
	case 7:
		g.l("defer func() { rt.Tag(%s, %s) }()", r, g.value(c))
	case 8:
		v := g.fresh("finish")
		g.l("%s := func() { rt.Tag(%s, %s) }", v, r, g.value(c))
		g.l("defer %s()", v)
	case 9:
		g.l("defer %s.CloseRecover()", r)
	case 10:
		g.l("defer %s(%s)", P("closeRecover"), r)
	case 11:
		g.l("defer func() {")
		g.l("if err := %s.Close(); err != nil {", r)
		g.l("rt.Note(\"close error %%v\", err)")
		g.l("}")
		g.l("}()")
	case 12:
		g.l("defer rt.Note(\"done %%v\", %s)", g.value(c))
		g.l("_ = %s", r)
	}
}

// loopCase: a function with a loop whose body defers, called by the case.
func (g *G) loopCase() {
	P := g.id
	c := &loopCtx{}
	lit, n := g.names()
	c.n = n
	c.results = g.pick("", "int", "ie", "named", "ie")
	c.val, c.bump, c.gor, c.arr = g.coin(30), g.coin(30), g.coin(15), g.coin(20)
	c.iter = g.at("1.23") && g.coin(25)
	g.imp("fmt")
	g.decl("var _ = fmt.Sprint\n")
	// package state
	g.decl("var %s int", P("g"))
	g.decl("var %s [4]int", P("arr"))
	g.decl("var %s = make([]int, %d)", P("tab"), max(n-1, 1))
	g.decl("var %s any = %s", P("any"), g.pick("5", "5", "5", "\"x\""))
	if strings.Contains(g.decls.String(), "\"x\"") {
		g.panics = true
	}
	g.decl("type %s struct{ n int }\n", P("T"))
	g.decl("func (t *%s) Inc() { t.n++ }\n", P("T"))
	g.decl("var %s %s\n", P("s"), P("T"))
	g.decl("func %s(a []int) {\n\tfor i := range a {\n\t\ta[i] += 7\n\t}\n}\n", P("fill"))
	g.decl("func %s(r *rt.Res) {\n\tif p := recover(); p != nil {\n\t\trt.Logf(\"%s recovered: %%v\", p)\n\t}\n\tr.Close()\n}\n", P("closeRecover"), g.p)
	if c.iter {
		g.decl("func %s(yield func(int) bool) {\n\tfor k := range 2 {\n\t\t%s += 100\n\t\tif !yield(k) {\n\t\t\treturn\n\t\t}\n\t}\n}\n", P("gen"), P("g"))
	}
	kind := g.pick("slice", "slice", "three", "inf", "map", "chan", "int", "func", "func")
	if kind == "int" && !g.at("1.22") || kind == "func" && !g.at("1.23") {
		kind = "slice"
	}
	if kind == "func" {
		c.rangeFunc = true
		body := "\t\tif !yield(i, n) {\n\t\t\treturn\n\t\t}\n"
		if g.coin(40) {
			body = fmt.Sprintf("\t\t%s += 1000\n", P("g")) + body
		}
		g.decl("func %s(names []string) func(yield func(int, string) bool) {\n\treturn func(yield func(int, string) bool) {\n\t\tfor i, n := range names {\n%s\t\t}\n\t}\n}\n", P("seq"), strings.ReplaceAll(body, "\n\t\t", "\n\t\t\t"))
		g.decl("")
	}
	c.gotoOK = g.coin(20)
	if g.coin(30) {
		c.label = "L"
	}
	if g.coin(20) {
		c.outer = "Outer"
	}

	// the loop, written first so the prologue knows what it uses
	g.ind = 1
	if c.outer != "" {
		g.l("Outer:")
		g.l("for round := 0; round < 2; round++ {")
		g.l("_ = round")
	}
	counter := false
	switch kind {
	case "map", "chan":
		counter = true
		g.l("i := -1")
		if kind == "map" {
			g.l("m := map[string]string{}")
			g.l("for k, v := range names {")
			g.l("m[fmt.Sprint(k)] = v")
			g.l("}")
			g.l("for k := range m {")
			g.l("m[k] = names[0]")
			g.l("}")
		} else {
			g.l("ch := make(chan string, len(names))")
			g.l("for _, v := range names {")
			g.l("ch <- v")
			g.l("}")
			g.l("close(ch)")
		}
	}
	if c.label != "" {
		g.l("%s:", c.label)
	}
	switch kind {
	case "slice":
		g.l("for i, name := range names {")
	case "three":
		g.l("for i := 0; i < len(names); i++ {")
		g.l("name := names[i]")
	case "inf":
		g.l("for i := 0; ; i++ {")
		g.l("if i >= len(names) {")
		g.l("break")
		g.l("}")
		g.l("name := names[i]")
	case "map":
		g.l("for _, name := range m {")
	case "chan":
		g.l("for name := range ch {")
	case "int":
		g.l("for i := range len(names) {")
		g.l("name := names[i]")
	case "func":
		g.l("for i, name := range %s(names) {", P("seq"))
	}
	if counter {
		g.l("i++")
	}
	g.l("_, _ = i, name")
	if g.coin(30) {
		g.l("rt.Logf(\"%s iter %%d %%s\", i, name)", g.p)
	}
	// acquire and defer
	acq := g.pick("check", "check", "check", "before", "lock", "two")
	switch acq {
	case "lock":
		g.l("lk.Lock()")
		g.l("defer lk.Unlock()")
	default:
		c.hasR = true
		g.l("r, err := rt.Open(name)")
		if acq == "before" {
			// The deferred call may run on the nil r of a failed Open (rt.Tag reads its
			// name): a panic site, so the case is not one of -unsafe's no-panic cases.
			g.panics = true
			g.deferR(c, "r")
			for range g.n(2) {
				g.stmt(c)
			}
			g.l("if err != nil {")
			g.l("%s", g.exit(c))
			g.l("}")
		} else {
			g.l("if err != nil {")
			if g.coin(30) {
				g.l("rt.Logf(\"%s skip %%v\", err)", g.p)
			}
			g.l("%s", g.exit(c))
			g.l("}")
			g.deferR(c, "r")
		}
		if acq == "two" {
			for range g.n(2) {
				g.stmt(c)
			}
			g.l("r2, err2 := rt.Open(name + \".2\")")
			g.l("if err2 != nil {")
			g.l("%s", g.exit(c))
			g.l("}")
			g.deferR(c, "r2")
		}
	}
	if g.coin(15) {
		g.l("defer rt.Note(\"iter %%d\", i)")
	}
	for range 1 + g.n(6) {
		g.stmt(c)
	}
	g.l("}")
	if c.outer != "" {
		g.l("}")
	}
	loop := g.b.String()
	if !c.usedLabel {
		loop = strings.Replace(loop, "\tL:\n", "", 1)
	}
	if !c.usedOuter {
		loop = strings.Replace(loop, "\tOuter:\n", "", 1)
	}
	g.b.Reset()
	g.ind = 0

	// the function
	res := map[string]string{"": "", "int": " int", "ie": " (int, error)", "named": " (total int, err error)"}[c.results]
	g.l("func %s(names []string)%s {", P("work"), res)
	if c.results != "named" {
		g.l("total := 0")
	}
	shadow := ""
	if g.names2 != nil {
		switch g.names2.IntN(4) {
		case 0:
			g.l("true, false := false, true")
			shadow = "true, false"
		case 1:
			g.l("pending, held := 1, 2")
			shadow = "pending, held"
		case 2:
			g.l("run, cerr, retErr := 1, 2, 3")
			shadow = "run, cerr, retErr"
		}
	}
	if c.val {
		g.l("var val %s", P("T"))
	}
	if c.arr {
		g.l("var arr [3]int")
	}
	if c.bump {
		g.l("bump := func() { %s += 10 }", P("g"))
	}
	if acq == "lock" {
		g.l("lk := &rt.Lock{Name: %q}", g.p)
	}
	if c.gor {
		g.l("req, ack := make(chan int), make(chan bool)")
		g.l("defer close(req)")
		g.l("go func() {")
		g.l("for v := range req {")
		g.l("%s += v", P("g"))
		g.l("ack <- true")
		g.l("}")
		g.l("}()")
	}
	g.b.WriteString(loop)
	if c.usedGoto {
		g.l("end:")
	}
	g.l("rt.Logf(\"%s total %%d\", total)", g.p)
	if shadow != "" {
		g.l("rt.Logf(\"%s shadows%s\", %s)", g.p, strings.Repeat(" %v", strings.Count(shadow, ",")+1), shadow)
	}
	if c.val {
		g.l("rt.Logf(\"%s val %%v\", val)", g.p)
	}
	if c.arr {
		g.l("rt.Logf(\"%s arr %%v\", arr)", g.p)
	}
	if c.bump {
		g.l("bump()")
	}
	if c.results == "named" && g.coin(50) {
		g.l("return")
	} else if c.results != "" {
		g.l("return total%s", map[bool]string{true: ", nil"}[c.results != "int"])
	}
	g.l("}")
	g.flush()
	if strings.Contains(loop, "errors.") {
		g.imp("errors")
	}

	// the case
	g.l("func %s() {", exported(g.p))
	g.l("rt.Verbose = false")
	if g.coin(40) {
		g.l("defer func() {")
		g.l("if p := recover(); p != nil {")
		g.l("rt.Logf(\"%s caller recovered: %%v\", p)", g.p)
		g.l("}")
		g.l("}()")
	}
	for k := range 1 + g.n(2) {
		if k > 0 {
			lit, _ = g.names()
		}
		switch c.results {
		case "":
			g.l("%s(%s)", P("work"), lit)
		case "int":
			g.l("rt.Logf(\"%s result %%v\", %s(%s))", g.p, P("work"), lit)
		default:
			g.l("{")
			g.l("t, err := %s(%s)", P("work"), lit)
			g.l("rt.Logf(\"%s result %%v %%v\", t, err)", g.p)
			g.l("}")
		}
	}
	g.l("rt.Logf(\"%s state g=%%d arr=%%v s=%%v\", %s, %s, %s)", g.p, P("g"), P("arr"), P("s"))
	g.l("}")
	g.flush()
}
