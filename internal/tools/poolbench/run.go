package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/mempool"
)

// Filling the pool.
const (
	// overfill is how much more than the budget's worth of transactions
	// is fed, so that eviction runs and the minimum fee rises.
	overfill = 1.08
	// fullFraction is the share of the budget the pool's accounting must
	// reach for the pool to count as full.
	fullFraction = 0.97
)

// memory is a measurement of the process.
type memory struct {
	// RSS is VmRSS, HWM VmHWM (the peak RSS), in bytes.
	RSS, HWM int64
	// Heap is the bytes of live heap objects (after a GC).
	Heap int64
}

// measure collects garbage, returns the freed memory to the system and
// reads the process's memory.
func measure() (memory, error) {
	runtime.GC()
	debug.FreeOSMemory()
	return readMemory()
}

// readMemory reads the process's memory without collecting garbage; Heap
// then counts unreclaimed garbage too.
func readMemory() (memory, error) {
	var m memory
	var err error
	if m.RSS, m.HWM, err = procStatus(); err != nil {
		return m, err
	}
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return m, errors.New("runtime/metrics has no /memory/classes/heap/objects:bytes")
	}
	m.Heap = int64(s[0].Value.Uint64())
	return m, nil
}

// procStatus returns VmRSS and VmHWM from /proc/self/status, in bytes.
func procStatus() (rss, hwm int64, err error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0, fmt.Errorf("read process status: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("process status %s %q: %w", name, val, err)
		}
		if name == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	if rss == 0 {
		return 0, 0, errors.New("no VmRSS in /proc/self/status")
	}
	return rss, hwm, nil
}

// result is what a run measured.
type result struct {
	Info     mempool.Info
	Fed      int // spends offered to the pool
	Rejected int // refused for their fee once the pool was full
	Before   memory
	After    memory
	Filled   memory // right after the last acceptance, no GC
	Dropped  memory // after, with the pool dropped
}

// run measures the figure and prints it to out; progress goes to errOut.
func run(o options, out, errOut io.Writer) error {
	if o.maxMempoolMiB <= 0 {
		return fmt.Errorf("-maxmempool %d: want a positive number of MiB", o.maxMempoolMiB)
	}
	logf := func(format string, args ...any) {
		fmt.Fprintf(errOut, "poolbench: "+format+"\n", args...)
	}
	res, err := fill(o, errOut, logf)
	if err != nil {
		return err
	}
	u := res.Info.Usage
	rssGrowth := res.After.RSS - res.Before.RSS
	heapGrowth := res.After.Heap - res.Before.Heap
	fmt.Fprintf(out, "figure mempool memory: pool accounts %.1f MiB (%d txs, %.1f MiB serialized); "+
		"process RSS grew by %.1f MiB, live heap by %.1f MiB: ratio RSS/accounting %.2f, heap/accounting %.2f (report only)\n",
		mib(u), res.Info.Size, mib(res.Info.Bytes), mib(rssGrowth), mib(heapGrowth),
		float64(rssGrowth)/float64(u), float64(heapGrowth)/float64(u))
	logf("RSS right after filling (before a GC): %.1f MiB, %.1f MiB above the start; peak RSS (VmHWM) %.1f MiB",
		mib(res.Filled.RSS), mib(res.Filled.RSS-res.Before.RSS), mib(res.Filled.HWM))
	logf("with the pool dropped, the live heap is %.1f MiB above the start (memory the pool does not hold)",
		mib(res.Dropped.Heap-res.Before.Heap))
	return nil
}

