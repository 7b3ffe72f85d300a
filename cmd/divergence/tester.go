package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/deferfix/deferfix/cmd/divergence/gen"
)

var minTime = 3 * time.Minute

type tester struct {
	deferfix string
	dir      string // scratch directory of this worker
}

type divergence struct {
	c                                     gen.Case
	mode                                  string
	seed                                  int64
	before, after, diff, findings, detail string
	rules                                 string
	isolated, minimised                   bool
}

// modeFlags are deferfix's flags in each mode. safe and unsafe leave loopcapture out: its
// fix changes a go 1.21 program's output on purpose; capture checks it alone.
func modeFlags(mode string) []string {
	switch mode {
	case "unsafe":
		return []string{"-unsafe", "-disable=loopcapture"}
	case "capture":
		return []string{"-rules=loopcapture"}
	}
	return []string{"-disable=loopcapture"}
}

type outcome struct {
	before, after string
	diverged      bool
	detail        string
}

// batch checks cases in every mode and returns the divergences.
func (t *tester) batch(cases []gen.Case, unsafe bool) ([]*divergence, error) {
	var divs []*divergence
	collect := func(mode string, cs []gen.Case) error {
		if len(cs) == 0 {
			return nil
		}
		res, err := t.eval(mode, cs, modeFlags(mode))
		if err != nil {
			return fmt.Errorf("%s: %w", mode, err)
		}
		for _, c := range cs {
			if o := res[c.Name]; o != nil && o.diverged {
				divs = append(divs, &divergence{c: c, mode: mode, before: o.before, after: o.after, detail: o.detail})
			}
		}
		return nil
	}
	var errs []error
	errs = append(errs, collect("safe", cases))
	if unsafe {
		var cs []gen.Case
		for _, c := range cases {
			if !c.Panics {
				cs = append(cs, c)
			}
		}
		errs = append(errs, collect("unsafe", cs))
	}
	if cases[0].GoVersion < "1.22" {
		var cs []gen.Case
		for _, c := range cases {
			if c.Family == "capture" && !c.NoOracle {
				cs = append(cs, c)
			}
		}
		errs = append(errs, collect("capture", cs))
	}
	return divs, errors.Join(errs...)
}

var goEnv = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=", "GOWORK=off")

func command(ctx context.Context, dir, name string, args ...string) (stdout, stderr string, code int, err error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = goEnv
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code, err = exit.ExitCode(), nil
	}
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return o.String(), e.String(), code, err
}

func timeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// build builds every main package of the module in dir into dir/bin.
func build(dir string) error {
	ctx, cancel := timeout(5 * time.Minute)
	defer cancel()
	_, stderr, code, err := command(ctx, dir, "go", "build", "-o", "bin/", "./...")
	if err != nil || code != 0 {
		return fmt.Errorf("go build: %v (exit %d)\n%s", err, code, stderr)
	}
	return nil
}

var caseFile = regexp.MustCompile(`(?:cases/|exit/)(c\d+)`)

