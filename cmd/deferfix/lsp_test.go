package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/sourcegraph/jsonrpc2"

	"github.com/deferfix/deferfix/cmd/deferfix/internal/lsp"
	"github.com/deferfix/deferfix/rules"
)

// The tests below drive `deferfix lsp` as an editor does, over the protocol, with types
// of their own: what a client sees on the wire is what is tested.

type tPos struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

type tRange struct {
	Start tPos `json:"start"`
	End   tPos `json:"end"`
}

type tDiag struct {
	Range           tRange `json:"range"`
	Severity        int    `json:"severity"`
	Code            string `json:"code"`
	Source          string `json:"source"`
	Message         string `json:"message"`
	CodeDescription *struct {
		Href string `json:"href"`
	} `json:"codeDescription"`
}

type tPublish struct {
	URI         string  `json:"uri"`
	Version     *int    `json:"version"`
	Diagnostics []tDiag `json:"diagnostics"`
}

type tEdit struct {
	Range   tRange `json:"range"`
	NewText string `json:"newText"`
}

type tAction struct {
	Title       string  `json:"title"`
	Kind        string  `json:"kind"`
	IsPreferred bool    `json:"isPreferred"`
	Diagnostics []tDiag `json:"diagnostics"`
	Edit        *struct {
		Changes map[string][]tEdit `json:"changes"`
	} `json:"edit"`
}

// client is the editor's end of a connection to an in-process server.
type client struct {
	t     *testing.T
	conn  *jsonrpc2.Conn
	diags chan tPublish
	enc   string
}

// startLSP starts a server and initializes it; utf8 says whether the client offers UTF-8
// positions.
func startLSP(t *testing.T, utf8 bool, initOptions any) *client {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, cli := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		lsp.Serve(ctx, srv, lsp.Options{Analyzers: rules.All, Debounce: 50 * time.Millisecond, Logf: t.Logf})
	}()
	c := &client{t: t, diags: make(chan tPublish, 100)}
	h := jsonrpc2.HandlerWithError(func(_ context.Context, _ *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
		if req.Method == "textDocument/publishDiagnostics" && req.Params != nil {
			var p tPublish
			if err := json.Unmarshal(*req.Params, &p); err == nil {
				c.diags <- p
			}
		}
		return nil, nil
	})
	c.conn = jsonrpc2.NewConn(ctx, jsonrpc2.NewBufferedStream(cli, jsonrpc2.VSCodeObjectCodec{}), h)
	t.Cleanup(func() {
		c.conn.Call(context.Background(), "shutdown", nil, nil)
		c.conn.Notify(context.Background(), "exit", nil)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("server did not exit")
		}
		cancel()
		c.conn.Close()
	})
	caps := map[string]any{}
	if utf8 {
		caps["general"] = map[string]any{"positionEncodings": []string{"utf-8", "utf-16"}}
	}
	var res struct {
		Capabilities struct {
			PositionEncoding string `json:"positionEncoding"`
		} `json:"capabilities"`
	}
	if err := c.conn.Call(ctx, "initialize", map[string]any{"processId": nil, "rootUri": nil, "capabilities": caps, "initializationOptions": initOptions}, &res); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	c.enc = res.Capabilities.PositionEncoding
	c.notify("initialized", map[string]any{})
	return c
}

func (c *client) notify(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(context.Background(), method, params); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

// waitDiags returns the next diagnostics published for uri that satisfy ok.
func (c *client) waitDiags(uri string, ok func(tPublish) bool) tPublish {
	c.t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case p := <-c.diags:
			if p.URI == uri && ok(p) {
				return p
			}
		case <-timeout:
			c.t.Fatalf("no diagnostics for %s in time", uri)
		}
	}
}

func (c *client) codeActions(uri string, rng tRange, only ...string) []tAction {
	c.t.Helper()
	ctx := map[string]any{"diagnostics": []any{}}
	if len(only) > 0 {
		ctx["only"] = only
	}
	var actions []tAction
	err := c.conn.Call(context.Background(), "textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        rng,
		"context":      ctx,
	}, &actions)
	if err != nil {
		c.t.Fatalf("codeAction: %v", err)
	}
	return actions
}

