// Package lsp is `deferfix lsp`: a Language Server Protocol server, run by an editor next
// to gopls, that shows deferfix's findings as diagnostics and its fixes as code actions.
//
// It is the engine's face for editors, not a second pipeline: every analysis is a
// rewrite.Run of the edited file's package, the unsaved buffers given as Config.Overlay.
// Its findings are published at once; Result.WithFixes then has the rules make their fixes
// on the same packages. A finding's quick fix is Result.FixOne (the fix alone, formatted
// and type-checked again as -w's first round does it); "Fix all" is Result.FixAll, the
// rounds -w writes, computed in the background. Both go to the editor as line edits (a
// diff of old and new content), never as a whole-file replacement.
//
// The connection's reader only records documents and schedules work, so the editor is
// never kept waiting: a run goes in a goroutine per package directory, after a short
// debounce on typing, and a newer edit cancels the run of an older one. A code action
// request waits, in its own goroutine, for the fixes of the buffer it is about.
package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rewrite"
	"github.com/deferfix/deferfix/rewrite/linediff"
)

// Options configure a server.
type Options struct {
	Analyzers []*analysis.Analyzer
	Tags      []string
	// Unsafe offers fixes that change behaviour on panic too; the client's
	// initializationOptions or settings ({"unsafe": true}) can also ask for them.
	Unsafe bool
	// Debounce is how long to wait after a change before analyzing (default 300ms).
	Debounce time.Duration
	// Logf, if set, receives a line for each run (deferfix lsp -v, on stderr).
	Logf func(format string, args ...any)
}

