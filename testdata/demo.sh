#!/bin/sh
# make demo: run deferfix on the demo module (testdata/demo), show its findings and the
# diff, then prove the rewrite: build the demo before and after on a copy, run both on the
# same inputs and compare what they print and the files they write.
# DEFERFIX=path runs another deferfix binary (an older build, to compare) instead of bin/deferfix.
set -eu
bin=${DEFERFIX:-$(cd "$(dirname "$0")/.." && pwd)/bin/deferfix}
demo=$(cd "$(dirname "$0")/demo" && pwd)

echo "== deferfix -v ./...   (findings; exit 3 means findings remain)"
"$bin" -C "$demo" -v ./... || test $? -eq 3
echo
echo "== deferfix -d ./...   (the verified fixes as a diff)"
"$bin" -C "$demo" -d ./... || test $? -eq 3
echo

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$demo" "$work/src"
cd "$work/src"
inputs="$demo/main.go $demo/pack.go $demo/go.mod"
go build -o "$work/before" .
"$work/before" "$work/out-before" $inputs 2>/dev/null > "$work/before.txt"

echo "== deferfix -w ./...   (on a copy), then build, vet and run before and after"
"$bin" -w ./... || test $? -eq 3
"$bin" -w ./... >/dev/null 2>&1 || test $? -eq 3
go build -o "$work/after" .
go vet . 2>/dev/null && echo "go vet: clean" || echo "go vet: reports remain (see above)"
"$work/after" "$work/out-after" $inputs 2>/dev/null > "$work/after.txt"
diff -u "$work/before.txt" "$work/after.txt"
diff -r "$work/out-before" "$work/out-after"
echo "before and after print the same: $(cat "$work/after.txt")"
echo "and write byte-identical archives: $(ls "$work/out-after" | tr '\n' ' ')"
echo "a second deferfix -w changes nothing: $(if "$bin" -d ./... >/dev/null 2>&1; then echo yes; else echo 'no (findings without a fix remain)'; fi)"