// offset converts a position to a byte offset the way a client does, counting UTF-16
// code units unless UTF-8 was negotiated.
func offset(text string, p tPos, enc string) int {
	lines := strings.SplitAfter(text, "\n")
	off := 0
	for i := 0; i < p.Line && i < len(lines); i++ {
		off += len(lines[i])
	}
	if p.Line >= len(lines) {
		return len(text)
	}
	line := lines[p.Line]
	if enc == "utf-8" {
		return off + min(p.Character, len(line))
	}
	units := 0
	for i, r := range line {
		if units >= p.Character {
			return off + i
		}
		units += len(utf16.Encode([]rune{r}))
	}
	return off + len(line)
}

// apply applies a workspace edit's edits to one document, as an editor does: all ranges
// refer to the text before the edit.
func apply(t *testing.T, text string, edits []tEdit, enc string) string {
	t.Helper()
	type span struct {
		start, end int
		new        string
	}
	var spans []span
	for _, e := range edits {
		spans = append(spans, span{offset(text, e.Range.Start, enc), offset(text, e.Range.End, enc), e.NewText})
	}
	var b strings.Builder
	last := 0
	for _, s := range spans {
		if s.start < last {
			t.Fatalf("overlapping or unordered edits: %+v", edits)
		}
		b.WriteString(text[last:s.start])
		b.WriteString(s.new)
		last = s.end
	}
	b.WriteString(text[last:])
	return b.String()
}

// module writes a one-file module and returns the file's name.
func module(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module example.com/m\n\ngo 1.26\n")
	name := filepath.Join(dir, "main.go")
	write(t, name, src)
	return name
}

func write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// written returns what `deferfix -w` writes for a module holding src as main.go.
func written(t *testing.T, src string, flags ...string) string {
	t.Helper()
	name := module(t, src)
	var stdout, stderr bytes.Buffer
	args := append([]string{"-w", "-C", filepath.Dir(name)}, flags...)
	if code := run(append(args, "./..."), nil, &stdout, &stderr); code == exitError {
		t.Fatalf("deferfix -w: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	out, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) == src {
		t.Fatalf("deferfix -w changed nothing")
	}
	return string(out)
}

const loopSrc = `package main

import (
	"fmt"
	"os"
)

// sizes prints the size of each named file.
func sizes(names []string) error {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return err
		}
		fmt.Println(name, info.Size())
	}
	return nil
}

func main() {
	if err := sizes(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`

func open(c *client, name, text string) string {
	uri := "file://" + filepath.ToSlash(name)
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "go", "version": 1, "text": text}})
	return uri
}

func nonEmpty(p tPublish) bool { return len(p.Diagnostics) > 0 }

