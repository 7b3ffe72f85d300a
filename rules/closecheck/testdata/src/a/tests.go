package a

import (
	"bufio"
	"encoding/csv"
	"os"
	"testing"
)

// In a test the failure goes to the test.
func writeGolden(t *testing.T, name string, data []byte) {
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
}

// A subtest's own t is the one used.
func subtests(t *testing.T, name string) {
	t.Run("x", func(tt *testing.T) {
		f, err := os.Create(name)
		if err != nil {
			tt.Fatal(err)
		}
		w := bufio.NewWriter(f)
		defer w.Flush() // want `deferred Writer.Flush drops its error`
		w.WriteString("x")
	})
}

// testing.TB, and a csv.Writer whose Error is what reports.
func tableTB(tb testing.TB, f *os.File) {
	w := csv.NewWriter(f)
	defer w.Flush() // want `deferred Writer.Flush drops its error`
	w.Write([]string{"a"})
}

// A benchmark's b.
func BenchmarkWrite(b *testing.B) {
	f, err := os.Create(b.TempDir() + "/x")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	for b.Loop() {
		f.Write([]byte("x"))
	}
}

// No test at hand: reported without a fix.
func helperNoTest(name string) {
	f, _ := os.Create(name)
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	f.Write(nil)
}

// Closed in a callback too: the deferred Close is a backstop (its error would be "already
// closed"), so nothing is reported (os's FIFO test).
func closedInCallback(t *testing.T, name string, after func(func())) {
	w, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	after(func() {
		if err := w.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
}

// Closed explicitly, result dropped: still a backstop.
func closedTwice(name string) error {
	w, err := os.Create(name)
	if err != nil {
		return err
	}
	defer w.Close()
	_, err = w.WriteString("x")
	w.Close()
	return err
}

// Fine: a file on /dev/null loses nothing.
func BenchmarkNull(b *testing.B) {
	f, err := os.Create(os.DevNull)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for b.Loop() {
		f.Write([]byte("x"))
	}
}

// Intended: a dump kept in the test's artifact directory for a person to inspect.
func dumpArtifact(t *testing.T, name string, data []byte) string {
	f, err := os.CreateTemp(t.ArtifactDir(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() // intended: created in the test's artifact directory (t.ArtifactDir)
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

// The same in a directory the caller names: other tests may read it back.
func dumpTo(t *testing.T, dir, name string, data []byte) string {
	f, err := os.CreateTemp(dir, name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}
