#!/bin/sh
# golangci.sh builds a golangci-lint with deferfix's module plugin (rules/golangci) from
# the module cache — what `golangci-lint custom` does, without its git clone — and runs
# `golangci-lint run --fix` on a copy of the demo. The result must equal deferfix -w's.
#
#   GOLANGCI_VERSION (default v2.15.0)   WORK (default: a temporary directory)
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
version=${GOLANGCI_VERSION:-v2.15.0}
work=${WORK:-$(mktemp -d)}
bin=$repo/bin/golangci-lint-deferfix
start=$(date +%s)

src=$(go mod download -json "github.com/golangci/golangci-lint/v2@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$src" ] || { echo "golangci.sh: cannot download golangci-lint $version" >&2; exit 1; }
rm -rf "$work/golangci-lint"
cp -r "$src" "$work/golangci-lint"
chmod -R u+w "$work/golangci-lint"
cd "$work/golangci-lint"
cat > cmd/golangci-lint/plugin_deferfix.go <<'GO'
package main

import _ "github.com/deferfix/deferfix/rules/golangci"
GO
go mod edit -require=github.com/deferfix/deferfix@v0.0.0 -replace=github.com/deferfix/deferfix="$repo"
go mod tidy >/dev/null
go build -o "$bin" ./cmd/golangci-lint
echo "golangci.sh: built $bin in $(( $(date +%s) - start ))s"

# The demo, fixed by golangci-lint and by deferfix -w, must come out the same.
cd "$repo" && go build -o bin/deferfix ./cmd/deferfix
rm -rf "$work/lint" "$work/w"
cp -r "$repo/testdata/demo" "$work/lint"
cp -r "$repo/testdata/demo" "$work/w"
cat > "$work/lint/.golangci.yml" <<'YML'
version: "2"
linters:
  default: none
  enable: [deferfix]
  settings:
    custom:
      deferfix:
        type: module
        description: deferfix's rules
issues:
  max-issues-per-linter: 0
  max-same-issues: 0
YML
# A run applies one round of fixes (the ones that do not overlap); run again until the
# tree stops changing.
runs=0
while [ $runs -lt 10 ]; do
	runs=$((runs + 1))
	before=$(cd "$work/lint" && find . -name '*.go' -exec cat {} + | cksum)
	(cd "$work/lint" && "$bin" run --fix ./... >/dev/null 2>&1) || true
	after=$(cd "$work/lint" && find . -name '*.go' -exec cat {} + | cksum)
	[ "$before" != "$after" ] || break
done
(cd "$work/w" && "$repo/bin/deferfix" -w ./... >/dev/null) || true
rm "$work/lint/.golangci.yml"
if ! diff -r -u "$work/w" "$work/lint"; then
	echo "golangci.sh: golangci-lint run --fix ($runs runs) differs from deferfix -w" >&2
	exit 1
fi
echo "golangci.sh: golangci-lint run --fix ($runs runs) leaves the demo as deferfix -w does ($(( $(date +%s) - start ))s in all)"
