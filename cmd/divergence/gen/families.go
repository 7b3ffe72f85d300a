package gen

import (
	"fmt"
	"strings"
)

// common writes the package state every family may use.
func (g *G) common() {
	P := g.id
	g.imp("fmt")
	g.decl("var _ = fmt.Sprint\n")
	g.decl("var %s int", P("g"))
	g.decl("var %s [4]int", P("arr"))
	g.decl("type %s struct{ n int }\n", P("T"))
	g.decl("func (t *%s) Inc() { t.n++ }\n", P("T"))
	g.decl("func (t %s) Get() int { return t.n }\n", P("T"))
	g.decl("var %s %s\n", P("s"), P("T"))
	g.decl("func %s(a []int) {\n\tfor i := range a {\n\t\ta[i] += 7\n\t}\n}\n", P("fill"))
	g.decl("var %s int\n\nfunc %s() int { %s++; return %s }\n", P("ctr"), P("next"), P("ctr"), P("ctr"))
	if g.at("1.23") {
		g.decl("func %s(yield func(int) bool) {\n\tfor k := range 2 {\n\t\t%s += 100\n\t\tif !yield(k) {\n\t\t\treturn\n\t\t}\n\t}\n}\n", P("gen"), P("g"))
	}
}

// mutate writes a statement that changes package or local state, by the visible or a
// hidden route. Locals: x (int), p (*int to x), val (T), bump (func).
func (g *G) mutate() {
	P := g.id
	switch g.n(11) {
	case 0:
		g.l("%s = %d", P("g"), 1+g.n(9))
	case 1:
		g.l("bump()")
	case 2:
		g.l("%s(%s[:])", P("fill"), P("arr"))
	case 3:
		g.l("%s[%d] = %d", P("arr"), g.n(4), 10+g.n(9))
	case 4:
		g.l("val.Inc()")
	case 5:
		g.l("%s.n = %d", P("s"), 20+g.n(9))
	case 6:
		g.l("*p = %d", 30+g.n(9))
	case 7:
		g.l("x++")
	case 8:
		if g.at("1.23") {
			g.l("for range %s {", P("gen"))
			g.l("}")
		} else {
			g.l("%s++", P("g"))
		}
	case 9:
		g.l("req <- %d", 1+g.n(9))
		g.l("<-ack")
	case 10:
		g.l("%s()", P("next"))
	}
}

// locals writes the locals mutate uses, and a goroutine that writes package state on request.
func (g *G) locals() {
	P := g.id
	g.l("x := 1")
	g.l("p := &x")
	g.l("var val %s", P("T"))
	g.l("bump := func() { %s += 10 }", P("g"))
	g.l("req, ack := make(chan int), make(chan bool)")
	g.l("defer close(req)")
	g.l("go func() {")
	g.l("for v := range req {")
	g.l("%s += v", P("g"))
	g.l("ack <- true")
	g.l("}")
	g.l("}()")
	g.l("_, _, _, _ = x, p, val, bump")
}

// expr returns an expression a deferred call may take as an argument.
func (g *G) expr() string {
	P := g.id
	return g.pick(P("g"), P("arr"), P("arr")+"[1]", P("s")+".n", P("s"), "x", "*p", "val", "val.n", "val.Get()",
		P("next")+"()", "len("+P("arr")+")", "\"k\"", "7", P("s")+".Get()")
}

