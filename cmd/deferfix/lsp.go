package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/deferfix/deferfix/cmd/deferfix/internal/lsp"
)

const lspUsage = `usage: deferfix lsp [flags]

deferfix lsp is a Language Server Protocol server on standard input and output, for an
editor to run next to gopls: it publishes deferfix's findings as diagnostics and offers
their fixes as code actions (quickfix, and source.fixAll.deferfix for a whole file).
Fixes that change behaviour on panic are offered with -unsafe, or when the client's
initializationOptions or settings say {"unsafe": true}.

Flags:
`

// runLSP is `deferfix lsp`.
func runLSP(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("deferfix lsp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, lspUsage)
		fs.PrintDefaults()
	}
	var (
		enable, disable, tags string
		unsafe, verbose       bool
		debounce              time.Duration
	)
	fs.StringVar(&enable, "rules", "", "comma-separated rules to run (default all)")
	fs.StringVar(&disable, "disable", "", "comma-separated rules not to run")
	fs.StringVar(&tags, "tags", "", "comma-separated build tags")
	fs.BoolVar(&unsafe, "unsafe", false, "also offer fixes that change behaviour on panic")
	fs.BoolVar(&verbose, "v", false, "log each analysis on stderr")
	fs.DurationVar(&debounce, "debounce", 300*time.Millisecond, "wait this long after an edit before analyzing")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "deferfix lsp: unexpected arguments %q\n", fs.Args())
		return exitError
	}
	analyzers, err := selectRules(enable, disable)
	if err != nil {
		fmt.Fprintf(stderr, "deferfix lsp: %v\n", err)
		return exitError
	}
	opt := lsp.Options{Analyzers: analyzers, Unsafe: unsafe, Debounce: debounce}
	if tags != "" {
		opt.Tags = strings.Split(tags, ",")
	}
	if verbose {
		opt.Logf = func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	}
	rwc := stdio{stdin, stdout}
	if err := lsp.Serve(context.Background(), rwc, opt); err != nil {
		fmt.Fprintf(stderr, "deferfix lsp: %v\n", err)
		return exitError
	}
	return exitClean
}

// stdio is the server's connection: standard input and output.
type stdio struct {
	io.Reader
	io.Writer
}

func (stdio) Close() error { return nil }