// fill builds the coins, signs the spends, fills the pool and measures
// memory before and after.
func fill(o options, errOut io.Writer, logf func(string, ...any)) (*result, error) {
	log := logger(o.verbose, errOut)
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", o.dir, err)
	}
	work, err := os.MkdirTemp(o.dir, "poolbench-")
	if err != nil {
		return nil, fmt.Errorf("create temporary directory: %w", err)
	}
	defer os.RemoveAll(work)

	start := time.Now()
	key, pkScript, err := newKey()
	if err != nil {
		return nil, err
	}
	ch, err := chain.Open(context.Background(), chain.Config{Dir: filepath.Join(work, "chain"),
		Params: consensus.RegTestParams, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("open chain: %w", err)
	}
	defer ch.Close()
	b := &builder{ch: ch, key: key, pkScript: pkScript}
	if err := b.mineMature(); err != nil {
		return nil, err
	}

	// How many spends fill the budget: the accounting of one, from a
	// scratch pool.
	maxBytes := int64(o.maxMempoolMiB) << 20
	perTx, err := b.usageOfOne(log)
	if err != nil {
		return nil, err
	}
	n := int(float64(maxBytes)/float64(perTx)*overfill) + 1
	logf("%d CPUs; the pool accounts %d bytes for a one-input one-output P2PKH spend: feeding %d spends to a %d MiB pool",
		runtime.NumCPU(), perTx, n, o.maxMempoolMiB)

	coins, err := b.fanOut(n)
	if err != nil {
		return nil, err
	}
	logf("chain: %d blocks, %d confirmed P2PKH outputs in %.1fs", ch.Best().Height, len(coins), time.Since(start).Seconds())

	signStart := time.Now()
	raws, err := b.signSpends(coins)
	if err != nil {
		return nil, err
	}
	coins = nil
	logf("signed %d spends on %d goroutines in %.1fs", len(raws), runtime.NumCPU(), time.Since(signStart).Seconds())

	res := &result{Fed: len(raws)}
	if res.Before, err = measure(); err != nil {
		return nil, err
	}
	pool := mempool.New(ch, mempool.Config{MaxBytes: maxBytes, Logger: log})
	acceptStart := time.Now()
	nextReport := acceptStart.Add(o.progress)
	for i, raw := range raws {
		tx, err := wire.DecodeTx(raw)
		if err != nil {
			return nil, fmt.Errorf("spend %d: %w", i, err)
		}
		if _, err := pool.Accept(tx, mempool.AcceptOptions{}); err != nil {
			re, ok := mempool.IsReject(err)
			if !ok || !(strings.HasPrefix(re.Reason, mempool.ReasonMempoolMinFee) || re.Reason == mempool.ReasonMempoolFull) {
				return nil, fmt.Errorf("accept spend %d: %w", i, err)
			}
			res.Rejected++
		}
		if i%1024 == 0 && time.Now().After(nextReport) {
			info := pool.Info()
			logf("accepted %d of %d (%.0f tx/s): pool %d txs, %.1f of %d MiB accounted, minimum fee %d per kvB, %d refused",
				i+1, len(raws), float64(i+1)/time.Since(acceptStart).Seconds(), info.Size, mib(info.Usage),
				o.maxMempoolMiB, info.MempoolMinFee, res.Rejected)
			nextReport = time.Now().Add(o.progress)
		}
	}
	acceptTime := time.Since(acceptStart)
	if res.Filled, err = readMemory(); err != nil {
		return nil, err
	}
	if res.After, err = measure(); err != nil {
		return nil, err
	}
	res.Info = pool.Info()
	// What stays once the pool is dropped is not the pool's: the chain's
	// caches, for one, if acceptance grew them.
	pool = nil
	if res.Dropped, err = measure(); err != nil {
		return nil, err
	}
	runtime.KeepAlive(raws)
	logf("fed %d spends in %.1fs (%.0f tx/s): pool %d txs, %.1f MiB accounted, %.1f MiB serialized, minimum fee %d per kvB (relay minimum %d), %d refused for their fee",
		len(raws), acceptTime.Seconds(), float64(len(raws))/acceptTime.Seconds(), res.Info.Size, mib(res.Info.Usage),
		mib(res.Info.Bytes), res.Info.MempoolMinFee, res.Info.MinRelayTxFee, res.Rejected)
	if float64(res.Info.Usage) < fullFraction*float64(maxBytes) || res.Info.MempoolMinFee <= res.Info.MinRelayTxFee {
		return nil, fmt.Errorf("the pool is not full after %d spends: %d of %d bytes accounted, minimum fee %d",
			len(raws), res.Info.Usage, maxBytes, res.Info.MempoolMinFee)
	}
	logf("total %.1fs", time.Since(start).Seconds())
	return res, nil
}

// usageOfOne returns the pool's accounting of one measured spend (of the
// first coinbase), from a scratch pool that is then dropped.
func (b *builder) usageOfOne(log *slog.Logger) (int64, error) {
	cb := b.coinbases[0]
	tx := b.spendTx(coin{op: wire.OutPoint{Hash: cb.TxHash()}, value: cb.TxOut[0].Value}, 0)
	if err := b.sign(tx); err != nil {
		return 0, fmt.Errorf("calibration spend: %w", err)
	}
	scratch := mempool.New(b.ch, mempool.Config{Logger: log})
	if _, err := scratch.Accept(tx, mempool.AcceptOptions{}); err != nil {
		return 0, fmt.Errorf("calibration spend: %w", err)
	}
	return scratch.Info().Usage, nil
}