// checkCase: a defer registered before the error check of its value (deferbeforecheck).
func (g *G) checkCase() {
	P := g.id
	g.common()
	named := g.coin(40)
	if named {
		g.l("func %s(name string) (total int, err error) {", P("work"))
	} else {
		g.l("func %s(name string) (int, error) {", P("work"))
		g.l("total := 0")
	}
	g.locals()
	if g.coin(30) {
		g.mutate()
	}
	if named {
		g.l("var r *rt.Res")
		g.l("r, err = rt.Open(name)")
	} else {
		g.l("r, err := rt.Open(name)")
	}
	switch g.n(4) {
	case 0:
		g.l("defer rt.Release(r)")
	case 1:
		g.l("defer func() { r.Close() }()")
	default:
		g.l("defer r.Close()")
	}
	for range g.n(3) {
		switch g.n(8) {
		case 0:
			g.l("total++")
		case 1:
			g.l("total += %s[x+%d]", P("arr"), g.n(5))
			g.panics = true
		case 2:
			g.l("total += %s.(int)", g.pick("any(x)", "any(\"s\")"))
			g.panics = true
		case 3:
			g.l("defer rt.Logf(\"%s other defer\")", g.p)
		case 4:
			g.l("rt.Logf(\"%s between %%v\", %s)", g.p, g.expr())
		case 5:
			g.l("total += 10 / (x - 1)")
			g.panics = true
		case 6:
			g.mutate()
		case 7:
			v := g.fresh("r")
			g.l("%s, _ := rt.Open(\"other\")", v)
			g.l("r = %s", v)
		}
	}
	ret := func() string {
		if named && g.coin(40) {
			return "return"
		}
		return "return " + g.pick("total", "0", "-1") + ", " + g.pick("err", "err", "nil")
	}
	g.l("if err != nil {")
	if g.coin(30) {
		g.l("rt.Logf(\"%s failed %%v\", err)", g.p)
	}
	g.l("%s", ret())
	switch g.n(4) {
	case 0:
		g.l("} else if name == %q {", g.pick("a", "?p", "bb"))
		g.l("%s", ret())
		g.l("}")
	case 1:
		g.l("} else {")
		g.l("rt.Logf(\"%s ok\")", g.p)
		g.l("}")
	default:
		g.l("}")
	}
	g.l("total += r.N")
	for range g.n(2) {
		g.mutate()
	}
	g.l("%s", ret())
	g.l("}")
	g.flush()
	g.caller(func() {
		names := "\"a\", \"!x\", \"bb\""
		if g.coin(35) {
			names = "\"a\", \"!x\", \"?p\", \"bb\""
		}
		g.l("for _, name := range []string{%s} {", names)
		g.l("t, err := %s(name)", P("work"))
		g.l("rt.Logf(\"%s result %%v %%v\", t, err)", g.p)
		g.l("}")
	})
}

// caller writes the case function: verbose, maybe recovering, calling body.
func (g *G) caller(body func()) {
	P := g.id
	g.l("func %s() {", exported(g.p))
	g.l("rt.Verbose = true")
	if g.coin(50) {
		g.l("defer func() {")
		g.l("if p := recover(); p != nil {")
		g.l("rt.Logf(\"%s caller recovered: %%v\", p)", g.p)
		g.l("}")
		g.l("}()")
	}
	body()
	g.l("rt.Logf(\"%s state g=%%d arr=%%v s=%%v ctr=%%d\", %s, %s, %s, %s)", g.p, P("g"), P("arr"), P("s"), P("ctr"))
	g.l("}")
	g.flush()
}

