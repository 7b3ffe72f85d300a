#!/bin/sh
# make predict: check hotdefer's static prediction (rules/internal/defercost) against
# go build -gcflags=-d=defer on every function of the realworld modules
# (testdata/corpus/modules.txt; MODULES to override), their tests included: private copies
# of the modules (in WORK, a temporary directory by default) are compiled with go list
# -export -test and compared defer by defer (TestAgreesOnModules). Needs the network or a
# module cache that has them. N modules per go test run (default 4; the machine may be
# shared).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
modules=${MODULES:-$(grep -v '^#' "$root/testdata/corpus/modules.txt")}
dirs=
for m in $modules; do
	copy="$work/$(echo "${m%@*}" | tr / _)"
	if [ ! -d "$copy" ]; then
		dir=$(GOFLAGS= go mod download -json "$m" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
		cp -R "$dir" "$copy"
		chmod -R u+w "$copy"
		# A GOPATH-era project has no go.mod: give it one, as modcache.sh does.
		if [ ! -f "$copy/go.mod" ]; then (cd "$copy" && go mod init "${m%@*}" >/dev/null 2>&1 && go mod edit -go=1.16); fi
	fi
	dirs="$dirs $copy"
done
# A module's own go.sum may lack entries for its platform's dependencies.
export GOFLAGS=-mod=mod
set -- $dirs
status=0
while [ $# -gt 0 ]; do
	batch=
	i=0
	while [ $# -gt 0 ] && [ $i -lt "${N:-4}" ]; do batch="$batch${batch:+:}$1"; shift; i=$((i + 1)); done
	(cd "$root" && DEFERCOST_MODULES=$batch go test -count=1 -timeout 60m -run '^TestAgreesOnModules$' -v ./rules/internal/defercost/) >"$work/predict.out" 2>&1 || status=1
	grep -v '^=== ' "$work/predict.out" || true
done
echo "copies are in $work"
exit $status
