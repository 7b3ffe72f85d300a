// Assertion helpers only read and fail: called again after the defer, they undo nothing.
// What a call can do decides (effects.CallChanges), not its name or its parameters.

package a

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
)

// check panics on an error: it changes nothing a later call could undo.
func check(err error) {
	if err != nil {
		panic(err)
	}
}

// Reported and fixed: check(c.Subscribe(name)) after the defer undoes nothing (the refusal
// read it as "undoing a change (check)").
func checks(t *testing.T, s *server, names []string) {
	for _, name := range names {
		c, err := s.dial()
		check(err)
		defer func() { check(c.Close()) }() // want `defer in loop body`
		check(c.Subscribe(name))
	}
}

// failer is gotest.tools' assert.TestingT: it fails a test without an Errorf method.
type failer interface {
	FailNow()
	Log(args ...any)
}

func nilError(t failer, err error) {
	if err != nil {
		t.Log(err)
		t.FailNow()
	}
}

// Reported and fixed: nilError only logs and fails.
func nilErrors(t *testing.T, s *server, names []string) {
	for _, name := range names {
		c, err := s.dial()
		nilError(t, err)
		defer func() { nilError(t, c.Close()) }() // want `defer in loop body`
		nilError(t, c.Subscribe(name))
	}
}

// is is matryer/is: the reporter is a field, the helper a method without it.
type is struct{ t failer }

func (i *is) NoErr(err error) {
	if err != nil {
		i.t.FailNow()
	}
}

// Reported and fixed: is.NoErr only fails.
func noErrs(i *is, s *server, names []string) {
	for _, name := range names {
		c, err := s.dial()
		i.NoErr(err)
		defer func() { i.NoErr(c.Close()) }() // want `defer in loop body`
		i.NoErr(c.Subscribe(name))
	}
}

// ok and equals are Ben Johnson's helpers: what they do before FailNow is on the way
// out of the test, and reflect.DeepEqual is a query.
func ok(tb testing.TB, err error) {
	if err != nil {
		_, file, line, _ := runtime.Caller(1)
		fmt.Printf("%s:%d: unexpected error: %s\n", filepath.Base(file), line, err.Error())
		tb.FailNow()
	}
}

func equals(tb testing.TB, exp, act any) {
	if !reflect.DeepEqual(exp, act) {
		tb.FailNow()
	}
}

// Reported and fixed: ok and equals only fail.
func oks(t *testing.T, s *server, names []string) {
	for _, name := range names {
		c, err := s.dial()
		ok(t, err)
		defer func() { ok(t, c.Close()) }() // want `defer in loop body`
		equals(t, nil, c.Subscribe(name))
	}
}

var level int

func setLevel(l int) { level = l }

// Intended: setLevel assigns a package variable, which the deferred call sets back; the
// level is meant to last until the function returns.
func levels(s *server, names []string) {
	for _, name := range names {
		old := level
		defer setLevel(old) // intended: undoes a change (setLevel)
		setLevel(len(name))
	}
}

// Intended: log.SetOutput is a setter, not a print function of package log.
func outputs(files []*os.File) {
	for _, f := range files {
		defer log.SetOutput(os.Stderr) // intended: undoes a change (SetOutput)
		log.SetOutput(f)
		log.Print("to ", f.Name())
	}
}

// openFor fails the test, through gotest.tools' kind of reporter, when name cannot be opened.
func openFor(t failer, name string) *os.File {
	f, err := os.Open(name)
	if err != nil {
		t.Log(err)
		t.FailNow()
	}
	return f
}

// Reported and fixed: the reporter the helper takes (a failer, without Errorf) is the
// test's, not a source the code after the loop asks again about what the loop holds
// (effects.IsTestReporter: one notion of a test reporter).
func TestFailerLogs(t *testing.T) {
	var ft failer = t
	for _, name := range os.Args {
		f := openFor(ft, name)
		defer f.Close() // want `deferred Close in loop body`
		f.Stat()
	}
	ft.Log("done")
}
