// In a _test.go file a dropped Close error looks intended: what a test writes it checks
// itself or throws away.

package c

import (
	"bufio"
	"compress/gzip"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Intended: a golden file regenerated under -update; the next run checks it.
func TestGolden(t *testing.T) {
	got := []byte("x")
	if *update {
		f, err := os.Create("testdata/x.golden")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close() // intended: in a _test.go file
		f.Write(got)
	}
}

// Intended: a benchmark's scratch output.
func BenchmarkWrite(b *testing.B) {
	f, err := os.Create(b.TempDir() + "/x")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close() // intended: in a _test.go file
	w := bufio.NewWriter(f)
	defer w.Flush() // intended: in a _test.go file
	zw := gzip.NewWriter(w)
	defer zw.Close() // intended: in a _test.go file
	for b.Loop() {
		zw.Write([]byte("x"))
	}
}

// Intended: a helper of the tests that caches data on disk, with an error result.
func cache(name string, data []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close() // intended: in a _test.go file
	_, err = f.Write(data)
	return err
}
