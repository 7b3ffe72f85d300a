package rewrite

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// writeFile replaces path's content old with new atomically: a temporary file in the same
// directory, given the original's mode, renamed over it. It refuses a read-only file and a
// file whose content is no longer old (edited since deferfix loaded it), so nothing a
// person wrote meanwhile is lost.
func writeFile(path string, old, new []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	mode := info.Mode().Perm()
	if mode&0o200 == 0 {
		return fmt.Errorf("write: %w", ErrReadOnly)
	}
	cur, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if !bytes.Equal(cur, old) {
		return fmt.Errorf("write: %w", ErrChanged)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".deferfix-*")
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(new); err != nil {
		tmp.Close()
		return fmt.Errorf("write: %w", err)
	}
	if err := tmp.Chmod(info.Mode()); err != nil {
		tmp.Close()
		return fmt.Errorf("write: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	done = true
	return nil
}
