# deferfix: make demo shows it working on testdata/demo; make test is what CI runs.
GO ?= go
BIN := bin/deferfix

.PHONY: all build test demo bench lint fmt-check vet corpus modcache realworld predict golangci precision fuzz

all: build

build:
	$(GO) build -o $(BIN) ./cmd/deferfix

demo: build
	sh testdata/demo.sh

# test = gofmt check + go vet + the race-enabled test suite, then the round trip over
# part of the standard library, which the race detector would make take minutes.
test: fmt-check vet
	$(GO) test -race ./...
	$(GO) test -run TestRoundTripStd ./rules/internal/fixes/

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null | grep -v '/testdata/' || find . -name '*.go' -not -path '*/testdata/*')); \
	if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# bench: the Go benchmarks (loop forms, the split fix, the engine against go/packages,
# BenchmarkAnalyze: the rules alone on loaded packages, with CPU time per op,
# BenchmarkManyFindings: one file with N = 100 … 1600 findings), then deferfix's report,
# -d and vettool modes against the floor (loading the same packages; cmd/benchfloor) on the
# standard library and on golang.org/x/tools, rounds alternated. RUNS=5 by default.
# cmd/benchfloor -old BIN -modes floor,report,report@old compares with another build.
RUNS ?= 5
bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./cmd/benchfloor -deferfix $(BIN) -runs $(RUNS) -dir $$($(GO) env GOROOT)/src ./...
	$(GO) mod download golang.org/x/tools@v0.52.0
	$(GO) run ./cmd/benchfloor -deferfix $(BIN) -runs $(RUNS) -dir $$($(GO) env GOMODCACHE)/golang.org/x/tools@v0.52.0 ./...

# lint runs deferfix on itself: our own code must be clean (deliberate patterns in the
# benchmarks carry //deferfix:ignore with a reason).
lint: build
	./$(BIN) ./...

# corpus rewrites a copy of the standard library and vets (TESTS=1: tests) the result.
corpus: build
	sh testdata/corpus.sh

# modcache rewrites copies of our dependencies from the module cache and builds them.
modcache: build
	sh testdata/modcache.sh

# realworld does what modcache does on popular projects fetched through the module proxy
# (pinned versions; needs the network). TESTS=1 compares their short tests' failures.
# (the list is testdata/corpus/modules.txt, the labelled corpus).
REALWORLD = $(shell grep -v '^\#' testdata/corpus/modules.txt)
realworld: build
	MODULES="$(REALWORLD)" sh testdata/modcache.sh

# predict checks hotdefer's predictor against go build -gcflags=-d=defer on every defer
# of the realworld modules, tests included (testdata/predict.sh; WORK=dir keeps the copies).
predict:
	MODULES="$(REALWORLD)" sh testdata/predict.sh

# golangci builds a golangci-lint with the rules as a module plugin (rules/golangci) from
# the module cache, as golangci-lint custom would, and checks that run --fix leaves the
# demo as deferfix -w does. About 3 minutes on a cold module cache.
golangci:
	sh testdata/golangci.sh

# precision runs deferfix as users do (no flags) on the realworld modules and compares its
# findings with the labels in testdata/corpus: a table per rule, failing past the ratchet in
# testdata/corpus/thresholds.txt (needs the network, or a module cache that has them).
precision:
	$(GO) test -count=1 -run '^TestCorpus$$' -v ./cmd/deferfix/

# fuzz runs the differential program generator: N random programs from SEED, each run
# before and after deferfix -w (UNSAFE=1: and -w -unsafe where no path panics); every
# divergence is written, isolated and minimised, to OUT.
N ?= 1000
SEED ?= 1
J ?= 1
OUT ?= divergences
fuzz:
	$(GO) run ./cmd/divergence -n $(N) -seed $(SEED) -j $(J) -out $(OUT) $(if $(UNSAFE),-unsafe)
