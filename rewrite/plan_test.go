package rewrite

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestContentChangedSinceParse: a file whose size differs from the parsed one is not
// used as the base of the fixes' offsets.
func TestContentChangedSinceParse(t *testing.T) {
	name := filepath.Join(t.TempDir(), "a.go")
	if err := os.WriteFile(name, []byte("package a\n// edited\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	p := &plan{files: map[string]*fileState{}, sizes: map[string]int{name: len("package a\n")}}
	if _, err := p.content(name); !errors.Is(err, ErrChanged) {
		t.Fatalf("content of a changed file: err = %v, want ErrChanged", err)
	}
	p.sizes[name] = len("package a\n// edited\n")
	if src, err := p.content(name); err != nil || string(src) != "package a\n// edited\n" {
		t.Fatalf("content = %q, %v", src, err)
	}
}
