# deferfix: make demo shows it working on testdata/demo; make test is what CI runs.
GO ?= go
BIN := bin/deferfix

.PHONY: all build test demo bench lint fmt-check vet corpus modcache realworld fuzz

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

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

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
REALWORLD = go.etcd.io/bbolt@v1.5.0 github.com/spf13/cobra@v1.10.2 github.com/sirupsen/logrus@v1.10.2 \
	github.com/gorilla/mux@v1.8.1 github.com/klauspost/compress@v1.20.3 github.com/BurntSushi/toml@v1.6.0 \
	github.com/fsnotify/fsnotify@v1.10.1 github.com/hashicorp/golang-lru/v2@v2.0.7 github.com/urfave/cli/v2@v2.27.7 \
	github.com/syndtr/goleveldb@v1.0.0 github.com/boltdb/bolt@v1.3.1 github.com/go-sql-driver/mysql@v1.10.1 \
	github.com/miekg/dns@v1.1.73 golang.org/x/net@v0.62.0 github.com/gorilla/websocket@v1.5.3 github.com/spf13/afero@v1.15.0
realworld: build
	MODULES="$(REALWORLD)" sh testdata/modcache.sh

# fuzz runs the differential program generator: N random programs from SEED, each run
# before and after deferfix -w (UNSAFE=1: and -w -unsafe where no path panics); every
# divergence is written, isolated and minimised, to OUT.
N ?= 1000
SEED ?= 1
J ?= 1
OUT ?= divergences
fuzz:
	$(GO) run ./cmd/divergence -n $(N) -seed $(SEED) -j $(J) -out $(OUT) $(if $(UNSAFE),-unsafe)
