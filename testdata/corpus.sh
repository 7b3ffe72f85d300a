#!/bin/sh
# make corpus [RULES=loopdefer] [TESTS=1]: run deferfix -w on a private copy of the Go
# installation's standard library, then vet the rewritten packages and (with TESTS=1) run
# their short tests. Prints the findings, the refusals by reason, and what failed.
# Nothing outside the copy is touched. Takes ~1 minute, plus the tests.
# DEFERFIX=path runs another deferfix binary (an older build, to compare) instead of bin/deferfix.
set -eu
bin=${DEFERFIX:-$(cd "$(dirname "$0")/.." && pwd)/bin/deferfix}
rules=${RULES:-}
work=${WORK:-$(mktemp -d)}
goroot=$(go env GOROOT)
echo "copying $goroot to $work/go"
rm -rf "$work/go"
mkdir -p "$work"
cp -R "$goroot" "$work/go"
export PATH="$work/go/bin:$PATH" GOFLAGS=
cd "$work/go/src"
sel=${rules:+-rules=$rules}
start=$(date +%s)
"$bin" -v $sel ./... > "$work/findings.txt" 2> "$work/findings.err" || true
echo "report: $(grep -c '^[^	]' "$work/findings.txt") findings in $(( $(date +%s) - start ))s"
echo "refused, by reason:"
grep '	not fixed: ' "$work/findings.txt" | sed 's/(the defer on line.*//' | sort | uniq -c | sort -rn || true
"$bin" -l $sel ./... > "$work/files.txt" 2>/dev/null || true
"$bin" -v -w $sel ./... > "$work/remaining.txt" 2> "$work/write.err" || true
echo "rewrote $(wc -l < "$work/files.txt") files; remaining findings: $(grep -c '^[^	]' "$work/remaining.txt" || true)"
grep -v 'postponed\|fixes applied' "$work/write.err" || true
if "$bin" -d $sel ./... > "$work/second.diff" 2>/dev/null; then echo "second run: no change (fixed point)"; else echo "second run changes $(grep -c '^+++' "$work/second.diff") files"; fi
pkgs=$(sed 's|/[^/]*$||' "$work/files.txt" | sort -u | sed 's|^|./|')
[ -n "$pkgs" ] || exit 0
echo "go vet on $(echo $pkgs | wc -w) rewritten packages"
go vet $pkgs && echo "go vet: ok"
if [ "${TESTS:-0}" = 1 ]; then
	go test -short -timeout 300s $pkgs 2>&1 | grep -E '^(ok|FAIL|---)' || true
fi
echo "the rewritten tree is in $work/go"
