// Command chainbench measures the chain issue's three benchmark figures on a
// generated regtest chain of real P2PKH transactions, each against a
// baseline measured in the same run (absolute numbers drift on a shared
// machine):
//
//  1. Block connection throughput: validating and connecting the whole
//     chain from scratch (chain.Open with the default coin cache, the
//     transaction index on, one script worker per CPU and no signature
//     cache, since the signatures were never seen before), in
//     transactions per second, against raw ECDSA verification of as many
//     pre-parsed signatures on one goroutine per CPU.
//  2. Restart time: chain.Open on the connected data dir against opening
//     the same LevelDB directory alone, and against chain.Open on a data
//     dir holding the first half of the chain.
//  3. Peak RSS of the real daemon importing the chain with --loadblock and
//     the default --dbcache, against dbcache + 400 MiB; the daemon's import
//     time cross-checks figure 1.
//
// The chain is built once and cached in the -dir folder (bench/ in `make
// bench`) as a regtest block file with a marker file; a stale cache (another
// generator version or chain size) is rebuilt. A figure below its target is
// printed as BELOW; the program exits non-zero only on errors.
//
// Usage:
//
//	go run ./internal/tools/chainbench [-dir bench] [-blocks 2000] [-txs 200000]
//	    [-restart=true] [-daemon=true] [-cpuprofile file] [-go go] [-keep]
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/nodecoin/nodecoin/chain"
)

// Targets of the figures.
const (
	// connectTarget is figure 1's minimum ratio of connected
	// transactions per second to raw signature verifications per second.
	connectTarget = 0.6
	// rssHeadroomMiB is figure 3's allowance above --dbcache.
	rssHeadroomMiB = 400
)

// options are the command-line flags.
type options struct {
	dir        string
	spec       chainSpec
	restart    bool
	daemon     bool
	cpuProfile string
	memProfile string
	goCmd      string
	keep       bool
	verbose    bool
}

func main() {
	var o options
	flag.StringVar(&o.dir, "dir", "bench", "folder of the cached chain and the temporary data dirs")
	flag.IntVar(&o.spec.Blocks, "blocks", 2000, "blocks in the generated chain (more than 100)")
	flag.IntVar(&o.spec.Txs, "txs", 0, "minimum non-coinbase transactions in the chain (0: 100 per block)")
	flag.BoolVar(&o.restart, "restart", true, "measure figure 2 (restart time)")
	flag.BoolVar(&o.daemon, "daemon", true, "measure figure 3 (daemon peak RSS)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of figure 1's block connection to `file`")
	flag.StringVar(&o.memProfile, "memprofile", "", "write a heap profile taken after figure 1's connection (before Close) to `file`")
	flag.StringVar(&o.goCmd, "go", "go", "go command that builds the daemon for figure 3")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary data dirs (and the daemon's log)")
	flag.BoolVar(&o.verbose, "v", false, "show the chain's info log lines")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "chainbench: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	if o.spec.Txs == 0 {
		o.spec.Txs = 100 * o.spec.Blocks
	}
	if err := run(o, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "chainbench: %v\n", err)
		os.Exit(1)
	}
}

// verdict returns "ok" when ok holds and "BELOW" otherwise.
func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "BELOW"
}

