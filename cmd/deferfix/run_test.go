package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script/*.txtar")

// TestScripts runs the end-to-end scripts in ../../testdata/script. Each archive is a
// module plus, in its comment, one command per line:
//
//	deferfix ARGS...        run deferfix in the module (paths print relative to it)
//	exit N                  the previous deferfix must have exited with N
//	chmod MODE FILE         change a file's mode
//	edit-before-write FILE  append a line to FILE after the next deferfix planned, before it writes
//	mode FILE MODE          FILE must have permission bits MODE
//
// Section "stdout.N" / "stderr.N" holds what the N-th deferfix printed ($WORK stands for
// the module directory); "want/PATH" holds what PATH must contain at the end. Run with
// -update to rewrite the expected output.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("../../testdata/script/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			runScript(t, file)
		})
	}
}

func runScript(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	want := make(map[string]string)
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, "stdout.") || strings.HasPrefix(f.Name, "stderr.") {
			want[f.Name] = string(f.Data)
			continue
		}
		if strings.HasPrefix(f.Name, "want/") {
			continue
		}
		path := filepath.Join(dir, f.Name)
		os.MkdirAll(filepath.Dir(path), 0o777)
		if err := os.WriteFile(path, f.Data, 0o666); err != nil {
			t.Fatal(err)
		}
	}

	got := make(map[string]string)
	step, lastExit := 0, -1
	var editBeforeWrite string
	for i, line := range strings.Split(string(ar.Comment), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", filepath.Base(file), i+1)
		switch fields[0] {
		case "deferfix":
			step++
			var stdout, stderr bytes.Buffer
			var hook func()
			if editBeforeWrite != "" {
				name := filepath.Join(dir, editBeforeWrite)
				hook = func() { appendLine(t, name, "// edited meanwhile") }
				editBeforeWrite = ""
			}
			lastExit = runWith(append([]string{"-C", dir}, fields[1:]...), nil, &stdout, &stderr, hook)
			got[fmt.Sprintf("stdout.%d", step)] = strings.ReplaceAll(stdout.String(), dir, "$WORK")
			got[fmt.Sprintf("stderr.%d", step)] = strings.ReplaceAll(stderr.String(), dir, "$WORK")
		case "exit":
			if n, _ := strconv.Atoi(fields[1]); n != lastExit {
				t.Errorf("%s: deferfix exited %d, want %d\nstdout:\n%s\nstderr:\n%s", where, lastExit, n, got[fmt.Sprintf("stdout.%d", step)], got[fmt.Sprintf("stderr.%d", step)])
			}
		case "chmod":
			mode, _ := strconv.ParseUint(fields[1], 8, 32)
			if err := os.Chmod(filepath.Join(dir, fields[2]), fs.FileMode(mode)); err != nil {
				t.Fatal(err)
			}
		case "mode":
			info, err := os.Stat(filepath.Join(dir, fields[1]))
			if err != nil {
				t.Fatal(err)
			}
			if m := fmt.Sprintf("%04o", info.Mode().Perm()); m != fields[2] {
				t.Errorf("%s: %s has mode %s, want %s", where, fields[1], m, fields[2])
			}
		case "edit-before-write":
			editBeforeWrite = fields[1]
		default:
			t.Fatalf("%s: unknown command %q", where, fields[0])
		}
	}

	if *update {
		var out []txtar.File
		for _, f := range ar.Files {
			if !strings.HasPrefix(f.Name, "stdout.") && !strings.HasPrefix(f.Name, "stderr.") {
				out = append(out, f)
			}
		}
		for s := 1; s <= step; s++ {
			for _, kind := range []string{"stdout", "stderr"} {
				name := fmt.Sprintf("%s.%d", kind, s)
				if got[name] != "" {
					out = append(out, txtar.File{Name: name, Data: []byte(got[name])})
				}
			}
		}
		ar.Files = out
		for i, f := range ar.Files {
			if name, ok := strings.CutPrefix(f.Name, "want/"); ok {
				data, _ := os.ReadFile(filepath.Join(dir, name))
				ar.Files[i].Data = data
			}
		}
		if err := os.WriteFile(file, txtar.Format(ar), 0o666); err != nil {
			t.Fatal(err)
		}
		return
	}
	for s := 1; s <= step; s++ {
		for _, kind := range []string{"stdout", "stderr"} {
			name := fmt.Sprintf("%s.%d", kind, s)
			if got[name] != want[name] {
				t.Errorf("%s of deferfix #%d:\n got:\n%s\nwant:\n%s", kind, s, got[name], want[name])
			}
		}
	}
	for _, f := range ar.Files {
		if name, ok := strings.CutPrefix(f.Name, "want/"); ok {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Errorf("want/%s: %v", name, err)
			} else if string(data) != string(f.Data) {
				t.Errorf("%s at the end:\n got:\n%s\nwant:\n%s", name, data, f.Data)
			}
		}
	}
}

func appendLine(t *testing.T, name, line string) {
	f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Error(err)
		return
	}
	fmt.Fprintln(f, line)
	if err := f.Close(); err != nil {
		t.Error(err)
	}
}
