package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/deferfix/deferfix/rules"
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

// TestDoc checks that every rule's documentation can be read from the binary, both as
// deferfix doc RULE and deferfix -help RULE, and that an unknown rule is an error.
func TestDoc(t *testing.T) {
	for _, a := range rules.All {
		for _, args := range [][]string{{"doc", a.Name}, {"-help", a.Name}} {
			var out, errb bytes.Buffer
			if code := run(args, nil, &out, &errb); code != exitClean {
				t.Fatalf("deferfix %v exited %d: %s", args, code, errb.String())
			}
			if !strings.HasPrefix(out.String(), a.Doc) || !strings.Contains(out.String(), a.URL) {
				t.Errorf("deferfix %v printed\n%s\nwant the rule's doc and URL", args, out.String())
			}
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"doc", "nosuchrule"}, nil, &out, &errb); code != exitError || !strings.Contains(errb.String(), `unknown rule "nosuchrule"`) {
		t.Errorf("deferfix doc nosuchrule exited %d: %s", code, errb.String())
	}
}

// TestDocBeforeAfter checks that every rule's doc shows code: what it reports and what its
// fix writes (or, without a fix, what to write instead) — two code blocks at least.
func TestDocBeforeAfter(t *testing.T) {
	for _, a := range rules.All {
		blocks, in := 0, false
		for _, l := range strings.Split(a.Doc, "\n") {
			code := strings.HasPrefix(l, "\t")
			if code && !in {
				blocks++
			}
			if l != "" {
				in = code
			}
		}
		if blocks < 2 {
			t.Errorf("%s: its doc shows %d code block(s), want a before and an after", a.Name, blocks)
		}
	}
}
