// Package i exits with deferred calls pending whose effect outlives the process: each is
// reported (without a fix: not func main).
package i

import (
	"archive/zip"
	"compress/gzip"
	"database/sql"
	"encoding/csv"
	"glog"
	"io"
	"log"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

func compress(f *os.File) { // want compress:"lasting" compress:"noReturn"
	zw := gzip.NewWriter(f)
	defer zw.Close()
	log.Fatal("x") // want `log.Fatal ends the program before the deferred zw.Close \(line 20\) runs, so the compressed stream is left unfinished and cannot be read back`
}

func archive(f *os.File) { // want archive:"lasting" archive:"noReturn"
	zw := zip.NewWriter(f)
	defer zw.Close()
	log.Fatal("x") // want `the deferred zw.Close \(line 26\) runs, so the archive is left without its trailer`
}

func records(f *os.File) { // want records:"lasting" records:"noReturn"
	cw := csv.NewWriter(f)
	defer cw.Flush()
	log.Fatal("x") // want `the deferred cw.Flush \(line 32\) runs, so its buffered output is lost`
}

// Through an interface: the value assigned is a gzip.Writer.
func iface(f *os.File) { // want iface:"lasting" iface:"noReturn"
	var w io.WriteCloser = gzip.NewWriter(f)
	defer w.Close()
	log.Fatal("x") // want `the deferred w.Close \(line 39\) runs, so the compressed stream`
}

// Through an interface whose value is a file: moot.
func ifaceFile(f *os.File) { // want ifaceFile:"noReturn"
	var w io.WriteCloser = f
	defer w.Close()
	log.Fatal("x")
}

func profile(f *os.File) { // want profile:"lasting"
	if err := pprof.StartCPUProfile(f); err != nil {
		return
	}
	defer pprof.StopCPUProfile()
	log.Fatal("x") // want `the deferred pprof.StopCPUProfile \(line 54\) runs, so the profile is left incomplete`
}

func tracing(f *os.File) { // want tracing:"lasting"
	if err := trace.Start(f); err != nil {
		return
	}
	defer trace.Stop()
	log.Fatal("x") // want `the deferred trace.Stop \(line 62\) runs, so the trace is left incomplete`
}

func commit(db *sql.DB) { // want commit:"lasting"
	tx, err := db.Begin()
	if err != nil {
		return
	}
	defer tx.Commit()
	log.Fatal("x") // want `the deferred tx.Commit \(line 71\) runs, so the transaction is never committed`
}

func sync(f *os.File) { // want sync:"lasting" sync:"noReturn"
	defer f.Sync()
	os.Exit(1) // want `the deferred f.Sync \(line 76\) runs, so buffered data is never made durable`
}

// A logger with a Sync() error method, as zap's.
type Logger struct{}

func (*Logger) Info(msg string) {}
func (*Logger) Sync() error     { return nil }

func logger(l *Logger) { // want logger:"lasting" logger:"noReturn"
	defer l.Sync()
	os.Exit(1) // want `the deferred l.Sync \(line 87\) runs, so buffered data is never made durable`
}

// A deferred literal that removes a temporary file.
func literal() { // want literal:"lasting"
	f, err := os.CreateTemp("", "x")
	if err != nil {
		return
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	log.Fatal("x") // want `the deferred function literal \(line 97\) runs, so the file or directory is left on disk`
}

// A function of the package that removes a directory carries a fact, transitively.
func cleanup(dir string) { os.RemoveAll(dir) } // want cleanup:"lasting"

func cleanAll(dirs []string) { // want cleanAll:"lasting"
	for _, d := range dirs {
		cleanup(d)
	}
}

func viaFact(dirs []string) { // want viaFact:"lasting" viaFact:"noReturn"
	defer cleanAll(dirs)
	os.Exit(1) // want `the deferred cleanAll \(line 114\) runs, so the file or directory is left on disk`
}

// Another package's Flush function flushes buffered logs.
func logs() { // want logs:"lasting" logs:"noReturn"
	defer glog.Flush()
	os.Exit(1) // want `the deferred glog.Flush \(line 120\) runs, so its buffered output is lost`
}
