#!/bin/sh
# rwjson.sh NAME BIN [flags]: a -json report with the applied-fix trace on a fresh copy of
# every realworld module (testdata/corpus/modules.txt), results in rwjson/NAME/<module>.json
set -u
name=$1; bin=$2; shift 2
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=${MEASURE:-/work/measure/corpus}/rwjson/$name
mkdir -p "$out"
for m in $(grep -v '^#' $root/testdata/corpus/modules.txt); do
	dir=$(GOFLAGS= go mod download -json "$m" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
	copy=${MEASURE:-/work/measure/corpus}/rwsrc/$(echo "$m" | tr / _)
	if [ ! -d "$copy" ]; then
		cp -R "$dir" "$copy"; chmod -R u+w "$copy"
		(cd "$copy"; if [ ! -f go.mod ]; then GOFLAGS=-mod=mod go mod init "${m%@*}" >/dev/null 2>&1 && go mod edit -go=1.16 && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 || true; fi)
	fi
	start=$(date +%s)
	(cd "$copy" && GOFLAGS=-mod=mod DEFERFIX_APPLIED=1 timeout 900 nice -n 10 "$bin" -json "$@" ./... > "$out/$(basename $copy).json" 2> "$out/$(basename $copy).err")
	echo "$name $m rc=$? $(( $(date +%s) - start ))s" >> ${MEASURE:-/work/measure/corpus}/timings.txt
done
