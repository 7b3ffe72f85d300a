package a

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"syscall"
)

// Fine: created, then only Stat'ed: nothing was written.
func statOnly(name string) (int64, error) {
	f, err := os.Create(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return info.Size(), nil
}

// Fine: opened read-write only for an ioctl on its descriptor.
func ioctl(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// Fine: the Sync after the last write is checked: the data is on the disk.
func synced(name string, data []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return nil
}

// A write after the checked Sync is not covered by it.
func writeAfterSync(name string, data []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	if err := f.Sync(); err != nil {
		return err
	}
	_, err = f.Write(data)
	return err
}

// Fine: writers to io.Discard, directly or through another writer, lose nothing.
func discard(data []byte) error {
	zw := gzip.NewWriter(io.Discard)
	defer zw.Close()
	bw := bufio.NewWriter(zw)
	defer bw.Flush()
	_, err := bw.Write(data)
	return err
}

func discardBuffered(data []byte) error {
	bw := bufio.NewWriter(io.Discard)
	defer bw.Flush()
	_, err := bw.Write(data)
	return err
}

// Fine: a bufio.Writer nothing is written to has nothing to flush.
func unused(w io.Writer) error {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	return nil
}

// A helper of the package writes through the file.
func viaHelper(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	return writeAll(f)
}

func writeAll(f *os.File) error {
	_, err := f.WriteString("x")
	return err
}

// Fine: the package's helper only reads the file's size.
func viaReader(name string) (int64, error) {
	f, err := os.Create(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return size(f)
}

func size(f *os.File) (int64, error) {
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return info.Size(), nil
}

// Passed as an io.Writer: written.
func printed(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	_, err = fmt.Fprintln(f, "x")
	return err
}

// Fine: passed as an io.Reader only.
func readBack(name string) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// Passed as an io.StringWriter: written.
func stringWriter(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	_, err = io.WriteString(f, "x")
	return err
}

func put(w io.StringWriter, s string) { w.WriteString(s) }

func viaStringWriter(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	put(f, "x")
	return nil
}

// A Sync on one branch only: the other path's Close error is the only check (bbolt's
// dmflakey writeFile).
func maybeSynced(name string, data []byte, sync bool) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	if _, err := f.Write(data); err != nil {
		return err
	}
	if sync {
		return f.Sync()
	}
	return nil
}

// Fine: return f.Sync() at the top level covers every path.
func syncReturned(name string, data []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Sync()
}

// Fine: a scratch file, removed when the function returns; nothing reads what a failed
// Close would lose.
func scratch(data []byte) error {
	f, err := os.CreateTemp("", "scratch")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	_, err = f.Write(data)
	return err
}

// Fine: the same, with the removal in a deferred literal.
func scratchLiteral(data []byte) error {
	f, err := os.CreateTemp("", "scratch")
	if err != nil {
		return err
	}
	defer func() {
		os.Remove(f.Name())
	}()
	defer f.Close()
	_, err = f.Write(data)
	return err
}

// Reported: a literal removes the file when the literal returns, not when this does.
func removedElsewhere(data []byte) (err error) {
	f, err := os.CreateTemp("", "kept")
	if err != nil {
		return err
	}
	func() {
		defer os.Remove(f.Name())
	}()
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	_, err = f.Write(data)
	return err
}