// argsCase: deferred calls whose arguments are evaluated at the defer statement (deferargs).
func (g *G) argsCase() {
	P := g.id
	g.common()
	g.imp("time")
	g.decl("func %s(v any) {\n\trt.Logf(\"%s handle %%v\", v)\n}\n", P("handle"), g.p)
	g.l("func %s() {", P("work"))
	g.locals()
	g.l("start := time.Now()")
	for range 1 + g.n(2) {
		since := g.pick("time.Since(start) < time.Hour", "time.Now().Sub(start) < time.Hour", "time.Since(start).Hours() < 1")
		var args []string
		for range 1 + g.n(2) {
			args = append(args, g.expr())
		}
		pos := g.n(len(args) + 1)
		args = append(args[:pos], append([]string{since}, args[pos:]...)...)
		verbs := strings.TrimSpace(strings.Repeat("%v ", len(args)))
		switch g.n(5) {
		case 0:
			lf := g.fresh("logf")
			g.l("%s := rt.Logf", lf)
			g.l("defer %s(\"%s deferred %s\", %s)", lf, g.p, verbs, strings.Join(args, ", "))
		case 1:
			g.l("defer rt.Note(\"%s deferred %s\", %s)", g.p, verbs, strings.Join(args, ", "))
		default:
			g.l("defer rt.Logf(\"%s deferred %s\", %s)", g.p, verbs, strings.Join(args, ", "))
		}
		for range g.n(3) {
			g.mutate()
		}
	}
	if g.coin(20) {
		g.l("defer %s(recover())", P("handle"))
	}
	for range 1 + g.n(3) {
		g.mutate()
	}
	if g.coin(20) {
		g.l("start = time.Time{}")
	}
	if g.coin(20) {
		g.l("if %s > 5 {", P("g"))
		g.l("return")
		g.l("}")
		g.mutate()
	}
	g.l("}")
	g.flush()
	g.caller(func() { g.l("%s()", P("work")) })
}

// writerCase: a deferred Flush or Close of a writer drops its error (closecheck).
func (g *G) writerCase() {
	P := g.id
	g.common()
	g.imp("bufio")
	sig := g.pick("(int, error)", "(n int, err error)", "error", "(err error)", "(string, int, error)")
	named := strings.Contains(sig, "err error")
	zero := map[string]string{"(int, error)": "0, ", "(n int, err error)": "n, ", "error": "", "(err error)": "", "(string, int, error)": "\"s\", 0, "}[sig]
	g.l("func %s(names []string) %s {", P("work"), sig)
	g.locals()
	g.l("w := &rt.W{Name: %q}", g.p)
	gz := g.coin(30)
	if gz {
		g.imp("compress/gzip")
		g.l("zw := gzip.NewWriter(w)")
		g.l("defer zw.Close()")
		g.l("bw := bufio.NewWriter(zw)")
	} else {
		g.l("bw := bufio.NewWriter(w)")
	}
	g.l("defer bw.Flush()")
	if named && g.coin(40) {
		g.l("defer func() { rt.Logf(\"%s leaving err=%%v\", err) }()", g.p)
	}
	if g.coin(20) {
		g.l("if err := bw.WriteByte('<'); err != nil {")
		g.l("return %serr", zero)
		g.l("}")
	}
	g.l("for i, name := range names {")
	g.l("fmt.Fprintf(bw, \"%%d:%%s;\", i, name)")
	if g.coin(50) {
		g.l("if name == %q {", g.pick("a", "bb", "!x"))
		g.l("return %s%s", zero, g.pick("nil", "fmt.Errorf(\"bad %s\", name)"))
		g.l("}")
	}
	if g.coin(30) {
		g.l("bw.Flush()")
	}
	g.l("}")
	if g.coin(20) {
		g.l("bw = bufio.NewWriter(&rt.W{Name: \"other\"})")
		g.l("fmt.Fprint(bw, \"x\")")
	}
	if g.coin(20) {
		g.l("if err := fmt.Errorf(\"shadow\"); err == nil {")
		g.l("return %serr", zero)
		g.l("}")
	}
	for range g.n(2) {
		g.mutate()
	}
	if named && g.coin(30) {
		g.l("return")
	} else {
		g.l("return %snil", strings.Replace(zero, "n, ", "len(names), ", 1))
	}
	g.l("}")
	g.flush()
	g.caller(func() {
		g.l("for _, names := range [][]string{{\"a\", \"bb\"}, {\"ccc\"}, {\"bb\", \"a\", \"!x\"}} {")
		switch strings.Count(sig, ",") {
		case 0:
			g.l("err := %s(names)", P("work"))
			g.l("rt.Logf(\"%s result %%v\", err)", g.p)
		case 1:
			g.l("n, err := %s(names)", P("work"))
			g.l("rt.Logf(\"%s result %%v %%v\", n, err)", g.p)
		default:
			g.l("s, n, err := %s(names)", P("work"))
			g.l("rt.Logf(\"%s result %%v %%v %%v\", s, n, err)", g.p)
		}
		g.l("}")
	})
}

