// Evidence from the code alone, in tests as elsewhere: a call that never returns ends
// the iteration; a count computed from constants and table lengths is constant; an
// iteration that makes the deferred call itself leaves the defer as a backstop; a range
// over what the package ships in testdata or embeds is a fixed set. Each principle has
// a case that stays a finding beside it.
package f

import (
	"bufio"
	"embed"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
)

var cmds = []string{"a", "b", "c", "d", "e"}

// Ten iterations at most: twice a five-element table never changed.
func twice(dial func(string) (io.WriteCloser, error)) {
	for i := 0; i < 2*len(cmds); i++ {
		c, err := dial(cmds[i%len(cmds)])
		if err != nil {
			return
		}
		defer c.Close() // intended: the loop runs at most 10 times
		io.WriteString(c, cmds[i%len(cmds)])
	}
}

// Twenty: more than a handful of descriptors.
func fourTimes(dial func(string) (io.WriteCloser, error)) {
	for i := 0; i < 4*len(cmds); i++ {
		c, err := dial(cmds[i%len(cmds)])
		if err != nil {
			return
		}
		defer c.Close() // want `deferred Close in loop body runs only when the function returns`
		io.WriteString(c, cmds[i%len(cmds)])
	}
}

// The defer is only on the path to log.Fatal.
func fatalPath(names []string) {
	for _, n := range names {
		if strings.HasPrefix(n, "-") {
			f, err := os.Open(n)
			if err == nil {
				defer f.Close() // intended: every iteration that reaches the defer leaves the loop
				io.Copy(os.Stderr, f)
			}
			log.Fatal("bad name ", n)
		}
	}
}

// The iteration closes the file itself; the defer covers the early returns.
func backstop(names []string) (int, error) {
	count := 0
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			return 0, err
		}
		defer f.Close() // intended: the iteration makes the deferred call itself
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if sc.Text() == "" {
				continue // the scanner's loop, not this one
			}
			count++
		}
		if err := f.Close(); err != nil {
			return 0, err
		}
	}
	return count, nil
}

// A continue before the explicit call skips it: those files stay open.
func skipped(names []string) int {
	count := 0
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			continue
		}
		defer f.Close() // want `deferred Close in loop body runs only when the function returns`
		st, err := f.Stat()
		if err != nil || st.Size() == 0 {
			continue
		}
		count++
		f.Close()
	}
	return count
}

// Closed on one branch only: the other iterations hold their file.
func oneBranch(names []string) int {
	count := 0
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			return count
		}
		defer f.Close() // want `deferred Close in loop body runs only when the function returns`
		if st, err := f.Stat(); err == nil && st.Size() == 0 {
			f.Close()
		}
		count++
	}
	return count
}

// Outside test code a relative testdata path resolves against whatever directory the
// program runs in: input, not what the package ships (f_test.go has the test's case).
func golden() int {
	names, err := filepath.Glob(filepath.Join("testdata", "*.golden"))
	if err != nil {
		return 0
	}
	n := 0
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return n
		}
		defer f.Close() // want `deferred Close in loop body runs only when the function returns`
		b, _ := io.ReadAll(f)
		n += len(b)
	}
	return n
}

// A directory named by the caller is input: as many files as it holds.
func listing(dir string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return n
		}
		defer f.Close() // want `deferred Close in loop body runs only when the function returns`
		b, _ := io.ReadAll(f)
		n += len(b)
	}
	return n
}

// Each testdata file once per input line: the inner set is fixed, the outer loop is not.
func perLine(lines []string) int {
	n := 0
	for range lines {
		names, _ := filepath.Glob("testdata/*.txt")
		for _, name := range names {
			f, err := os.Open(name)
			if err != nil {
				return n
			}
			defer f.Close() // want `deferred Close in loop body runs only when the function returns`
			b, _ := io.ReadAll(f)
			n += len(b)
		}
	}
	return n
}

//go:embed *.go
var files embed.FS

// Files embedded in the package: a fixed set too.
func embedded() int {
	entries, _ := files.ReadDir(".")
	n := 0
	for _, e := range entries {
		f, err := files.Open(e.Name())
		if err != nil {
			return n
		}
		defer f.Close() // intended: a fixed set shipped with the code
		b, _ := io.ReadAll(f)
		n += len(b)
	}
	return n
}

// The file is reopened before the explicit call: the first one of each iteration stays
// open.
func reopened(names []string) {
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			return
		}
		defer f.Close() // want `deferred Close in loop body runs only when the function returns`
		io.Copy(os.Stdout, f)
		f, err = os.Open(n + ".sum")
		if err != nil {
			return
		}
		io.Copy(os.Stdout, f)
		f.Close()
	}
}

var hosts = []string{
	"a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
	"k", "l", "m", "n", "o", "p", "q", "r", "s", "t",
}

// Outside tests a table gets sixteen rows at most: twenty connections.
func dialAll(dial func(string) (io.WriteCloser, error)) {
	for _, h := range hosts {
		c, err := dial(h)
		if err != nil {
			return
		}
		defer c.Close() // want `deferred Close in loop body runs only when the function returns`
		io.WriteString(c, h)
	}
}
