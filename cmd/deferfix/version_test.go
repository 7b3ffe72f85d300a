package main

import (
	"bytes"
	"regexp"
	"testing"
)

// TestVersionFull checks the line the go command reads to key go vet's cache: a devel
// build must end in buildID=, or go vet -vettool refuses the tool.
func TestVersionFull(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-V=full"}, nil, &out, &errb); code != 0 {
		t.Fatalf("-V=full exited %d: %s", code, errb.String())
	}
	re := regexp.MustCompile(`^deferfix version (devel|v\S+)( [0-9a-f]{7,}(\+modified)?)? buildID=[0-9a-f]{64}\n$`)
	if !re.MatchString(out.String()) {
		t.Errorf("-V=full printed %q, want a match for %s", out.String(), re)
	}
}

func TestVersionFlag(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-version"}, nil, &out, &errb); code != 0 {
		t.Fatalf("-version exited %d: %s", code, errb.String())
	}
	if re := regexp.MustCompile(`^deferfix (devel|v\S+)( \(rev [0-9a-f]+(, modified)?\))? go1\.\d+`); !re.MatchString(out.String()) {
		t.Errorf("-version printed %q, want a match for %s", out.String(), re)
	}
}
