#!/bin/sh
# make modcache [RULES=...]: run deferfix -w on private copies of this module's direct
# dependencies from the module cache (real code nobody here wrote), then build and vet
# every rewritten module. Prints findings per rule and refusals by reason.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/bin/deferfix
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
sel=${RULES:+-rules=$RULES}
cd "$root"
go mod download
for m in golang.org/x/tools github.com/dave/dst github.com/aymanbagabas/go-udiff golang.org/x/mod golang.org/x/sync; do
	dir=$(go list -m -f '{{.Dir}}' "$m")
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
	"$bin" -w $sel ./... > /dev/null 2> write.err || true
	grep -v 'postponed' write.err | head -5 || true
	if go build ./... && go vet ./... > vet.txt 2>&1; then echo "build + vet: ok"; else echo "build or vet failed:"; head -20 vet.txt; fi
	cd "$root"
done
echo "copies are in $work"