// eval writes cases as a module, builds and runs it as written (as go 1.22 in capture
// mode, the oracle), rewrites a copy with deferfix -w flags, and compares per case.
func (t *tester) eval(mode string, cases []gen.Case, flags []string) (map[string]*outcome, error) {
	orig, rew := filepath.Join(t.dir, "orig"), filepath.Join(t.dir, "rew")
	os.RemoveAll(orig)
	os.RemoveAll(rew)
	ver := cases[0].GoVersion
	oracle := ver
	if mode == "capture" {
		oracle = "1.22"
	}
	if err := gen.WriteModule(orig, oracle, cases); err != nil {
		return nil, err
	}
	if err := gen.WriteModule(rew, ver, cases); err != nil {
		return nil, err
	}
	if err := build(orig); err != nil {
		return nil, fmt.Errorf("generated program does not build: %w", err)
	}
	before := runAll(orig, cases)

	res := map[string]*outcome{}
	for _, c := range cases {
		res[c.Name] = &outcome{before: before[c.Name]}
	}
	mark := func(out, detail string) bool {
		found := false
		for _, m := range caseFile.FindAllStringSubmatch(out, -1) {
			if o := res[m[1]]; o != nil {
				o.diverged, o.detail, found = true, detail+"\n"+out, true
			}
		}
		return found
	}
	ctx, cancel := timeout(5 * time.Minute)
	defer cancel()
	out, stderr, code, err := command(ctx, rew, t.deferfix, append(append([]string{"-w"}, flags...), "./...")...)
	if err != nil || (code != 0 && code != 3) {
		if !mark(out+stderr, fmt.Sprintf("deferfix -w exited %d", code)) {
			return nil, fmt.Errorf("deferfix -w: %v (exit %d)\n%s%s", err, code, out, stderr)
		}
		return res, nil
	}
	// a second run must change nothing
	out, stderr, code, _ = command(ctx, rew, t.deferfix, append(append([]string{"-l"}, flags...), "./...")...)
	if strings.TrimSpace(out) != "" {
		mark(out, "not a fixed point: a second deferfix -w changes")
	}
	if mode == "capture" {
		// a refused loopcapture fix leaves go 1.21 semantics: only cases it changed and
		// left no finding in count (one closure fixed, another refused, is no oracle)
		remaining, _, _, _ := command(ctx, rew, t.deferfix, append([]string{}, append(flags, "./...")...)...)
		for _, c := range cases {
			if b, err := os.ReadFile(filepath.Join(rew, "cases", c.Name+".go")); err == nil && string(b) == c.Source {
				res[c.Name].detail = "unchanged"
			} else if strings.Contains(remaining, "cases/"+c.Name+".go:") {
				res[c.Name].detail = "unchanged"
			}
		}
	}
	if err := build(rew); err != nil {
		if !mark(err.Error(), "rewritten program does not build") {
			return nil, fmt.Errorf("rewritten: %w", err)
		}
		return res, nil
	}
	// the rewrite must add no vet finding (the originals are vet-clean, see gen's TestVet)
	vctx, vcancel := timeout(5 * time.Minute)
	defer vcancel()
	vet := []string{"vet", "-unreachable", "-printf", "-copylocks", "-lostcancel", "-unusedresult", "./..."}
	if _, vout, vcode, _ := command(vctx, rew, "go", vet...); vcode != 0 {
		// findings the original has too (a minimised candidate may have some) do not count
		_, oout, _, _ := command(vctx, orig, "go", vet...)
		had := map[string]bool{}
		for _, l := range strings.Split(oout, "\n") {
			had[vetKey(l)] = true
		}
		var added []string
		for _, l := range strings.Split(vout, "\n") {
			if strings.HasPrefix(l, "cases/") || strings.HasPrefix(l, "exit/") {
				if !had[vetKey(l)] {
					added = append(added, l)
				}
			}
		}
		if len(added) > 0 {
			mark(strings.Join(added, "\n"), "go vet finds what it did not before the rewrite")
		}
	}
	after := runAll(rew, cases)
	for _, c := range cases {
		o := res[c.Name]
		o.after = after[c.Name]
		if o.diverged || o.detail == "unchanged" {
			continue
		}
		if c.Exit {
			o.diverged = !exitSame(o.before, o.after)
		} else {
			o.diverged = o.before != o.after
		}
		if o.diverged {
			o.detail = "output differs"
		}
	}
	return res, nil
}

// exitSame: the same exit status, and the original's output a prefix of the rewritten
// one's (the deferred calls now run before the exit).
func exitSame(before, after string) bool {
	status := func(s string) (string, string) {
		i := strings.LastIndex(strings.TrimSuffix(s, "\n"), "\n")
		return s[:i+1], s[i+1:]
	}
	bo, bs := status(before)
	ao, as := status(after)
	return bs == as && strings.HasPrefix(ao, bo)
}

