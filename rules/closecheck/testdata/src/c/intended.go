// Findings that look intended: not reported by default, reported with -all and the
// reason (marked "// intended: "). Each has a twin nearby that is still reported.

package c

import (
	"crypto/tls"
	"fmt"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

const debug = false

// Intended: a debugging dump behind a constant false toggle never runs.
func dump(data []byte) error {
	if debug {
		f, err := os.Create("dump.bin")
		if err != nil {
			return err
		}
		defer f.Close() // intended: always false (if debug)
		f.Write(data)
	}
	if false {
		f, _ := os.Create("dump2.bin")
		defer f.Close() // intended: always false (if false)
		fmt.Fprintln(f, data)
	}
	return nil
}

// Intended: the else of a constant true condition, a literal included.
func dumpElse(data []byte) {
	if !debug {
		return
	} else {
		func() {
			f, _ := os.Create("dump.bin")
			defer f.Close() // intended: the else of a condition that is always true (if !debug)
			f.Write(data)
		}()
	}
}

var verbose = false

// Reported: a variable condition may hold.
func dumpVar(data []byte) {
	if verbose {
		f, _ := os.Create("dump.bin")
		defer f.Close() // want `deferred Close of a file opened for writing drops its error`
		f.Write(data)
	}
}

// Reported: a constant true condition runs its body.
func dumpTrue(data []byte) {
	if !debug {
		f, _ := os.Create("dump.bin")
		defer f.Close() // want `deferred Close of a file opened for writing drops its error`
		f.Write(data)
	}
}

// Intended: a CLI's profiling flags; only runtime/pprof and runtime/trace write the files.
func profile(cpu, mem, tr string, run func()) {
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			panic(err)
		}
		defer f.Close() // intended: written only by runtime/pprof.StartCPUProfile
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if mem != "" {
		f, err := os.Create(mem)
		if err != nil {
			panic(err)
		}
		defer f.Close() // intended: written only by runtime/pprof.WriteHeapProfile
		defer pprof.WriteHeapProfile(f)
	}
	if tr != "" {
		f, err := os.Create(tr)
		if err != nil {
			panic(err)
		}
		defer f.Close() // intended: written only by runtime/trace.Start
		if err := trace.Start((f)); err != nil {
			panic(err)
		}
		defer trace.Stop()
	}
	run()
}

// Intended: a named profile written to a file.
func goroutines(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close() // intended: written only by runtime/pprof.Profile.WriteTo
	return pprof.Lookup("goroutine").WriteTo(f, 1)
}

// Reported: the profile file also gets a header the program writes itself.
func profileWithHeader(name string) {
	f, _ := os.Create(name)
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	fmt.Fprintln(f, "# heap")
	pprof.WriteHeapProfile(f)
}

// Intended: an SSLKEYLOGFILE for a packet analyser, set on the config or in its literal.
func keyLog(cfg *tls.Config) {
	if name := os.Getenv("SSLKEYLOGFILE"); name != "" {
		f, err := os.Create(name)
		if err != nil {
			panic(err)
		}
		defer f.Close() // intended: written only by crypto/tls.Config.KeyLogWriter
		cfg.KeyLogWriter = f
	}
	serve(cfg)
}

func keyLogLiteral(name string) {
	f, _ := os.Create(name)
	defer f.Close() // intended: written only by crypto/tls.Config.KeyLogWriter
	serve(&tls.Config{KeyLogWriter: f})
}

func serve(*tls.Config) {}

type logConfig struct{ KeyLogWriter *os.File }

// Reported: a field of another type that happens to have the name.
func notTLS(name string) {
	f, _ := os.Create(name)
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	use(&logConfig{KeyLogWriter: f})
}

func use(*logConfig) {}

// Intended: a debug log appended to on a best-effort basis — the function returns no
// error and gives up silently when the file cannot be opened (cobra's CompDebug).
func compDebug(msg string) {
	if path := os.Getenv("COMP_DEBUG_FILE"); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			defer f.Close() // intended: gives up without a word when the file cannot be opened
			f.WriteString(msg)
		}
	}
}

// Intended: the same with an early return.
func saveHint(name, hint string) {
	f, err := os.Create(name)
	if err != nil {
		return
	}
	defer f.Close() // intended: writing it is best effort
	fmt.Fprintln(f, hint)
}

// Reported: a failed open is told, so the file matters.
func saveLogged(name, data string) {
	f, err := os.Create(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer f.Close() // want `deferred Close of a file opened for writing drops its error`
	f.WriteString(data)
}

// Reported: a failed open panics (a generator writing its output).
func generate(name, data string) {
	out, err := os.Create(name)
	if err != nil {
		panic(err)
	}
	defer out.Close() // want `deferred Close of a file opened for writing drops its error`
	if _, err := out.WriteString(data); err != nil {
		panic(err)
	}
}
