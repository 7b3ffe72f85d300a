package rewrite

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/deferfix/deferfix/rules"
)

// TestLSPOverlay: Run sees the overlay's contents, not the disk's, whether go list's view
// of the package still fits them (the contents substituted at parse time, dependencies
// from export data) or not (a new import, a new file: packages.Config.Overlay).
func TestLSPOverlay(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/m\n\ngo 1.26\n")
	write("main.go", "package main\n\nimport \"os\"\n\nfunc main() { os.Exit(0) }\n")
	main := filepath.Join(dir, "main.go")

	loop := func(imports string) string {
		return "package main\n\nimport (\n" + imports + ")\n\nfunc main() {\n\tfor _, n := range os.Args {\n\t\tf, err := os.Open(n)\n\t\tif err != nil {\n\t\t\treturn\n\t\t}\n\t\tdefer f.Close()\n\t\tprintln(f.Name())\n\t}\n}\n"
	}
	for _, tc := range []struct {
		name    string
		overlay map[string][]byte
		fits    bool
	}{
		{"same imports", map[string][]byte{main: []byte(loop("\t\"os\"\n"))}, true},
		{"new import", map[string][]byte{main: []byte(loop("\t\"os\"\n\t_ \"strings\"\n"))}, false},
		{"new file", map[string][]byte{filepath.Join(dir, "b.go"): []byte("package main\n\nfunc b() {}\n"), main: []byte(loop("\t\"os\"\n"))}, false},
		{"other package name", map[string][]byte{main: []byte("package other\n")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pkgs, err := packages.Load(&packages.Config{Dir: dir, Mode: loadMode}, ".")
			if err != nil {
				t.Fatal(err)
			}
			if got := overlayFits(pkgs, tc.overlay); got != tc.fits {
				t.Errorf("overlayFits = %v, want %v", got, tc.fits)
			}
			if tc.name == "other package name" {
				return
			}
			res, err := Run(context.Background(), &Config{Dir: dir, Analyzers: rules.All, Fix: true, Overlay: tc.overlay}, ".")
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Findings) != 1 || res.Findings[0].Rule != "loopdefer" || len(res.Changes) != 1 {
				for _, f := range res.Findings {
					t.Logf("%s %s fix=%v nofix=%q dropped=%q", f.Pos, f.Message, f.Fix != nil, f.NoFix, f.Dropped)
				}
				t.Fatalf("changes %d, problems %v: want the loop's defer, fixed", len(res.Changes), res.Problems)
			}
			if c := res.Changes[0]; string(c.Old) != string(tc.overlay[main]) {
				t.Errorf("the change's old content is not the overlay's:\n%s", c.Old)
			}
		})
	}
}
