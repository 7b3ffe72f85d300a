package f

import (
	"context"
	"io"
	"time"
)

// Tables given several values, each bounded, are bounded by the largest. Beside each, the
// same table given one value that is not bounded stays a finding.

// One network or two, chosen by a branch.
func exchange(ctx context.Context, useTCP bool, dial func(context.Context, string) error) error {
	var networks []string
	if useTCP {
		networks = []string{"tcp"}
	} else {
		networks = []string{"udp", "tcp"}
	}
	for _, network := range networks {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel() // intended: the loop runs at most 2 times (a range over networks, a table of at most 2 elements)
		if err := dial(ctx, network); err == nil {
			return nil
		}
	}
	return io.EOF
}

// The caller's networks are added: as many as it passes.
func exchangeMore(ctx context.Context, extra []string, dial func(context.Context, string) error) error {
	networks := []string{"udp", "tcp"}
	if len(extra) > 0 {
		networks = append(networks, extra...)
	}
	for _, network := range networks {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel() // want `defer in loop body runs only when the function returns`
		if err := dial(ctx, network); err == nil {
			return nil
		}
	}
	return io.EOF
}

// A reslice of itself only shrinks a table.
func probe(short bool, open func(int) (io.WriteCloser, error)) {
	probes := []int{0, 1}
	if short {
		probes = probes[:1]
	}
	for i := range probes {
		c, err := open(probes[i])
		if err != nil {
			continue
		}
		defer c.Close() // intended: the loop runs at most 2 times (a range over probes, a table of at most 2 elements)
		io.WriteString(c, "probe")
	}
}

// A reslice of another slice takes its length.
func probeFrom(all []int, open func(int) (io.WriteCloser, error)) {
	probes := []int{0, 1}
	if len(all) > 2 {
		probes = all[2:]
	}
	for i := range probes {
		c, err := open(probes[i])
		if err != nil {
			continue
		}
		defer c.Close() // want `deferred Close in loop body runs only when the function returns`
		io.WriteString(c, "probe")
	}
}

// A map literal, one entry of it replaced by a constant key: still two entries.
func imports(open func(string) (io.WriteCloser, error)) {
	files := map[string][]string{
		"exports.go":  {"go/ast", "go/token"},
		"generics.go": nil,
	}
	files["exports.go"] = []string{"go/ast"}
	for name, deps := range files {
		c, err := open(name)
		if err != nil {
			return
		}
		defer c.Close() // intended: the loop runs at most 2 times (a range over files, a table of at most 2 elements)
		io.WriteString(c, name+deps[0])
	}
}

// Keys from the input grow the map: as many entries as names.
func importsFrom(names []string, open func(string) (io.WriteCloser, error)) {
	files := map[string][]string{"exports.go": nil}
	for _, n := range names {
		files[n] = nil
	}
	for name := range files {
		c, err := open(name)
		if err != nil {
			return
		}
		defer c.Close() // want `deferred Close in loop body runs only when the function returns`
		io.WriteString(c, name)
	}
}

// A map handed to a function may grow there.
func importsFilled(fill func(map[string]bool), open func(string) (io.WriteCloser, error)) {
	files := map[string]bool{"exports.go": true}
	fill(files)
	for name := range files {
		c, err := open(name)
		if err != nil {
			return
		}
		defer c.Close() // want `deferred Close in loop body runs only when the function returns`
		io.WriteString(c, name)
	}
}

// The context assigned together with cancel is used by the iteration: it is done with
// by the iteration's end, not held (net's dialSerial: one per address tried).
func dialSerial(ctx context.Context, addrs []string, dial func(context.Context, string) error) error {
	for _, a := range addrs {
		dctx := ctx
		if _, ok := ctx.Deadline(); ok {
			var cancel context.CancelFunc
			dctx, cancel = context.WithTimeout(ctx, time.Second)
			defer cancel() // want `defer in loop body runs only when the function returns`
		}
		if err := dial(dctx, a); err == nil {
			return nil
		}
	}
	return io.EOF
}