// TestLSPQuickFix: open a file with a defer in a loop, get the diagnostic, ask for code
// actions on it, apply the quick fix to the buffer: the buffer is what -w writes. The
// file is opened with unsaved content (the disk has none of the loop), so the analysis
// must have come through the overlay.
func TestLSPQuickFix(t *testing.T) {
	want := written(t, loopSrc)
	name := module(t, "package main\n\nfunc main() {}\n")
	c := startLSP(t, false, nil)
	uri := open(c, name, loopSrc)

	p := c.waitDiags(uri, nonEmpty)
	if len(p.Diagnostics) != 1 {
		t.Fatalf("got %d diagnostics, want 1: %+v", len(p.Diagnostics), p.Diagnostics)
	}
	d := p.Diagnostics[0]
	if d.Code != "loopdefer" || d.Source != "deferfix" || d.Range.Start != (tPos{14, 2}) || !strings.Contains(d.Message, "deferred Close in loop body") {
		t.Errorf("diagnostic = %+v, want loopdefer at 14:2 (0-based)", d)
	}
	if d.CodeDescription == nil || d.CodeDescription.Href != "https://pkg.go.dev/github.com/deferfix/deferfix/rules/loopdefer" {
		t.Errorf("codeDescription = %+v, want the rule's doc", d.CodeDescription)
	}

	// Nothing on other lines.
	if as := c.codeActions(uri, tRange{tPos{2, 0}, tPos{2, 0}}, "quickfix"); len(as) != 0 {
		t.Errorf("code actions on line 2: %+v, want none", as)
	}
	// The cursor at the start of the defer's line, as an editor sends it.
	actions := c.codeActions(uri, tRange{tPos{14, 0}, tPos{14, 0}})
	var quick *tAction
	for i, a := range actions {
		if a.Kind == "quickfix" {
			quick = &actions[i]
		}
	}
	if quick == nil {
		t.Fatalf("code actions = %+v, want a quickfix", actions)
	}
	// "Fix all", asked for by kind as an editor does on save, waits for its rounds.
	alls := c.codeActions(uri, tRange{tPos{0, 0}, tPos{0, 0}}, "source.fixAll")
	if len(alls) != 1 || alls[0].Kind != "source.fixAll.deferfix" {
		t.Fatalf("source.fixAll code actions = %+v, want source.fixAll.deferfix", alls)
	}
	all := &alls[0]
	if !quick.IsPreferred || !strings.HasPrefix(quick.Title, "Wrap loop body in a closure") || len(quick.Diagnostics) != 1 {
		t.Errorf("quick fix = %+v", quick)
	}
	edits := quick.Edit.Changes[uri]
	if len(quick.Edit.Changes) != 1 || len(edits) < 2 {
		t.Fatalf("quick fix edit = %+v, want several line edits of %s", quick.Edit, uri)
	}
	for _, e := range edits {
		if e.Range.Start.Line == 0 && e.Range.End.Line >= strings.Count(loopSrc, "\n") {
			t.Errorf("edit %+v replaces the whole file", e)
		}
	}
	if got := apply(t, loopSrc, edits, c.enc); got != want {
		t.Errorf("buffer after the quick fix:\n%s\nwant (deferfix -w):\n%s", got, want)
	}
	if all.Title != "Fix all deferfix findings in this file" {
		t.Errorf("fix all title = %q", all.Title)
	}
	if got := apply(t, loopSrc, all.Edit.Changes[uri], c.enc); got != want {
		t.Errorf("buffer after fix all:\n%s\nwant (deferfix -w):\n%s", got, want)
	}
	// The disk was never touched.
	if disk, _ := os.ReadFile(name); string(disk) != "package main\n\nfunc main() {}\n" {
		t.Errorf("the server wrote the file:\n%s", disk)
	}
}

// TestLSPChange: an edit that fixes the buffer makes the diagnostic go away; edits in
// quick succession publish only for the last one.
func TestLSPChange(t *testing.T) {
	name := module(t, loopSrc)
	c := startLSP(t, false, nil)
	uri := open(c, name, loopSrc)
	c.waitDiags(uri, nonEmpty)

	fixed := written(t, loopSrc)
	change := func(version int, text string) {
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": version},
			"contentChanges": []any{map[string]any{"text": text}},
		})
	}
	// Typing: the stale versions are superseded before the debounce ends.
	change(2, strings.Replace(loopSrc, "defer f.Close()", "defer f.Close() // a", 1))
	change(3, strings.Replace(loopSrc, "defer f.Close()", "defer f.Close() // ab", 1))
	change(4, fixed)
	p := c.waitDiags(uri, func(tPublish) bool { return true })
	if len(p.Diagnostics) != 0 || p.Version == nil || *p.Version != 4 {
		t.Fatalf("after fixing the buffer: %+v, want no diagnostics for version 4", p)
	}
	if as := c.codeActions(uri, tRange{tPos{0, 0}, tPos{40, 0}}); len(as) != 0 {
		t.Errorf("code actions on the fixed buffer: %+v", as)
	}
	// Breaking it again brings the diagnostic back.
	change(5, loopSrc)
	if p := c.waitDiags(uri, func(tPublish) bool { return true }); len(p.Diagnostics) != 1 || *p.Version != 5 {
		t.Fatalf("after undo: %+v, want one diagnostic for version 5", p)
	}
}