// hotCase: a function with returns × defers > 15, which hotdefer splits.
func (g *G) hotCase() {
	P := g.id
	g.common()
	named := g.coin(60)
	if named {
		g.l("func %s(k int) (n int, err error) {", P("work"))
	} else {
		g.l("func %s(k int) (int, error) {", P("work"))
		g.l("n := 0")
		g.l("_ = n")
	}
	g.locals()
	nd := 2 + g.n(2)
	for d := range nd {
		if g.coin(40) {
			g.mutate()
		}
		switch g.n(6) {
		case 0:
			g.l("r%d, _ := rt.Open(\"h%d\")", d, d)
			g.l("defer r%d.Close()", d)
		case 1:
			g.l("defer rt.Logf(\"%s defer %d %%v\", %s)", g.p, d, g.expr())
		case 2:
			g.l("defer func() { rt.Logf(\"%s defer %d n=%%d x=%%d\", n, x) }()", g.p, d)
		case 3:
			if named {
				g.l("defer func() {")
				g.l("if p := recover(); p != nil {")
				g.l("err = fmt.Errorf(\"recovered %%v (n=%%d)\", p, n)")
				g.l("}")
				g.l("}()")
			} else {
				g.l("defer func() { recover() }()")
			}
		case 4:
			if named {
				g.l("defer func() { n *= 2 }()")
			} else {
				g.l("defer rt.Logf(\"%s defer %d\")", g.p, d)
			}
		case 5:
			g.l("if k > %d {", g.n(3))
			g.l("defer rt.Logf(\"%s cond defer %d\")", g.p, d)
			g.l("}")
		}
	}
	ret := func() string {
		if named && g.coin(30) {
			return "return"
		}
		return "return " + g.pick("n", "n + x", "k", "*p") + ", " + g.pick("nil", "err", "fmt.Errorf(\"k=%d\", k)")
	}
	if !named {
		g.l("var err error")
	}
	nr := 16/nd + 1 + g.n(3)
	for j := range nr - 1 {
		switch g.n(5) {
		case 0:
			g.mutate()
		case 1:
			g.l("n = %d", j+1)
		case 2:
			if g.coin(50) {
				g.l("if k == %d {", j)
				g.l("panic(fmt.Sprint(\"hot boom \", k))")
				g.l("}")
				g.panics = true
			}
		}
		g.l("if k == %d {", j)
		if g.coin(30) {
			g.l("n += %d", j)
		}
		g.l("%s", ret())
		g.l("}")
	}
	g.l("_ = err")
	g.l("%s", ret())
	g.l("}")
	g.flush()
	g.caller(func() {
		g.l("for k := 0; k < %d; k++ {", nr+1)
		g.l("func() {")
		g.l("defer func() {")
		g.l("if p := recover(); p != nil {")
		g.l("rt.Logf(\"%s recovered %%v\", p)", g.p)
		g.l("}")
		g.l("}()")
		g.l("n, err := %s(k)", P("work"))
		g.l("rt.Logf(\"%s result %%d %%v\", n, err)", g.p)
		g.l("}()")
		g.l("}")
	})
}

