package f

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// The defer is on the path to t.Fatal only: at most one file waits for the test's end.
func TestMismatch(t *testing.T) {
	for _, name := range os.Args {
		if name == "mismatch" {
			f, err := os.Open(name)
			if err == nil {
				defer f.Close() // intended: every iteration that reaches the defer leaves the loop
				io.Copy(io.Discard, f)
			}
			t.Fatal("mismatch")
		}
	}
}

// t.Error does not end the test: every mismatch keeps its file open.
func TestMismatches(t *testing.T) {
	for _, name := range os.Args {
		if name == "mismatch" {
			f, err := os.Open(name)
			if err == nil {
				defer f.Close() // want `deferred Close in loop body runs only when the function returns`
				io.Copy(io.Discard, f)
			}
			t.Error("mismatch")
		}
	}
}

// The files of the package's testdata directory, read by a test (go test runs it in the
// package's directory): a fixed set shipped with the code.
func TestGolden(t *testing.T) {
	names, err := filepath.Glob(filepath.Join("testdata", "*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close() // intended: a fixed set shipped with the code
		io.Copy(io.Discard, f)
	}
}

// A test helper outside the test's own body, given the test: the same.
func readAll(t testing.TB) {
	entries, _ := os.ReadDir("./testdata/inputs")
	for _, e := range entries {
		f, err := os.Open(filepath.Join("testdata/inputs", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close() // intended: a fixed set shipped with the code
		io.Copy(io.Discard, f)
	}
}

// Another package's testdata, or any directory that merely has a testdata element, is
// not what this package ships.
func TestSibling(t *testing.T) {
	entries, _ := os.ReadDir("../shared/testdata")
	for _, e := range entries {
		f, err := os.Open(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close() // want `deferred Close in loop body runs only when the function returns`
		io.Copy(io.Discard, f)
	}
}

func TestAbsolute(t *testing.T) {
	names, _ := filepath.Glob("/srv/testdata/*.json")
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close() // want `deferred Close in loop body runs only when the function returns`
		io.Copy(io.Discard, f)
	}
}

// testdata + name names a file beside the directory, cleaned out of it: not in it.
func TestEscapes(t *testing.T) {
	for _, dir := range []string{"testdata/../cache", "testdata" + "x"} {
		names, _ := filepath.Glob(dir + "/*")
		for _, name := range names {
			f, err := os.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close() // want `deferred Close in loop body runs only when the function returns`
			io.Copy(io.Discard, f)
		}
	}
}

var goldenNames = []string{
	"a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
	"k", "l", "m", "n", "o", "p", "q", "r", "s", "t",
}

// A table the test spells out, of any size, is as fixed as testdata: twenty rows.
func TestTable(t *testing.T) {
	names := goldenNames
	if testing.Short() {
		names = goldenNames[:2]
	}
	for _, name := range names {
		f, err := os.Open(filepath.Join("testdata", name+".golden"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close() // intended: names, a table of at most 20 elements spelled out in the test, a fixed set
		io.Copy(io.Discard, f)
	}
}

// A count is not a table: a thousand files.
func TestCount(t *testing.T) {
	for i := range 1000 {
		f, err := os.CreateTemp(t.TempDir(), "x")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close() // want `deferred Close in loop body runs only when the function returns`
		io.WriteString(f, string(rune('a'+i%26)))
	}
}

var testDataDirs = []string{"testdata/html5lib/", "testdata/go/"}

// Directories of testdata, each ending at a separator, and a pattern appended: the
// files of testdata (x/net/html's parser test).
func TestParser(t *testing.T) {
	for _, dir := range testDataDirs {
		names, err := filepath.Glob(dir + "*.dat")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			f, err := os.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close() // intended: a fixed set shipped with the code
			io.Copy(io.Discard, f)
		}
	}
}

var dataDirs = []string{"testdata", "./testdata"}

// The directory itself with a pattern appended: testdata*.dat, beside it.
func TestBeside(t *testing.T) {
	for _, dir := range dataDirs {
		names, _ := filepath.Glob(dir + "*.dat")
		for _, name := range names {
			f, err := os.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close() // want `deferred Close in loop body runs only when the function returns`
			io.Copy(io.Discard, f)
		}
	}
}