const utf16Src = `package main

import (
	"log"
	"time"
)

func main() {
	start := time.Now()
	defer log.Printf("naïve 😀 café: %v", time.Since(start))
	log.Print("work")
}
`

// TestLSPUTF16: on a line with non-ASCII text before the finding, its column is counted
// in UTF-16 code units by default and in bytes when the client negotiated UTF-8, and the
// quick fix applies either way.
func TestLSPUTF16(t *testing.T) {
	want := written(t, utf16Src)
	line := "\tdefer log.Printf(\"naïve 😀 café: %v\", time.Since(start))"
	prefix := line[:strings.Index(line, "time.Since")]
	if len(prefix) == len(utf16.Encode([]rune(prefix))) {
		t.Fatal("the test line does not tell the encodings apart")
	}
	for _, tc := range []struct {
		utf8 bool
		enc  string
		col  int
	}{
		{false, "utf-16", len(utf16.Encode([]rune(prefix)))},
		{true, "utf-8", len(prefix)},
	} {
		t.Run(tc.enc, func(t *testing.T) {
			name := module(t, utf16Src)
			c := startLSP(t, tc.utf8, nil)
			if c.enc != tc.enc {
				t.Fatalf("negotiated %q, want %q", c.enc, tc.enc)
			}
			uri := open(c, name, utf16Src)
			p := c.waitDiags(uri, nonEmpty)
			var d *tDiag
			for i := range p.Diagnostics {
				if p.Diagnostics[i].Code == "deferargs" {
					d = &p.Diagnostics[i]
				}
			}
			if d == nil {
				t.Fatalf("no deferargs diagnostic: %+v", p.Diagnostics)
			}
			end := tc.col + len(utf16.Encode([]rune("time.Since(start)")))
			if d.Range != (tRange{tPos{9, tc.col}, tPos{9, end}}) {
				t.Errorf("range = %+v, want 9:%d-9:%d", d.Range, tc.col, end)
			}
			// The cursor in the middle of the call, after the non-ASCII text.
			actions := c.codeActions(uri, tRange{tPos{9, tc.col + 3}, tPos{9, tc.col + 3}}, "quickfix")
			if len(actions) != 1 {
				t.Fatalf("code actions = %+v, want one quick fix", actions)
			}
			if got := apply(t, utf16Src, actions[0].Edit.Changes[uri], c.enc); got != want {
				t.Errorf("buffer after the quick fix:\n%s\nwant (deferfix -w):\n%s", got, want)
			}
		})
	}
}

// TestLSPNeovim: a real editor. Headless Neovim (testdata/lsp/nvim.sh installs Debian's
// package where it can) attaches `deferfix lsp`, gets the diagnostic, applies the quick
// fix and writes the file: the file is what -w writes.
func TestLSPNeovim(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Neovim and builds deferfix: not with -short")
	}
	want := written(t, loopSrc)
	bin := filepath.Join(t.TempDir(), "deferfix")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	name := module(t, loopSrc)
	script, err := filepath.Abs("../../testdata/lsp/nvim.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", script, bin, name)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	t.Logf("nvim.sh:\n%s%s", stdout.String(), stderr.String())
	if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode() == 77 {
		t.Skip(strings.TrimSpace(stderr.String()))
	}
	if err != nil {
		t.Fatalf("nvim.sh: %v", err)
	}
	got, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("file written by Neovim:\n%s\nwant (deferfix -w):\n%s", got, want)
	}
	if !strings.Contains(stdout.String(), "diagnostics after save: 0 (were 1)") {
		t.Errorf("Neovim did not see the diagnostic go away after saving")
	}
}