// overVerdict returns "ok" when ok holds and "OVER" otherwise, for
// figures with a ceiling.
func overVerdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "OVER"
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// run measures the figures and prints them to out.
func run(o options, out io.Writer) error {
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "chainbench: "+format+"\n", args...)
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelInfo
	}
	chainLog := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	buildStart := time.Now()
	blkPath, meta, err := cachedChain(o.dir, o.spec, logf)
	if err != nil {
		return fmt.Errorf("generate chain: %w", err)
	}
	if d := time.Since(buildStart); d > time.Second {
		logf("chain ready in %s", secs(d))
	}
	fmt.Fprintf(out, "chainbench: %s: %d blocks, %d non-coinbase P2PKH transactions (%d per block, 1 input and 1 signature each), %.1f MiB; %d CPUs\n",
		blkPath, o.spec.Blocks, meta.NonCoinbaseTxs, meta.TxsPerBlock, mib(meta.Bytes), runtime.NumCPU())

	work, err := os.MkdirTemp(o.dir, "run-")
	if err != nil {
		return fmt.Errorf("create temporary directory: %w", err)
	}
	if o.keep {
		logf("keeping temporary data in %s", work)
	} else {
		defer os.RemoveAll(work)
	}

	// Figure 1.
	jobs, err := loadSigJobs(blkPath)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	workers := baselineWorkers()
	logf("baseline: verifying %d signatures on %d goroutines", len(jobs), workers)
	base1, err := verifyAll(jobs, workers)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	var prof profiles
	var profFiles []*os.File
	for _, p := range []struct {
		path string
		w    *io.Writer
	}{{o.cpuProfile, &prof.CPU}, {o.memProfile, &prof.Heap}} {
		if p.path == "" {
			continue
		}
		f, err := os.Create(p.path)
		if err != nil {
			return fmt.Errorf("create profile: %w", err)
		}
		profFiles = append(profFiles, f)
		*p.w = f
	}
	fullDir := filepath.Join(work, "full")
	logf("figure 1: connecting %d blocks into a new data dir", o.spec.Blocks)
	conn, err := connectFile(fullDir, blkPath, 0, chainLog, prof)
	for _, f := range profFiles {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("write profile: %w", cerr)
		}
	}
	if err != nil {
		return fmt.Errorf("figure 1: %w", err)
	}
	if conn.Sigs != len(jobs) {
		return fmt.Errorf("figure 1: connected %d signatures, baseline has %d", conn.Sigs, len(jobs))
	}
	base2, err := verifyAll(jobs, workers)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	jobs = nil // the daemon runs next: leave it the memory
	base := min(base1, base2)
	txRate := float64(conn.Txs) / conn.Connect.Seconds()
	sigRate := float64(conn.Sigs) / base.Seconds()
	ratio := txRate / sigRate
	withClose := float64(conn.Txs) / (conn.Connect + conn.Close).Seconds() / sigRate
	fmt.Fprintf(out, "figure 1  block connection: %d txs in %s = %.0f tx/s (read+decode+ProcessBlock, TxIndex on, no sig cache)"+
		" | baseline raw ECDSA verify: %d sigs on %d goroutines in %s = %.0f sig/s (best of %s, %s)"+
		" | ratio %.2f (target >= %.2f) %s\n",
		conn.Txs, secs(conn.Connect), txRate,
		conn.Sigs, workers, secs(base), sigRate, secs(base1), secs(base2),
		ratio, connectTarget, verdict(ratio >= connectTarget))
	fmt.Fprintf(out, "          the final Close (coin cache and index flush) takes %s more: ratio %.2f counting it; Go heap grew by %.0f MiB (before Close)\n",
		secs(conn.Close), withClose, mib(conn.HeapInUse))
	for _, p := range []string{o.cpuProfile, o.memProfile} {
		if p != "" {
			fmt.Fprintf(out, "          profile of the connection: %s (go tool pprof -top %s)\n", p, p)
		}
	}

	// Figure 2.
	if o.restart {
		logf("figure 2: timing restarts")
		full, err := timeRestart(fullDir, chainLog)
		if err != nil {
			return fmt.Errorf("figure 2: %w", err)
		}
		halfBlocks := o.spec.Blocks / 2
		halfDir := filepath.Join(work, "half")
		logf("figure 2: connecting the first %d blocks into a second data dir", halfBlocks)
		halfConn, err := connectFile(halfDir, blkPath, halfBlocks, chainLog, profiles{})
		if err != nil {
			return fmt.Errorf("figure 2: half chain: %w", err)
		}
		half, err := timeRestart(halfDir, chainLog)
		if err != nil {
			return fmt.Errorf("figure 2: %w", err)
		}
		fmt.Fprintf(out, "figure 2  restart: chain.Open (%d blocks) %s vs LevelDB open+close of the same dir %s: ratio %.2f"+
			" | chain.Open (first %d blocks) %s (LevelDB alone %s): full/half ratio %.2f (no target given: report only; best of %d opens)\n",
			o.spec.Blocks, ms(full.ChainOpen), ms(full.LevelDBOpen), full.ChainOpen.Seconds()/full.LevelDBOpen.Seconds(),
			halfConn.Height, ms(half.ChainOpen), ms(half.LevelDBOpen), full.ChainOpen.Seconds()/half.ChainOpen.Seconds(), openReps)
	}

	// Figure 3.
	if o.daemon {
		logf("figure 3: building the daemon and importing the chain with it")
		bin, err := buildDaemon(o.goCmd, work)
		if err != nil {
			return fmt.Errorf("figure 3: %w", err)
		}
		abs, err := filepath.Abs(blkPath)
		if err != nil {
			return fmt.Errorf("figure 3: %w", err)
		}
		d, err := runDaemon(bin, abs, work)
		if err != nil {
			return fmt.Errorf("figure 3: %w", err)
		}
		if d.Height != o.spec.Blocks {
			return fmt.Errorf("figure 3: the daemon's import finished at height %d, want %d", d.Height, o.spec.Blocks)
		}
		limit := int64(chain.DefaultCacheMiB+rssHeadroomMiB) << 20
		daemonRate := float64(conn.Txs) / d.Import.Seconds()
		fmt.Fprintf(out, "figure 3  daemon peak RSS (VmHWM) importing %d blocks with --dbcache %d: %.0f MiB vs limit %d MiB: ratio %.2f %s"+
			" | coin cache peaked at %d of %d MiB (%d flushes during the import)"+
			" | daemon import %s = %.0f tx/s (sig cache on), %.2f x figure 1's rate; ready %s after start\n",
			o.spec.Blocks, chain.DefaultCacheMiB, mib(d.PeakRSS), chain.DefaultCacheMiB+rssHeadroomMiB,
			float64(d.PeakRSS)/float64(limit), overVerdict(d.PeakRSS <= limit),
			d.CacheMiB, chain.DefaultCacheMiB, d.FlushesDuringImport,
			secs(d.Import), daemonRate, daemonRate/txRate, ms(d.Ready))
	}
	return nil
}
