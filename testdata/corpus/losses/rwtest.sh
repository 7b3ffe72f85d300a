#!/bin/sh
# rwtest.sh MODULE PKG: vet and short tests of PKG before and after deferfix -w (fix2) on a fresh copy
set -u
m=$1; pkg=$2
dir=$(GOFLAGS= go mod download -json "$m" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
copy=${MEASURE:-/work/measure/corpus}/rwt/$(echo "$m" | tr / _)
rm -rf "$copy"; cp -R "$dir" "$copy"; chmod -R u+w "$copy"; cd "$copy"
export GOFLAGS=-mod=mod
go vet $pkg > vet-before.txt 2>&1; go test -short -count=1 -timeout 300s $pkg > test-before.txt 2>&1
${MEASURE:-/work/measure/corpus}/deferfix-fix2 -w ./... > /dev/null 2>&1
go vet $pkg > vet.txt 2>&1; go test -short -count=1 -timeout 300s $pkg > test.txt 2>&1
echo "== $m $pkg: vet $(cmp -s vet-before.txt vet.txt && echo same || echo CHANGED); tests before: $(tail -1 test-before.txt); after: $(tail -1 test.txt)"