// TestLSPFirstDiagnostic measures how long an editor waits for the first diagnostic and
// for the code actions after opening a file of the demo module and, with
// DEFERFIX_LSP_STD=1, of net/http (in GOROOT: read, never written). Run with -v to see
// the figures.
func TestLSPFirstDiagnostic(t *testing.T) {
	demo, err := filepath.Abs("../../testdata/demo/pack.go")
	if err != nil {
		t.Fatal(err)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{demo, filepath.Join(strings.TrimSpace(string(goroot)), "src", "net", "http", "transport.go")} {
		t.Run(filepath.Base(filepath.Dir(name)), func(t *testing.T) {
			if !strings.Contains(name, "demo") && os.Getenv("DEFERFIX_LSP_STD") != "1" {
				t.Skip("set DEFERFIX_LSP_STD=1 to time net/http")
			}
			text, err := os.ReadFile(name)
			if err != nil {
				t.Skip(err)
			}
			c := startLSP(t, false, nil)
			start, cpu0 := time.Now(), cpuTime()
			uri := open(c, name, string(text))
			p := c.waitDiags(uri, func(tPublish) bool { return true })
			first, cpu1 := time.Since(start), cpuTime()-cpu0
			actions := c.codeActions(uri, tRange{tPos{0, 0}, tPos{strings.Count(string(text), "\n"), 0}}, "quickfix")
			second, cpu2 := time.Since(start), cpuTime()-cpu0
			all := c.codeActions(uri, tRange{tPos{0, 0}, tPos{0, 0}}, "source.fixAll")
			ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
			t.Logf("%s: first diagnostics (%d) after %v (%v CPU); quick fixes for the whole file (%d) after %v (%v CPU); fix all (%d) after %v (%v CPU)",
				name, len(p.Diagnostics), ms(first), ms(cpu1), len(actions), ms(second), ms(cpu2), len(all), ms(time.Since(start)), ms(cpuTime()-cpu0))
			if strings.Contains(name, "demo") && (len(p.Diagnostics) == 0 || len(actions) == 0) {
				t.Errorf("no diagnostics or code actions on the demo")
			}
		})
	}
}

const unsafeSrc = `package main

import "fmt"

func handle(r any) {
	if r != nil {
		fmt.Println("recovered:", r)
	}
}

func main() {
	defer handle(recover())
	fmt.Println("hi")
}
`

// TestLSPUnsafe: a fix that changes behaviour on panic is offered only when the client's
// settings ask for it, and then not as the preferred one.
func TestLSPUnsafe(t *testing.T) {
	want := written(t, unsafeSrc, "-unsafe")
	line := tRange{tPos{11, 0}, tPos{11, 0}}

	// Without the setting: the diagnostic, no fix.
	c := startLSP(t, false, nil)
	uri := open(c, module(t, unsafeSrc), unsafeSrc)
	if p := c.waitDiags(uri, nonEmpty); p.Diagnostics[0].Code != "deferargs" {
		t.Fatalf("diagnostics = %+v", p.Diagnostics)
	}
	if as := c.codeActions(uri, line); len(as) != 0 {
		t.Errorf("code actions without unsafe: %+v, want none", as)
	}
	// The workspace setting turns it on.
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"deferfix": map[string]any{"unsafe": true}}})
	c.waitDiags(uri, nonEmpty)
	as := c.codeActions(uri, line, "quickfix")
	if len(as) != 1 || as[0].IsPreferred || !strings.HasSuffix(as[0].Title, "(changes behaviour on panic)") {
		t.Fatalf("code actions with unsafe settings: %+v, want one unsafe quick fix, not preferred", as)
	}
	if got := apply(t, unsafeSrc, as[0].Edit.Changes[uri], c.enc); got != want {
		t.Errorf("buffer after the unsafe fix:\n%s\nwant (deferfix -w -unsafe):\n%s", got, want)
	}

	// initializationOptions do the same from the start.
	c = startLSP(t, false, map[string]any{"unsafe": true})
	uri = open(c, module(t, unsafeSrc), unsafeSrc)
	c.waitDiags(uri, nonEmpty)
	if as := c.codeActions(uri, line, "quickfix"); len(as) != 1 {
		t.Errorf("code actions with unsafe initializationOptions: %+v, want one", as)
	}
}
