// Package closecheck defines an Analyzer that reports a deferred Close, Flush or Sync
// whose error is dropped although the resource was written to.
//
// # Analyzer closecheck
//
// closecheck: report dropped errors from deferred Close and Flush of written resources
//
// For a file or stream that was written, Close (or Flush) is where buffered data reaches
// the disk or the underlying writer, and where a failure shows. A deferred call drops
// that error:
//
//	f, err := os.Create(name)
//	if err != nil {
//		return err
//	}
//	defer f.Close() // a failed final write goes unnoticed: data loss
//
// Reported, on resources that are written: Close of an *os.File from os.Create,
// os.CreateTemp, or os.OpenFile with a constant flag whose access mode writes (O_WRONLY or
// O_RDWR; O_CREATE, O_APPEND and O_TRUNC alone leave the file read-only); Flush of a *bufio.Writer; Close of the gzip, zlib,
// flate, lzw, zip and tar writers; Flush of a *csv.Writer whose Error is never consulted.
// A file, bufio.Writer or csv.Writer counts only where the function writes through it: a
// Write, WriteString, WriteAt, WriteByte, WriteRune, WriteAll, ReadFrom or Truncate call,
// passing it as an interface with a Write method (fmt.Fprintf(f, ...), io.Copy(f, r),
// bufio.NewWriter(f)), passing it to a function of the package that writes through that
// parameter, or any use that cannot be followed (stored, returned, passed to another
// package's function by its concrete type). A file created and only Stat'ed, or opened
// read-write for an ioctl on its Fd, is not written; the compressors and archives are
// reported regardless, as their Close writes a trailer. Silent after a Sync whose error
// is checked (if err := f.Sync(); err != nil, return f.Sync()) in a statement of the
// function body itself (not on one branch only) and that follows every write: the data is
// on the disk. Silent on writers whose output is discarded: a file opened on os.DevNull
// or "/dev/null", a writer made on io.Discard or on such a file; and on scratch files
// the function removes when it returns (defer os.Remove(f.Name())): nothing reads what
// a failed Close would lose.
// Silent on files opened for reading, where the function also calls the same method and
// uses its result (return f.Close(), the usual belt-and-braces pattern), and where it
// closes the resource anywhere else, a function literal included: the deferred Close is
// then a backstop whose error would be the second Close's "already closed".
//
// A finding whose error nobody relies on looks intended: it is not reported unless asked
// (-v lists it with the reason; -all, or -closecheck.all under go vet, reports it, without
// a fix). A dropped Close error matters where bad data can go on as if it were good: a
// file the program or its users read later. So:
//
//   - In a _test.go file. What a test writes it checks itself (it reads the file back or
//     compares it) or throws away (scratch files, benchmark sinks, debug dumps); a golden
//     file regenerated under -update is checked by the next run. A lost Close error there
//     cannot ship bad data: at worst a later test fails. Test helpers in other files (a
//     testutil package, a function given a *testing.T) are still reported, and their fix
//     reports the failure with t.Error: tests of other packages use what they write
//     without seeing the error.
//   - A file written only by a debugging facility of the standard library:
//     runtime/pprof.StartCPUProfile, WriteHeapProfile or Profile.WriteTo,
//     runtime/trace.Start, or crypto/tls.Config.KeyLogWriter (an SSLKEYLOGFILE). A
//     profile, trace or key log is read by a person with a tool; a failed Close loses only
//     it. A file the program also writes itself is reported.
//   - A file created in a test's artifact directory (os.CreateTemp(t.ArtifactDir(), ...),
//     os.Create(filepath.Join(t.ArtifactDir(), name))): kept for a person to inspect, as
//     a trace dumped when a test fails; nothing reads it back.
//   - A file written on a best-effort basis: the function returns no error and gives up
//     without a word when the file cannot be opened (if err == nil { defer f.Close(); ... }
//     with no else, or if err != nil { return }) — a debug log appended to when an
//     environment variable names it. A failed open already loses everything it writes,
//     silently; a failed Close loses less. One that reports or panics when the open
//     fails is reported.
//   - Code under a constant false condition (if false, if debug with const debug = false;
//     the else of a constant true one): it never runs as written.
//
// The fix keeps the first error: the function's error result is named (err, or a fresh
// name; other results become _) and the defer becomes
//
//	defer func() {
//		if cerr := f.Close(); cerr != nil && err == nil {
//			err = cerr
//		}
//	}()
//
// so a Close failure is returned when nothing failed before it. In a function that returns
// no error but has a *testing.T, *testing.B, *testing.F or testing.TB parameter (a test
// helper outside _test.go files, whose findings look intended), the failure is reported
// to the test instead:
//
//	defer func() {
//		if cerr := f.Close(); cerr != nil {
//			t.Error(cerr)
//		}
//	}()
//
// The fix is not offered when the function returns no error and has no test to report
// to (there is nowhere to report the failure), when the
// deferred call's receiver may change after the defer (the closure would close another
// value: package rules/internal/effects decides, seeing assignments, closures, pointers),
// when evaluating it may panic (the panic would move to the return),
// or when the error result's name is shadowed at the defer.
package closecheck
