package a

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"io"
	"os"
)

func save(name string, data []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	_, err = f.Write(data)
	return err
}

// Unnamed results get names; err is taken, so the result is named retErr.
func count(name string, data []byte) (int, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, err
	}
	defer f.Close() // want `deferred Close of a file opened for writing`
	return f.Write(data)
}

// Named results are used as they are.
func compress(w io.Writer, data []byte) (n int, err error) {
	zw := gzip.NewWriter(w)
	defer zw.Close() // want `deferred Writer.Close drops its error, so buffered data can be lost`
	return zw.Write(data)
}

func buffered(w io.Writer, lines []string) error {
	bw := bufio.NewWriter(w)
	defer bw.Flush() // want `deferred Writer.Flush drops its error`
	for _, l := range lines {
		if _, err := bw.WriteString(l); err != nil {
			return err
		}
	}
	return nil
}

func table(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	defer cw.Flush() // want `deferred Writer.Flush drops its error`
	for _, r := range rows {
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	return nil
}

// Reported without a fix: nowhere to return the error.
func noError(name string) {
	f, _ := os.Create(name)
	defer f.Close() // want `deferred Close of a file opened for writing`
	f.WriteString("x")
}

// Fine: read-only file.
func read(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// Fine: the deferred Close is a backstop; the real one is checked.
func backstop(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.WriteString("x"); err != nil {
		return err
	}
	return f.Close()
}

// Fine: csv errors are consulted.
func tableChecked(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	defer cw.Flush()
	cw.WriteAll(rows)
	return cw.Error()
}

// Fine: O_APPEND|O_CREATE without a write mode opens read-only.
func appendReadOnly(name string) error {
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	return nil
}

// Fine: read-only OpenFile.
func readOnly(name string) error {
	f, err := os.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return nil
}
