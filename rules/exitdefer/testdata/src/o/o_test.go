package o

import (
	"bufio"
	"log"
	"os"
	"testing"
)

// fatal always ends the program with a failure status.
func fatal(err error) { // want fatal:"noReturn"
	log.Fatal(err)
}

// A failing example leaves its temporary file behind: litter of a run that already
// failed.
func Example_litter() { // want Example_litter:"lasting"
	f, err := os.CreateTemp("", "db")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString("x"); err != nil {
		log.Fatal(err) // intended: litter of a run that already failed
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
}

// os.Exit with a non-zero constant, and a helper that always calls log.Fatal, are failure
// exits too.
func Example_exitCode() { // want Example_exitCode:"lasting"
	defer os.RemoveAll("dir")
	if len(os.Args) > 5 {
		os.Exit(2) // intended: leaving a file or directory on disk
	}
	// Output:
}

func Example_helper() { // want Example_helper:"lasting"
	defer os.Remove("db")
	if len(os.Args) > 5 {
		fatal(nil) // intended: litter of a run that already failed
	}
	// Output:
}

// A success exit skips the removal of every run, the passing ones too.
func TestMain(m *testing.M) { // want TestMain:"lasting" TestMain:"noReturn"
	dir, err := os.MkdirTemp("", "o")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Exit(m.Run()) // want `os.Exit ends the program before the deferred os.RemoveAll \(line 56\) runs, so the file or directory is left on disk`
}

func Example_success() { // want Example_success:"lasting" Example_success:"noReturn"
	defer os.Remove("db")
	os.Exit(0) // want `os.Exit ends the program before the deferred os.Remove \(line 61\) runs`
}

// Data lost is a finding at any exit: the output of a failing run is what a person reads.
func Example_data() { // want Example_data:"lasting"
	defer os.Remove("db")
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	if len(os.Args) > 5 {
		log.Fatal("x") // want `log.Fatal ends the program before the deferred w.Flush \(line 69\) runs, so its buffered output is lost`
	}
	// Output:
}

// The first exit is intended, the second a finding: the finding is reported, at the
// second.
func Example_mixed() { // want Example_mixed:"lasting"
	defer os.Remove("db")
	if len(os.Args) > 5 {
		log.Fatal("x")
	}
	if len(os.Args) > 6 {
		os.Exit(0) // want `os.Exit ends the program before the deferred os.Remove \(line 79\) runs, so the file or directory is left on disk$`
	}
	// Output:
}
