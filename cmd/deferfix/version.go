package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
)

// version describes this build from its build information: the module version (a tag
// when installed with go install …@vX.Y.Z, "(devel)" when built in the repository) and
// the VCS revision, when the build recorded one.
type version struct {
	Module   string // v1.2.3, or "devel"
	Revision string // VCS revision, or ""
	Modified bool   // the working tree had uncommitted changes
	Go       string
}

func buildVersion() version {
	v := version{Module: "devel", Go: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if m := bi.Main.Version; m != "" && m != "(devel)" {
		v.Module = m
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is what -version prints: deferfix v1.2.3 (rev 0123abcd, modified) go1.26.
func (v version) String() string {
	s := "deferfix " + v.Module
	if v.Revision != "" {
		rev := v.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		s += " (rev " + rev
		if v.Modified {
			s += ", modified"
		}
		s += ")"
	}
	return s + " " + v.Go
}

// printVersionFull answers the go command's -V=full, which keys go vet's and go fix's
// result cache on the line: "NAME version VERSION … buildID=ID". For a devel build the go
// command requires the buildID field and keys on it alone, so it is the executable's hash:
// a rebuilt deferfix invalidates the cached results of the old one.
func printVersionFull(w io.Writer) error {
	v := buildVersion()
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("-V=full: %w", err)
	}
	f, err := os.Open(exe)
	if err != nil {
		return fmt.Errorf("-V=full: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("-V=full: reading %s: %w", exe, err)
	}
	name := "deferfix"
	rev := ""
	if v.Revision != "" {
		rev = " " + v.Revision
		if v.Modified {
			rev += "+modified"
		}
	}
	_, err = fmt.Fprintf(w, "%s version %s%s buildID=%x\n", name, v.Module, rev, h.Sum(nil))
	return err
}