// Serve speaks LSP on rwc until the client exits or ctx is done.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, opt Options) error {
	if opt.Debounce == 0 {
		opt.Debounce = 300 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &server{
		opt:      opt,
		ctx:      ctx,
		docs:     make(map[string]*document),
		pkgs:     make(map[string]*pkgState),
		requests: make(map[string]context.CancelFunc),
		encoding: "utf-16",
		unsafe:   opt.Unsafe,
		started:  make(chan struct{}),
	}
	conn := jsonrpc2.NewConn(ctx, jsonrpc2.NewBufferedStream(rwc, jsonrpc2.VSCodeObjectCodec{}), s)
	s.conn = conn
	close(s.started)
	select {
	case <-conn.DisconnectNotify():
	case <-ctx.Done():
		conn.Close()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exited && !s.shutdown {
		return errors.New("exit before shutdown")
	}
	return nil
}

type server struct {
	opt  Options
	ctx  context.Context // cancelled when the connection ends
	conn *jsonrpc2.Conn
	// started is closed once conn is set: the connection reads (and calls Handle) from
	// the moment it is made.
	started chan struct{}

	mu       sync.Mutex
	docs     map[string]*document // open documents by file name
	pkgs     map[string]*pkgState // analyses by package directory
	requests map[string]context.CancelFunc
	encoding string // negotiated position encoding: utf-8 or utf-16
	unsafe   bool
	shutdown bool // the client asked to shut down
	exited   bool // the client said exit
}

// A document is an open buffer. Its text is replaced on change, never modified, so a
// snapshot may keep it.
type document struct {
	uri     string
	version int
	text    []byte
}

// pkgState is the analysis of one package directory.
type pkgState struct {
	dir       string
	gen       int                // generation of the latest scheduled run
	cancel    context.CancelFunc // of the latest scheduled run
	ready     chan struct{}      // closed when the latest scheduled run's fixes are made
	latest    *snapshot          // the latest run whose fixes are made
	published map[string]bool    // URIs that last got diagnostics from this directory
}

// A snapshot is one run: the contents it analyzed, its findings with their fixes.
type snapshot struct {
	gen      int
	res      *rewrite.Result
	docs     map[string]*document // the open documents it saw, by file name
	encoding string
	unsafe   bool

	mu    sync.Mutex // serializes FixOne, which re-checks the package
	quick map[*rewrite.Finding][]*rewrite.FileChange

	// all is what "Fix all" changes (Result.FixAll), set before allDone is closed;
	// allErr says why there is none (the run was superseded).
	all     []*rewrite.FileChange
	allErr  error
	allDone chan struct{}
}

// Handle is called by the connection's reader, one message at a time: it does nothing
// slow.
func (s *server) Handle(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request) {
	<-s.started
	switch req.Method {
	case "initialize":
		var p initializeParams
		if err := s.params(req, &p); err != nil {
			return
		}
		s.mu.Lock()
		if slices.Contains(p.Capabilities.General.PositionEncodings, "utf-8") {
			s.encoding = "utf-8"
		}
		s.settings(p.InitializationOptions)
		enc := s.encoding
		s.mu.Unlock()
		conn.Reply(ctx, req.ID, initializeResult{
			Capabilities: serverCapabilities{
				PositionEncoding:   enc,
				TextDocumentSync:   textDocumentSync{OpenClose: true, Change: syncFull, Save: saveOptions{}},
				CodeActionProvider: codeActionProviderO{CodeActionKinds: []string{kindQuickFix, kindFixAll}},
			},
			ServerInfo: serverInfo{Name: "deferfix"},
		})
	case "initialized":
	case "shutdown":
		s.mu.Lock()
		s.shutdown = true
		for _, ps := range s.pkgs {
			if ps.cancel != nil {
				ps.cancel()
			}
		}
		s.mu.Unlock()
		conn.Reply(ctx, req.ID, nil)
	case "exit":
		s.mu.Lock()
		s.exited = true
		s.mu.Unlock()
		conn.Close()
	case "textDocument/didOpen":
		var p didOpenParams
		if s.params(req, &p) == nil {
			s.update(p.TextDocument.URI, p.TextDocument.Version, []byte(p.TextDocument.Text), 0)
		}
	case "textDocument/didChange":
		var p didChangeParams
		if s.params(req, &p) == nil && len(p.ContentChanges) > 0 {
			// Full synchronization: the last change is the whole text.
			text := p.ContentChanges[len(p.ContentChanges)-1].Text
			s.update(p.TextDocument.URI, p.TextDocument.Version, []byte(text), s.opt.Debounce)
		}
	case "textDocument/didSave":
		var p didSaveParams
		if s.params(req, &p) == nil {
			s.mu.Lock()
			doc := s.docs[uriPath(p.TextDocument.URI)]
			s.mu.Unlock()
			if doc != nil {
				text := doc.text
				if p.Text != nil {
					text = []byte(*p.Text)
				}
				s.update(p.TextDocument.URI, doc.version, text, 0)
			}
		}
	case "textDocument/didClose":
		var p didCloseParams
		if s.params(req, &p) == nil {
			path := uriPath(p.TextDocument.URI)
			s.mu.Lock()
			_, open := s.docs[path]
			delete(s.docs, path)
			s.mu.Unlock()
			// Without the buffer, the file on disk is what the package has again.
			if open {
				s.schedule(filepath.Dir(path), 0)
			}
		}
	case "workspace/didChangeConfiguration":
		var p didChangeConfigurationParams
		if s.params(req, &p) == nil {
			s.mu.Lock()
			changed := s.settings(p.Settings)
			var dirs []string
			for dir := range s.pkgs {
				dirs = append(dirs, dir)
			}
			s.mu.Unlock()
			if changed {
				for _, dir := range dirs {
					s.schedule(dir, 0)
				}
			}
		}
	case "textDocument/codeAction":
		var p codeActionParams
		if s.params(req, &p) != nil {
			return
		}
		rctx := s.track(req.ID)
		go func() {
			defer s.untrack(req.ID)
			actions, err := s.codeActions(rctx, p)
			if err != nil {
				conn.ReplyWithError(ctx, req.ID, &jsonrpc2.Error{Code: requestCancelled, Message: err.Error()})
				return
			}
			conn.Reply(ctx, req.ID, actions)
		}()
	case "$/cancelRequest":
		var p cancelParams
		if s.params(req, &p) == nil {
			s.mu.Lock()
			if cancel := s.requests[string(p.ID)]; cancel != nil {
				cancel()
			}
			s.mu.Unlock()
		}
	default:
		if !req.Notif {
			conn.ReplyWithError(ctx, req.ID, &jsonrpc2.Error{Code: jsonrpc2.CodeMethodNotFound, Message: "deferfix lsp: method not supported: " + req.Method})
		}
	}
}

// requestCancelled is the LSP error code of a request the client cancelled.
const requestCancelled = -32800

// params decodes a message's parameters, answering a request whose parameters are wrong.
func (s *server) params(req *jsonrpc2.Request, v any) error {
	var err error
	if req.Params == nil {
		err = fmt.Errorf("%s: missing params", req.Method)
	} else {
		err = json.Unmarshal(*req.Params, v)
	}
	if err != nil && !req.Notif {
		s.conn.ReplyWithError(s.ctx, req.ID, &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: err.Error()})
	}
	if err != nil {
		s.log(messageError, "deferfix: %s: %v", req.Method, err)
	}
	return err
}