// captureCase: deferred closures capture loop variables (loopcapture, go 1.21).
func (g *G) captureCase() {
	P := g.id
	g.common()
	g.l("func %s(names []string) {", P("work"))
	if g.coin(50) {
		g.l("for i, name := range names {")
	} else {
		g.l("for i := 0; i < len(names); i++ {")
		g.l("name := names[i]")
	}
	for range 1 + g.n(2) {
		switch g.n(5) {
		case 0:
			g.l("defer func() { rt.Logf(\"%s cap %%d %%s\", i, name) }()", g.p)
		case 1:
			g.l("defer func() { rt.Logf(\"%s cap i=%%d\", i) }()", g.p)
		case 2:
			g.l("defer func(s string) { rt.Logf(\"%s cap %%s %%d\", s, i) }(name)", g.p)
		case 3:
			g.l("defer func() {")
			g.l("func() { rt.Logf(\"%s nested %%d\", i) }()", g.p)
			g.l("}()")
		case 4:
			g.l("defer func() { i++; rt.Logf(\"%s assigns %%d\", i) }()", g.p)
			g.noOracle = true
		}
		if g.coin(30) {
			g.l("if i == %d {", g.n(3))
			g.l("continue")
			g.l("}")
		}
	}
	if g.coin(25) {
		g.l("name += \"'\"")
	}
	g.l("_ = name")
	g.l("}")
	g.l("}")
	g.flush()
	g.caller(func() { g.l("%s([]string{\"a\", \"bb\", \"ccc\"})", P("work")) })
}

// exitCase: main with defers pending at os.Exit or log.Fatal (exitdefer). The rewrite
// runs the deferred calls before the exit on purpose: compared on the exit status, and
// the original's output must be a prefix of the rewritten one.
func (g *G) exitCase() {
	g.isExit = true
	g.imp("os")
	g.imp("log")
	g.imp("fmt")
	g.decl("var _ = fmt.Sprint\nvar _ = os.Exit\nvar _ = log.Print\n")
	wrapper := g.coin(25)
	if wrapper {
		g.decl("type logger struct{ *log.Logger }\n\nfunc (l logger) Print(v ...any) { rt.Logf(\"wrapper print %%v\", v) }\n")
	}
	if g.coin(20) {
		g.decl("func run() { rt.Logf(\"package run\") }\n")
	}
	if g.coin(20) {
		g.decl("func fatal(v ...any) {\n\trt.Logf(\"fatal helper\")\n\tlog.Fatal(v...)\n}\n")
	} else {
		g.decl("func fatal(v ...any) { log.Fatal(v...) }\n")
	}
	g.l("func main() {")
	g.l("rt.Verbose = true")
	g.l("log.SetFlags(0)")
	g.l("log.SetOutput(os.Stdout)")
	if wrapper {
		g.l("lg := logger{log.New(os.Stdout, \"\", 0)}")
		g.l("_ = lg")
	}
	g.l("r, _ := rt.Open(\"main\")")
	g.l("defer r.Close()")
	if g.coin(15) {
		g.l("defer func() {")
		g.l("rt.Logf(\"cleanup exits\")")
		g.l("os.Exit(%d)", 4+g.n(3))
		g.l("}()")
	}
	if g.coin(30) {
		g.l("defer rt.Logf(\"deferred log\")")
	}
	exits := []string{"os.Exit(3)", "log.Fatal(\"fatal\")", "log.Fatalf(\"fatal %d\", 7)", "fatal(\"via helper\")", "os.Exit(0)"}
	if wrapper {
		exits = append(exits, "lg.Fatal(\"wrapped\")")
	}
	if g.coin(40) {
		g.l("for i := 0; i < 3; i++ {")
		g.l("if i == %d {", g.n(4))
		g.l("%s", exits[g.n(len(exits))])
		g.l("}")
		g.l("}")
	}
	g.l("if len(os.Args) %s 5 {", g.pick("<", ">"))
	g.l("%s", exits[g.n(len(exits))])
	if g.coin(30) {
		g.l("return")
	}
	g.l("}")
	if g.coin(30) {
		g.l("go func() { os.Exit(9) }()")
		g.l("select {}")
	} else if g.coin(50) {
		g.l("%s", exits[g.n(len(exits))])
	}
	g.l("}")
	g.flush()
	_ = fmt.Sprint
}
