# nodecoin — build, test, benchmark and fuzz.
GO        ?= go
BIN       := bin/nodecoin
FUZZTIME  ?= 10s
BENCHTIME ?= 1s
BENCHCOUNT ?= 3

.PHONY: build run test bench fuzz lint clean

build:
	$(GO) build -o $(BIN) ./cmd/nodecoin

# Builds, then runs a node on the main network with the default data dir
# (~/.nodecoin/main), mining on every core to a new address of its wallet
# (blocks found and the hash rate are logged); Ctrl-C stops it cleanly.
run: build
	./$(BIN) daemon --network main --mine

# Every unit, vector, fuzz-seed and integration test.
test:
	$(GO) test -count=1 ./...

# Benchmarks, then the ratios the issues ask for (each figure against a
# baseline measured in the same run), then the chain figures (chainbench
# builds its regtest chain once and caches it in bench/), then the RPC
# figures of a real daemon (rpcbench imports chainbench's chain), then the
# mempool's memory against its accounting (poolbench), then the Stratum
# server's new-tip latency to 100 miners and memory per idle connection
# (stratumbench), then the P2P figures (p2pbench: sync from two peers against
# --loadblock of chainbench's chain, block propagation among 50 simulated
# nodes, memory under 125 connections).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) ./... | tee bench.out
	$(GO) run ./internal/tools/benchratio < bench.out || echo "benchratio: a figure missed its target (above); the other figures follow"
	$(GO) run ./internal/tools/chainbench -dir bench -go $(GO)
	$(GO) run ./internal/tools/rpcbench -dir bench -go $(GO)
	$(GO) run ./internal/tools/poolbench -dir bench
	$(GO) run ./internal/tools/stratumbench
	$(GO) run ./internal/tools/p2pbench -dir bench -go $(GO)

# Runs every fuzz target for FUZZTIME each (go test -fuzz takes one at a time).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin bench.out