// runAll runs the module's programs and returns each case's output. The batch runs all
// non-exit cases; if it fails, each case runs alone, so one crash does not hide the rest.
func runAll(dir string, cases []gen.Case) map[string]string {
	out := map[string]string{}
	bin := func(name string) string { return filepath.Join(dir, "bin", name) }
	one := func(prog string, args ...string) string {
		ctx, cancel := timeout(20 * time.Second)
		defer cancel()
		stdout, _, code, err := command(ctx, dir, prog, args...)
		if err != nil {
			return stdout + fmt.Sprintf("\nerror: %v\n", err)
		}
		return stdout + fmt.Sprintf("exit status %d\n", code)
	}
	var plain []gen.Case
	for _, c := range cases {
		if c.Exit {
			out[c.Name] = one(bin(c.Name))
		} else {
			plain = append(plain, c)
		}
	}
	if len(plain) == 0 {
		return out
	}
	all := one(bin("batch"))
	if !strings.HasSuffix(all, "\nexit status 0\n") && all != "exit status 0\n" {
		for _, c := range plain {
			out[c.Name] = one(bin("batch"), c.Name)
		}
		return out
	}
	for _, sec := range strings.Split(all, "=== ")[1:] {
		name, _, _ := strings.Cut(sec, "\n")
		out[name] = "=== " + strings.TrimSuffix(sec, "exit status 0\n")
	}
	return out
}

// isolate checks the case alone in its own module and collects deferfix's diff, findings,
// and the rules whose fix alone reproduces the divergence.
func (t *tester) isolate(d *divergence) {
	res, err := t.eval(d.mode, []gen.Case{d.c}, modeFlags(d.mode))
	if err != nil {
		d.detail += "\nisolation: " + err.Error()
		return
	}
	o := res[d.c.Name]
	if !o.diverged {
		d.detail += "\nisolated, the case does not diverge"
		return
	}
	d.isolated = true
	d.before, d.after, d.detail = o.before, o.after, o.detail
	t.describe(d)
}

var ruleName = regexp.MustCompile(`\((\w+)\)\n`)

func (t *tester) describe(d *divergence) {
	dir := filepath.Join(t.dir, "desc")
	os.RemoveAll(dir)
	if err := gen.WriteModule(dir, d.c.GoVersion, []gen.Case{d.c}); err != nil {
		return
	}
	ctx, cancel := timeout(2 * time.Minute)
	defer cancel()
	flags := modeFlags(d.mode)
	d.diff, _, _, _ = command(ctx, dir, t.deferfix, append(append([]string{"-d"}, flags...), "./...")...)
	f, e, _, _ := command(ctx, dir, t.deferfix, append(append([]string{"-v"}, flags...), "./...")...)
	d.findings = f + e
	rules := map[string]bool{}
	for _, m := range ruleName.FindAllStringSubmatch(d.findings, -1) {
		rules[m[1]] = true
	}
	var culprits []string
	for r := range rules {
		if r == "loopcapture" && d.mode != "capture" {
			continue
		}
		fl := []string{"-rules=" + r}
		if d.mode == "unsafe" {
			fl = append(fl, "-unsafe")
		}
		res, err := t.eval(d.mode, []gen.Case{d.c}, fl)
		if err == nil && res[d.c.Name].diverged {
			culprits = append(culprits, r)
		}
	}
	sort.Strings(culprits)
	d.rules = strings.Join(culprits, ",")
	if d.rules == "" {
		d.rules = "combined"
	}
}

// minimise deletes statements and declarations of the case, one at a time, as long as the
// divergence stays (a one-minimal result, bounded in time).
func (t *tester) minimise(d *divergence) {
	deadline := time.Now().Add(minTime)
	src := d.c.Source
	still := func(s string) bool {
		c := d.c
		c.Source = s
		res, err := t.eval(d.mode, []gen.Case{c}, modeFlags(d.mode))
		return err == nil && res[c.Name].diverged
	}
	for changed := true; changed && time.Now().Before(deadline); {
		changed = false
		for k := countNodes(src) - 1; k >= 0 && time.Now().Before(deadline); k-- {
			cand, ok := deleteNode(src, k, false)
			if ok && still(cand) {
				src, changed = cand, true
				continue
			}
			// a declaration goes only together with the statements that use it
			if cand2, ok := deleteNode(src, k, true); ok && cand2 != cand && still(cand2) {
				src, changed = cand2, true
			}
		}
	}
	if src != d.c.Source {
		d.c.Source = src
		d.minimised = true
		res, err := t.eval(d.mode, []gen.Case{d.c}, modeFlags(d.mode))
		if err == nil {
			o := res[d.c.Name]
			d.before, d.after = o.before, o.after
		}
		t.describe(d)
	}
}

