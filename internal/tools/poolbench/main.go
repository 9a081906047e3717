// Command poolbench measures the mempool issue's memory figure: the resident
// memory of a full pool against the pool's own accounting (Info().Usage,
// the estimate -maxmempool is compared with).
//
// In one process it opens a regtest chain in a temporary folder under -dir,
// mines blocks to a P2PKH key it holds, fans the coinbases out into enough
// confirmed P2PKH outputs (fan-out transactions of up to 2,500 outputs,
// several per block), signs one independent one-input one-output P2PKH
// spend of each output on every core, and then accepts them one by one
// (decoded from their serialized form, as sendrawtransaction and relay do)
// into a mempool.Pool whose budget is -maxmempool MiB, feeding about 8%
// more than fits so that eviction runs and the rolling minimum fee rises.
// Process RSS (VmRSS, after a GC with the freed memory returned to the
// system) and the live Go heap are taken before and after filling; the
// growth of each is compared with the pool's accounting:
//
//	figure mempool memory: pool accounts U MiB (N txs, B MiB serialized); process RSS grew by R MiB,
//	live heap by H MiB: ratio RSS/accounting X, heap/accounting Y (report only)
//
// The figure has no target: it is reported only. Progress and the timings
// of each phase go to stderr.
//
// Usage:
//
//	go run ./internal/tools/poolbench [-dir bench] [-maxmempool 300] [-v]
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"
)

// options are the command-line flags.
type options struct {
	dir           string
	maxMempoolMiB int
	verbose       bool
	// progress is how often acceptance progress is logged to stderr.
	progress time.Duration
}

func main() {
	o := options{progress: 5 * time.Second}
	flag.StringVar(&o.dir, "dir", "bench", "folder of the temporary chain data dir")
	flag.IntVar(&o.maxMempoolMiB, "maxmempool", 300, "the pool's memory budget in MiB (-maxmempool)")
	flag.BoolVar(&o.verbose, "v", false, "show the chain's and the pool's info log lines")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "poolbench: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	if err := run(o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "poolbench: %v\n", err)
		os.Exit(1)
	}
}

// logger returns the slog logger of the chain and the pool: warnings only
// unless verbose.
func logger(verbose bool, w io.Writer) *slog.Logger {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