// settings reads {"unsafe": bool}, alone or under "deferfix", from initializationOptions
// or workspace settings, and reports whether anything changed. s.mu is held.
func (s *server) settings(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	type opts struct {
		Unsafe *bool `json:"unsafe"`
	}
	var v struct {
		opts
		Deferfix *opts `json:"deferfix"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	unsafe := v.Unsafe
	if v.Deferfix != nil && v.Deferfix.Unsafe != nil {
		unsafe = v.Deferfix.Unsafe
	}
	if unsafe == nil || *unsafe == s.unsafe {
		return false
	}
	s.unsafe = *unsafe
	return true
}

func (s *server) track(id jsonrpc2.ID) context.Context {
	ctx, cancel := context.WithCancel(s.ctx)
	key, _ := json.Marshal(id)
	s.mu.Lock()
	s.requests[string(key)] = cancel
	s.mu.Unlock()
	return ctx
}

func (s *server) untrack(id jsonrpc2.ID) {
	key, _ := json.Marshal(id)
	s.mu.Lock()
	if cancel := s.requests[string(key)]; cancel != nil {
		cancel()
		delete(s.requests, string(key))
	}
	s.mu.Unlock()
}

// update records a buffer's new text and schedules its package's analysis.
func (s *server) update(uri string, version int, text []byte, delay time.Duration) {
	path := uriPath(uri)
	if path == "" || !strings.HasSuffix(path, ".go") {
		return
	}
	s.mu.Lock()
	s.docs[path] = &document{uri: uri, version: version, text: text}
	s.mu.Unlock()
	s.schedule(filepath.Dir(path), delay)
}

// schedule starts a run of the package in dir after delay, cancelling the one before. It
// reports false, and does nothing, once the client asked to shut down.
func (s *server) schedule(dir string, delay time.Duration) bool {
	s.mu.Lock()
	if s.shutdown {
		s.mu.Unlock()
		return false
	}
	ps := s.pkgs[dir]
	if ps == nil {
		ps = &pkgState{dir: dir, published: make(map[string]bool)}
		s.pkgs[dir] = ps
	}
	if ps.cancel != nil {
		ps.cancel()
	}
	ps.gen++
	ctx, cancel := context.WithCancel(s.ctx)
	ps.cancel = cancel
	if ps.ready == nil {
		ps.ready = make(chan struct{})
	}
	snap := &snapshot{gen: ps.gen, docs: make(map[string]*document), encoding: s.encoding, unsafe: s.unsafe, quick: make(map[*rewrite.Finding][]*rewrite.FileChange), allDone: make(chan struct{})}
	for path, d := range s.docs {
		snap.docs[path] = d
	}
	s.mu.Unlock()

	go func() {
		defer cancel()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return
			}
		}
		s.analyze(ctx, ps, snap)
	}()
	return true
}

// analyze runs the engine on ps's package with snap's buffers: a report, whose findings
// are published at once; the same findings with their fixes, kept for code actions; then
// the rounds of "Fix all". Nothing is published or kept if a newer run was scheduled
// meanwhile, and a newer run cancels what is left to do.
func (s *server) analyze(ctx context.Context, ps *pkgState, snap *snapshot) {
	report := s.run(ctx, ps, snap)
	if report == nil || !s.publish(ps, snap, report) {
		return
	}
	start := time.Now()
	res := report.WithFixes()
	if ctx.Err() != nil {
		return
	}
	if s.opt.Logf != nil {
		s.opt.Logf("deferfix lsp: %s: fixes made in %v", ps.dir, time.Since(start).Round(time.Millisecond))
	}
	snap.res = res
	s.mu.Lock()
	if snap.gen != ps.gen {
		s.mu.Unlock()
		return
	}
	ps.latest = snap
	if ps.ready != nil {
		close(ps.ready)
		ps.ready = nil
	}
	s.mu.Unlock()

	start = time.Now()
	snap.all = res.FixAll(ctx)
	snap.allErr = ctx.Err()
	close(snap.allDone)
	if s.opt.Logf != nil && snap.allErr == nil {
		s.opt.Logf("deferfix lsp: %s: fix all: %d files in %v", ps.dir, len(snap.all), time.Since(start).Round(time.Millisecond))
	}
}

// run is the report: rewrite.Run of the package in ps.dir without fixes; nil if ctx was
// cancelled.
func (s *server) run(ctx context.Context, ps *pkgState, snap *snapshot) *rewrite.Result {
	overlay := make(map[string][]byte, len(snap.docs))
	for path, d := range snap.docs {
		overlay[path] = d.text
	}
	cfg := &rewrite.Config{
		Dir:       ps.dir,
		Tags:      s.opt.Tags,
		Tests:     true,
		Analyzers: s.opt.Analyzers,
		Unsafe:    snap.unsafe,
		Overlay:   overlay,
	}
	start := time.Now()
	res, err := rewrite.Run(ctx, cfg, ".")
	if ctx.Err() != nil {
		return nil // superseded: the newer run publishes
	}
	if err != nil {
		s.log(messageLog, "deferfix: %s: %v", ps.dir, err)
		return &rewrite.Result{}
	}
	for _, pr := range res.Problems {
		if pr.Kind == rewrite.KindError {
			s.log(messageLog, "deferfix: %s", problem(pr))
		}
	}
	if s.opt.Logf != nil {
		s.opt.Logf("deferfix lsp: %s: %d findings in %v", ps.dir, len(res.Findings), time.Since(start).Round(time.Millisecond))
	}
	return res
}

// publish sends the findings of res as diagnostics: for every file with findings, and
// empty lists for the files that had some before and for the package's open buffers. It
// reports false, and sends nothing, if snap is no longer the latest.
func (s *server) publish(ps *pkgState, snap *snapshot, res *rewrite.Result) bool {
	byURI := make(map[string][]diagnostic)
	for _, f := range res.Findings {
		uri := snap.uri(f.Pos.Filename)
		byURI[uri] = append(byURI[uri], snap.diagnostic(f, s.opt.Analyzers))
	}
	s.mu.Lock()
	if snap.gen != ps.gen {
		s.mu.Unlock()
		return false
	}
	var uris []string
	for uri := range ps.published {
		if _, ok := byURI[uri]; !ok {
			uris = append(uris, uri)
		}
	}
	for uri := range byURI {
		uris = append(uris, uri)
	}
	ps.published = make(map[string]bool)
	for uri := range byURI {
		ps.published[uri] = true
	}
	for path, d := range snap.docs {
		if filepath.Dir(path) == ps.dir && !slices.Contains(uris, d.uri) {
			uris = append(uris, d.uri)
		}
	}
	s.mu.Unlock()
	slices.Sort(uris)
	for _, uri := range uris {
		p := publishDiagnosticsParams{URI: uri, Diagnostics: byURI[uri]}
		if p.Diagnostics == nil {
			p.Diagnostics = []diagnostic{}
		}
		if d := snap.docs[uriPath(uri)]; d != nil {
			v := d.version
			p.Version = &v
		}
		s.conn.Notify(s.ctx, "textDocument/publishDiagnostics", p)
	}
	return true
}

func problem(pr rewrite.Problem) string {
	if pr.Pos.Filename != "" {
		return fmt.Sprintf("%s: %v", pr.Pos, pr.Err)
	}
	if pr.Package != "" {
		return fmt.Sprintf("%s: %v", pr.Package, pr.Err)
	}
	return pr.Err.Error()
}

func (s *server) log(typ int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if s.opt.Logf != nil {
		s.opt.Logf("%s", msg)
	}
	if s.conn != nil {
		s.conn.Notify(s.ctx, "window/logMessage", logMessageParams{Type: typ, Message: msg})
	}
}

// uri returns the URI of a file: the client's own for an open buffer.
func (snap *snapshot) uri(path string) string {
	if d := snap.docs[path]; d != nil {
		return d.uri
	}
	return pathURI(path)
}

// content returns the text of a file as the run saw it.
func (snap *snapshot) content(path string) []byte {
	if d := snap.docs[path]; d != nil {
		return d.text
	}
	src, _ := os.ReadFile(path)
	return src
}

func (snap *snapshot) mapper(path string) *mapper {
	return newMapper(snap.content(path), snap.encoding == "utf-8")
}

func (snap *snapshot) diagnostic(f *rewrite.Finding, analyzers []*analysis.Analyzer) diagnostic {
	m := snap.mapper(f.Pos.Filename)
	end := f.Pos.Offset
	if f.End.IsValid() {
		end = f.End.Offset
	}
	d := diagnostic{
		Range:    m.rng(f.Pos.Offset, end),
		Severity: severityWarning,
		Code:     f.Rule,
		Source:   "deferfix",
		Message:  f.Message,
	}
	for _, a := range analyzers {
		if a.Name == f.Rule && a.URL != "" {
			d.CodeDescription = &codeDescription{Href: a.URL}
		}
	}
	return d
}

// current returns the latest analysis of path's package that saw the buffer as it is
// now, waiting for a run in progress (or starting one) when there is none yet.
func (s *server) current(ctx context.Context, path string) (*snapshot, error) {
	dir := filepath.Dir(path)
	for {
		s.mu.Lock()
		doc := s.docs[path]
		ps := s.pkgs[dir]
		if ps != nil && ps.latest != nil && ps.ready == nil {
			seen := ps.latest.docs[path]
			if seen == doc || (seen != nil && doc != nil && seen.version == doc.version && bytes.Equal(seen.text, doc.text)) {
				snap := ps.latest
				s.mu.Unlock()
				return snap, nil
			}
		}
		var ready chan struct{}
		if ps != nil {
			ready = ps.ready
		}
		s.mu.Unlock()
		if ready == nil {
			if !s.schedule(dir, 0) {
				return nil, errors.New("the server is shutting down")
			}
			continue
		}
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// codeActions returns the quick fixes of the findings on the lines of the request's range,
// and "Fix all" for the file.
func (s *server) codeActions(ctx context.Context, p codeActionParams) ([]codeAction, error) {
	path := uriPath(p.TextDocument.URI)
	actions := []codeAction{}
	if path == "" {
		return actions, nil
	}
	want := func(kind string) bool {
		return len(p.Context.Only) == 0 || slices.ContainsFunc(p.Context.Only, func(o string) bool {
			return kind == o || strings.HasPrefix(kind, o+".")
		})
	}
	if !want(kindQuickFix) && !want(kindFixAll) {
		return actions, nil
	}
	snap, err := s.current(ctx, path)
	if err != nil {
		return nil, err
	}
	first, last := p.Range.Start.Line, p.Range.End.Line
	if want(kindQuickFix) {
		for _, f := range snap.res.Findings {
			if f.Pos.Filename != path || f.Fix == nil {
				continue
			}
			d := snap.diagnostic(f, s.opt.Analyzers)
			if d.Range.End.Line < first || d.Range.Start.Line > last {
				continue
			}
			edit := snap.edit(snap.fixOne(ctx, f))
			if edit == nil {
				continue
			}
			actions = append(actions, codeAction{
				Title:       f.Fix.Title,
				Kind:        kindQuickFix,
				Diagnostics: []diagnostic{d},
				IsPreferred: !f.Fix.Unsafe,
				Edit:        edit,
			})
		}
	}
	// "Fix all" waits for its rounds when it is asked for by kind (on save, say);
	// otherwise it is offered once they are done, and the quick fixes do not wait.
	fixAll := false
	if want(kindFixAll) && len(p.Context.Only) > 0 {
		select {
		case <-snap.allDone:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	select {
	case <-snap.allDone:
		fixAll = want(kindFixAll) && snap.allErr == nil
	default:
	}
	if fixAll {
		for _, c := range snap.all {
			if c.Path == path {
				actions = append(actions, codeAction{
					Title: "Fix all deferfix findings in this file",
					Kind:  kindFixAll,
					Edit:  snap.edit([]*rewrite.FileChange{c}),
				})
			}
		}
	}
	return actions, ctx.Err()
}

// fixOne returns the changes of f's fix alone, computed once per snapshot.
func (snap *snapshot) fixOne(ctx context.Context, f *rewrite.Finding) []*rewrite.FileChange {
	snap.mu.Lock()
	defer snap.mu.Unlock()
	if cs, ok := snap.quick[f]; ok {
		return cs
	}
	cs := snap.res.FixOne(ctx, f)
	if ctx.Err() == nil {
		snap.quick[f] = cs
	}
	return cs
}

// edit turns file changes into a workspace edit of line edits: each run of changed lines
// is replaced, and everything else is left alone.
func (snap *snapshot) edit(changes []*rewrite.FileChange) *workspaceEdit {
	if len(changes) == 0 {
		return nil
	}
	we := &workspaceEdit{Changes: make(map[string][]textEdit)}
	for _, c := range changes {
		m := newMapper(c.Old, snap.encoding == "utf-8")
		var edits []textEdit
		for _, e := range linediff.Lines(string(c.Old), string(c.New)) {
			edits = append(edits, textEdit{Range: m.rng(e.Start, e.End), NewText: e.New})
		}
		if len(edits) > 0 {
			we.Changes[snap.uri(c.Path)] = edits
		}
	}
	if len(we.Changes) == 0 {
		return nil
	}
	return we
}