// nodes lists what minimise may delete, in source order: top-level declarations other
// than the case's entry point, and statements.
func nodes(f *ast.File) (list []ast.Node, parents map[ast.Node]ast.Node) {
	parents = map[ast.Node]ast.Node{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && (fd.Name.Name == "main" || ast.IsExported(fd.Name.Name)) {
			continue
		}
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			continue
		}
		list = append(list, d)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		var stmts []ast.Stmt
		switch n := n.(type) {
		case *ast.BlockStmt:
			stmts = n.List
		case *ast.CaseClause:
			stmts = n.Body
		}
		for _, s := range stmts {
			list = append(list, s)
			parents[s] = n
		}
		return true
	})
	return list, parents
}

func countNodes(src string) int {
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, parser.ParseComments)
	if err != nil {
		return 0
	}
	l, _ := nodes(f)
	return len(l)
}

// deleteNode deletes the k-th node of nodes; with users, also the statements of the same
// block that use what it declares (from a blank assignment _, _ = a, b only those values).
func deleteNode(src string, k int, users bool) (string, bool) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, parser.ParseComments)
	if err != nil {
		return "", false
	}
	l, parents := nodes(f)
	if k >= len(l) {
		return "", false
	}
	n := l[k]
	declared := map[string]bool{}
	if users {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
						declared[id.Name] = true
					}
				}
			}
		case *ast.DeclStmt:
			if gd, ok := n.Decl.(*ast.GenDecl); ok {
				for _, sp := range gd.Specs {
					if vs, ok := sp.(*ast.ValueSpec); ok {
						for _, id := range vs.Names {
							declared[id.Name] = true
						}
					}
				}
			}
		}
		if len(declared) == 0 {
			return "", false
		}
	}
	uses := func(x ast.Node) bool {
		found := false
		ast.Inspect(x, func(m ast.Node) bool {
			if id, ok := m.(*ast.Ident); ok && declared[id.Name] {
				found = true
			}
			return !found
		})
		return found
	}
	drop := func(stmts []ast.Stmt) []ast.Stmt {
		var out []ast.Stmt
		for _, s := range stmts {
			if s == n {
				continue
			}
			if users && uses(s) {
				// _, _ = a, b: keep the values that do not use what goes
				if as, ok := s.(*ast.AssignStmt); ok && as.Tok == token.ASSIGN && len(as.Lhs) == len(as.Rhs) {
					var lhs, rhs []ast.Expr
					for i, r := range as.Rhs {
						if id, ok := as.Lhs[i].(*ast.Ident); ok && id.Name == "_" && !uses(r) {
							lhs, rhs = append(lhs, as.Lhs[i]), append(rhs, r)
						}
					}
					if len(lhs) > 0 && len(lhs) == len(rhs) {
						as.Lhs, as.Rhs = lhs, rhs
						out = append(out, as)
					}
				}
				continue
			}
			out = append(out, s)
		}
		return out
	}
	switch p := parents[n].(type) {
	case *ast.BlockStmt:
		p.List = drop(p.List)
	case *ast.CaseClause:
		p.Body = drop(p.Body)
	case nil:
		var ds []ast.Decl
		for _, d := range f.Decls {
			if d != n {
				ds = append(ds, d)
			}
		}
		f.Decls = ds
	}
	// comments would float to odd places; the generated cases have only the header
	f.Comments = nil
	var b bytes.Buffer
	if err := format.Node(&b, fset, f); err != nil {
		return "", false
	}
	return b.String(), true
}

// vetKey is a vet finding without its line and column.
func vetKey(line string) string {
	file, rest, _ := strings.Cut(line, ":")
	for range 2 {
		if _, r, ok := strings.Cut(rest, ":"); ok {
			rest = r
		}
	}
	return file + ":" + strings.TrimSpace(rest)
}
