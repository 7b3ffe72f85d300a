#!/bin/sh
# make modcache [RULES=...] [VERIFY=1] [TESTS=1]: run deferfix -w (with VERIFY=1: -verify -w)
# on private copies of this module's direct dependencies from the module cache (real code
# nobody here wrote), then build and vet every rewritten module against its build and vet
# output before the rewrite (TESTS=1: and its short tests). Prints findings per rule,
# refusals by reason, and the -verify report.
#
# make realworld: the same on MODULES, a list of module@version fetched through the Go
# module proxy — popular projects that are not our dependencies.
# DEFERFIX=path runs another deferfix binary (an older build, to compare) instead of bin/deferfix.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DEFERFIX:-$root/bin/deferfix}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
sel=${RULES:+-rules=$RULES}
cd "$root"
go mod download
# The direct dependencies, then older modules of the build list (go lines below 1.22,
# where loop variables are shared: loopcapture's ground).
modules=${MODULES:-golang.org/x/tools github.com/dave/dst github.com/aymanbagabas/go-udiff golang.org/x/mod golang.org/x/sync \
	github.com/sergi/go-diff github.com/google/go-cmp github.com/yuin/goldmark github.com/dave/jennifer gopkg.in/src-d/go-billy.v4}
for m in $modules; do
	case $m in
	*@*) dir=$(GOFLAGS= go mod download -json "$m" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p') ;;
	*)
		go mod download "$m" 2>/dev/null || true
		dir=$(go list -m -f '{{.Dir}}' "$m")
		if [ -z "$dir" ]; then
			dir=$(go mod download -json "$m@$(go list -m -f '{{.Version}}' "$m")" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
		fi
		;;
	esac
	copy="$work/$(echo "$m" | tr / _)"
	rm -rf "$copy"
	cp -R "$dir" "$copy"
	chmod -R u+w "$copy"
	cd "$copy"
	# A module's own go.sum may lack entries for its platform's dependencies.
	export GOFLAGS=-mod=mod
	# A GOPATH-era project has no go.mod: give it one at the Go version of its day (shared
	# loop variables, so loopcapture applies).
	if [ ! -f go.mod ]; then go mod init "${m%@*}" >/dev/null 2>&1 && go mod edit -go=1.16 && go mod tidy >/dev/null 2>&1 || true; fi
	echo "== $m ($(find . -name '*.go' | wc -l) files)"
	"$bin" -v $sel ./... > findings.txt 2> findings.err || true
	grep -v '^	' findings.txt | sed 's/.*(\([a-z]*\))$/\1/' | sort | uniq -c || true
	grep '	not fixed: ' findings.txt | sort | uniq -c | sort -rn || true
	grep -v '^	' findings.err | head -5 || true
	go vet ./... 2>&1 | sort > vet-before.txt || true
	go build ./... > build-before.txt 2>&1 || true
	failures() { go test -short -timeout 300s ./... 2>&1 | grep -E '^(--- FAIL|FAIL)' | sed 's/ *([0-9.]*s)$//; s/	[0-9.]*s$//' | sort; }
	if [ "${TESTS:-0}" = 1 ]; then failures > test-before.txt || true; fi
	"$bin" -w ${VERIFY:+-verify} $sel ./... > remaining.txt 2> write.err || true
	grep -v 'postponed' write.err | head -20 || true
	go vet ./... 2>&1 | sort > vet.txt || true
	go build ./... > build.txt 2>&1 || true
	if [ "${TESTS:-0}" = 1 ]; then failures > test.txt || true; fi
	if diff -q build-before.txt build.txt >/dev/null && diff -q vet-before.txt vet.txt >/dev/null; then
		if [ -s build.txt ]; then echo "build: fails as before the rewrite ($(head -1 build.txt)); go vet: same as before"; else echo "build: ok; go vet: same as before the rewrite"; fi
	else
		echo "build or vet changed:"; diff build-before.txt build.txt | head -10; diff vet-before.txt vet.txt | head -20
	fi
	if [ "${TESTS:-0}" = 1 ]; then
		if diff -q test-before.txt test.txt >/dev/null; then
			echo "tests: the same failures as before the rewrite ($(grep -c '^FAIL' test.txt || true) failing packages)"
		else
			echo "tests changed:"; diff test-before.txt test.txt | head -20
		fi
	fi
	unset GOFLAGS
	cd "$root"
done
echo "copies are in $work"
