// Test loops: the same evidence decides as elsewhere. Holding N connections and then
// asserting on the server is the point of such tests; a file per row of a large or
// input-sized table, used and left open, is a finding.

package a

import (
	"errors"
	"io"
	"os"
	"sync"
	"testing"
)

type server struct {
	mu    sync.Mutex
	conns int
	limit int
}

type client struct{ s *server }

func (s *server) dial() (*client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limit > 0 && s.conns >= s.limit {
		return nil, errors.New("too many connections")
	}
	s.conns++
	return &client{s}, nil
}

func (c *client) Close() error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.s.conns--
	return nil
}

func (c *client) Subscribe(subject string) error { return nil }

func (s *server) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// Intended: N connections held open, then the server is asked how many it has. The
// iteration uses each connection, but the code after the loop refers to the loop's count.
func TestHoldsConnections(t *testing.T) {
	s := &server{}
	const n = 50
	for i := 0; i < n; i++ {
		c, err := s.dial()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close() // intended: refers to its count n
		if err := c.Subscribe("foo"); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.count(); got != n {
		t.Fatalf("server has %d connections, want %d", got, n)
	}
}

// Intended: the iteration only acquires; it holds every connection open.
func holdsClients(t *testing.T, numClients int) {
	s := &server{}
	for range numClients {
		c, err := s.dial()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close() // intended: does nothing with c but acquire it
	}
	if s.count() != numClients {
		t.Fatal("lost a connection")
	}
}

// Intended: connect until the server's limit refuses a connection; per-iteration closes
// would never reach the limit.
func TestConnectUntilRefused(t *testing.T) {
	s := &server{limit: 40}
	accepted := 0
	for {
		c, err := s.dial()
		if err != nil {
			break
		}
		defer c.Close() // intended: runs until acquiring fails
		if err := c.Subscribe("foo"); err != nil {
			t.Fatal(err)
		}
		accepted++
	}
	if accepted != s.limit {
		t.Fatalf("accepted %d connections, want %d", accepted, s.limit)
	}
}

// Intended: the loop runs once — a retry loop whose successful pass always breaks.
func retryDial(t *testing.T, s *server) {
	for attempt := 0; ; attempt++ {
		c, err := s.dial()
		if err != nil {
			continue
		}
		defer c.Close() // intended: at most one deferred call
		if err := c.Subscribe("foo"); err != nil {
			t.Fatal(err)
		}
		break
	}
}

// Intended: a small constant table; three files wait for the return at most.
func TestSmallTable(t *testing.T) {
	tests := []struct{ name string }{{"a"}, {"b"}, {"c"}}
	for _, tt := range tests {
		f, err := os.Open(tt.name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close() // intended: runs at most 3 times
		if _, err := io.ReadAll(f); err != nil {
			t.Fatal(err)
		}
	}
}

// Intended: a file per entry of the package's testdata directory, read, and left open
// until the test ends. The set is fixed by the repository, the same on every run: if it
// exhausted descriptors, every run would fail, its author's first.
func TestEachFile(t *testing.T) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		f, err := os.Open(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close() // intended: a fixed set shipped with the code
		if _, err := io.ReadAll(f); err != nil {
			t.Fatal(err)
		}
	}
}

// Reported: a same-mutex lock in a small constant loop still deadlocks.
func lockThrice(t *testing.T, mu *sync.Mutex, n *int) {
	for range 3 {
		mu.Lock()
		defer mu.Unlock() // want `next iteration.s lock deadlocks`
		*n++
	}
}

func noError(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Reported and fixed: an assertion helper called again after the defer undoes nothing
// (the refusal read it as "undoing a change (noError)").
func asserts(t *testing.T, s *server, names []string) {
	for _, name := range names {
		c, err := s.dial()
		noError(t, err)
		defer func() { noError(t, c.Close()) }() // want `defer in loop body`
		noError(t, c.Subscribe(name))
	}
}

// Reported: each file is read before its Close is deferred; the iteration is done with it
// and the file is not held on purpose.
func readThenDefer(t *testing.T, names []string) int {
	n := 0
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(f)
		defer f.Close() // want `deferred Close in loop body`
		if err != nil {
			t.Fatal(err)
		}
		n += len(data)
	}
	return n
}

// Reported: the count is a parameter, so the loop is input-sized; mentioning it again
// after the loop observes nothing.
func writeN(n int, write func(*res) error) (int, error) {
	for i := 0; i < n; i++ {
		r, err := open("f")
		if err != nil {
			return 0, err
		}
		defer r.Close() // want `deferred Close in loop body`
		if err := write(r); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// Reported: the inner loop leaves after the defer, but by continuing the outer loop, which
// runs it again; the break after the inner loop does not make the outer loop run once.
func retryEach(names []string, use func(*res) bool) {
outer:
	for {
		for _, name := range names {
			r, err := open(name)
			if err != nil {
				continue
			}
			defer r.Close() // want `deferred Close in loop body`
			if use(r) {
				continue outer
			}
			return
		}
		break
	}
}

// Intended: a test that holds a connection per client, then asks the server that gave them
// out; the number of clients is input-sized, but what follows the loop in a test asserts.
func holdsAndAsks(t *testing.T, s *server, clients []string) {
	for _, name := range clients {
		c, err := s.dial()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close() // intended: asks s, which the loop acquires from
		if err := c.Subscribe(name); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.count(); got != len(clients) {
		t.Fatalf("server has %d connections, want %d", got, len(clients))
	}
}

// Reported: the same shape outside a test is an ordinary leak — every subscription's
// connection stays open until the function returns.
func subscribeAll(s *server, subjects []string) (int, error) {
	for _, subject := range subjects {
		c, err := s.dial()
		if err != nil {
			return 0, err
		}
		defer c.Close() // want `deferred Close in loop body`
		if err := c.Subscribe(subject); err != nil {
			return 0, err
		}
	}
	return s.count(), nil
}

var greetings = []string{"hello", "ehlo"}

// Intended: i counts up to the length of a two-row table that never changes.
func greetAll(t *testing.T, s *server) {
	for i := 0; i < len(greetings); i++ {
		c, err := s.dial()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close() // intended: runs at most 2 times
		if err := c.Subscribe(greetings[i]); err != nil {
			t.Fatal(err)
		}
	}
}
