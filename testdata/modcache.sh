#!/bin/sh
# make modcache [RULES=...] [VERIFY=1]: run deferfix -w (with VERIFY=1: -verify -w) on
# private copies of this module's direct dependencies from the module cache (real code
# nobody here wrote), then build and vet every rewritten module against its vet output
# before the rewrite. Prints findings per rule, refusals by reason, and the -verify report.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/bin/deferfix
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
sel=${RULES:+-rules=$RULES}
cd "$root"
go mod download
# The direct dependencies, then older modules of the build list (go lines below 1.22,
# where loop variables are shared: loopcapture's ground).
for m in golang.org/x/tools github.com/dave/dst github.com/aymanbagabas/go-udiff golang.org/x/mod golang.org/x/sync \
	github.com/sergi/go-diff github.com/google/go-cmp github.com/yuin/goldmark github.com/dave/jennifer gopkg.in/src-d/go-billy.v4; do
	go mod download "$m" 2>/dev/null || true
	dir=$(go list -m -f '{{.Dir}}' "$m")
	if [ -z "$dir" ]; then
		dir=$(go mod download -json "$m@$(go list -m -f '{{.Version}}' "$m")" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
	fi
	copy="$work/$(echo "$m" | tr / _)"
	rm -rf "$copy"
	cp -R "$dir" "$copy"
	chmod -R u+w "$copy"
	cd "$copy"
	echo "== $m ($(find . -name '*.go' | wc -l) files)"
	"$bin" -v $sel ./... > findings.txt 2> findings.err || true
	grep -v '^	' findings.txt | sed 's/.*(\([a-z]*\))$/\1/' | sort | uniq -c || true
	grep '	not fixed: ' findings.txt | sort | uniq -c | sort -rn || true
	grep -v '^	' findings.err | head -5 || true
	go vet ./... 2>&1 | sort > vet-before.txt || true
	"$bin" -w ${VERIFY:+-verify} $sel ./... > remaining.txt 2> write.err || true
	grep -v 'postponed' write.err | head -20 || true
	go vet ./... 2>&1 | sort > vet.txt || true
	if go build ./... && diff -q vet-before.txt vet.txt >/dev/null; then echo "build: ok; go vet: same as before the rewrite"; else echo "build or vet changed:"; diff vet-before.txt vet.txt | head -20; fi
	cd "$root"
done
echo "copies are in $work"
