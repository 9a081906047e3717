package rpcminer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"runtime"
	"time"

	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/miner/grind"
)

// BenchInterval is how often Bench prints the interim hash rate.
const BenchInterval = 2 * time.Second

// Bench grinds a fixed dummy header against a target no hash can meet on
// threads threads (runtime.NumCPU() if not positive) for d, or until ctx
// is done, printing the rate every BenchInterval to out, and last the
// average as "hashrate N H/s threads=T". It needs no node and returns the
// average in hashes per second.
func Bench(ctx context.Context, threads int, d time.Duration, out io.Writer) (uint64, error) {
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	if d <= 0 {
		return 0, errors.New("bench: the duration must be positive")
	}
	// Target 1: a hash of at most 1 will not turn up.
	target, err := grind.NewTarget(big.NewInt(1))
	if err != nil {
		return 0, fmt.Errorf("bench target: %w", err)
	}
	header := wire.BlockHeader{Version: 0x20000000, Timestamp: 1231006505, Bits: 0x1d00ffff}
	copy(header.MerkleRoot[:], "nodecoin mine --bench dummy root")
	counters := grind.NewCounters(threads)
	fmt.Fprintf(out, "bench: grinding a dummy header on %d threads for %v (hash path %s)\n", threads, d, grind.Path())
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	lw := &lockedWriter{w: out}
	start := time.Now()
	stop := ReportHashRate(ctx, counters, BenchInterval, lw)
	for ctx.Err() == nil {
		if _, found := grind.Grind(ctx, header, target, threads, counters); found {
			return 0, errors.New("bench: the grinder met an impossible target")
		}
		header.Timestamp++ // nonces exhausted: a new header
	}
	elapsed := time.Since(start)
	stop()
	r := grind.Rate(counters.Total(), elapsed)
	fmt.Fprintf(lw, "hashrate %d H/s threads=%d\n", r, threads)
	return r, nil
}
