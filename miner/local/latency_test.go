package local

import (
	"context"
	"math/big"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/miner"
)

// hardChain is a regtest chain whose parameters, as the miner sees them,
// ask for a target no grinder meets in a test: the miner grinds until the
// tip changes, and the tips come from the test.
type hardChain struct {
	*chain.Chain
	params consensus.Params
}

func (h *hardChain) Params() *consensus.Params { return &h.params }

func newHardChain(tb testing.TB) *hardChain {
	tb.Helper()
	c, err := chain.Open(context.Background(), chain.Config{Dir: tb.TempDir(), Params: consensus.RegTestParams, Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	p := *consensus.RegTestParams
	p.PowLimitBits = 0x1b00ffff // about 2^48 hashes a block
	p.PowLimit, _, _ = consensus.CompactToBig(p.PowLimitBits)
	p.PowNoRetargeting = true
	return &hardChain{Chain: c, params: p}
}

// extend adds a solved regtest block to the real chain: a new tip.
func (h *hardChain) extend(tb testing.TB, i int) {
	tb.Helper()
	b, err := miner.BuildBlock(h.Chain, []byte{0x51}, nil, uint64(i), time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	if !miner.Solve(&b.Header, 1<<20) {
		tb.Fatal("regtest block not solved")
	}
	if _, err := h.Chain.ProcessBlock(b); err != nil {
		tb.Fatal(err)
	}
}

// latencies records what the miner observes.
type latencies struct {
	mu       sync.Mutex
	afterTip []time.Duration
	starts   int
	results  []string
	started  chan struct{}
}

func (l *latencies) WorkStarted(_ time.Time, afterTip bool, since time.Duration) {
	l.mu.Lock()
	l.starts++
	if afterTip {
		l.afterTip = append(l.afterTip, since)
	}
	l.mu.Unlock()
	select {
	case l.started <- struct{}{}:
	default:
	}
}

func (l *latencies) HashRate(uint64) {}

func (l *latencies) Submitted(r string) {
	l.mu.Lock()
	l.results = append(l.results, r)
	l.mu.Unlock()
}

// fillPool gives h's chain coinbases to spend and a pool of n independent
// one-input transactions spending confirmed outputs, each a block's worth
// of selection, coin lookups and merkle hashing for the miner to redo at
// every tip.
func fillPool(tb testing.TB, h *hardChain, n int) *mempool.Pool {
	tb.Helper()
	fund, sig := opTrueP2SH(tb)
	solve := func(b *wire.Block) {
		if !miner.Solve(&b.Header, 1<<20) {
			tb.Fatal("regtest block not solved")
		}
		if _, err := h.Chain.ProcessBlock(b); err != nil {
			tb.Fatal(err)
		}
	}
	const perSplit = 500
	splits := (n + perSplit - 1) / perSplit
	var coinbases []*wire.Tx
	for i := range int(consensus.RegTestParams.CoinbaseMaturity) + splits {
		b, err := miner.BuildBlock(h.Chain, fund, nil, uint64(i), time.Now())
		if err != nil {
			tb.Fatal(err)
		}
		solve(b)
		coinbases = append(coinbases, b.Transactions[0])
	}
	var splitTxs []*wire.Tx
	for _, cb := range coinbases[:splits] {
		tx := &wire.Tx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()},
			SignatureScript: sig, Sequence: wire.MaxTxInSequenceNum}}}
		each := (cb.TxOut[0].Value - 100_000) / perSplit
		for range perSplit {
			tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: each, PkScript: fund})
		}
		splitTxs = append(splitTxs, tx)
	}
	b, err := miner.BuildBlock(h.Chain, fund, splitTxs, 1<<40, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	solve(b)
	pool := mempool.New(h.Chain, mempool.Config{Logger: quiet})
	for i := range n {
		split := splitTxs[i/perSplit]
		out := split.TxOut[i%perSplit]
		tx := &wire.Tx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: split.TxHash(), Index: uint32(i % perSplit)},
			SignatureScript: sig, Sequence: wire.MaxTxInSequenceNum}},
			TxOut: []*wire.TxOut{{Value: out.Value - 1_000 - int64(i%97)*10, PkScript: fund}}}
		if _, err := pool.Accept(tx, mempool.AcceptOptions{}); err != nil {
			tb.Fatalf("pool refuses tx %d: %v", i, err)
		}
	}
	return pool
}

// runTips starts a miner on a hard chain, with a pool of poolTxs
// transactions when poolTxs > 0, gives it n new tips, each once every
// thread grinds the block built on the previous one, and returns the
// latencies from each tip to every thread grinding the next block.
func runTips(tb testing.TB, n, threads, poolTxs int) ([]time.Duration, *latencies) {
	h := newHardChain(tb)
	cfg := Config{Chain: h, PayTo: []byte{0x51}, Threads: threads, Logger: quiet}
	if poolTxs > 0 {
		cfg.Pool = fillPool(tb, h, poolTxs)
	}
	obs := &latencies{started: make(chan struct{}, 1)}
	cfg.Observer = obs
	m, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Run(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	wait := func() {
		select {
		case <-obs.started:
		case <-time.After(10 * time.Second):
			tb.Fatal("the miner did not start grinding")
		}
	}
	wait() // the first block, built on genesis
	for i := range n {
		h.extend(tb, i)
		wait()
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	return slices.Clone(obs.afterTip), obs
}

// TestWorkFollowsEveryTip checks that every tip change makes the miner
// build and grind a new block, that each such start is reported with its
// latency from the tip, and that the hard target is ground, never met.
func TestWorkFollowsEveryTip(t *testing.T) {
	const tips = 5
	got, obs := runTips(t, tips, 2, 0)
	if len(got) != tips {
		t.Fatalf("%d starts after a tip reported, want %d (of %d starts)", len(got), tips, obs.starts)
	}
	for i, d := range got {
		if d <= 0 {
			t.Errorf("tip %d: latency %v", i, d)
		}
	}
	if len(obs.results) != 0 {
		t.Errorf("a block of target %08x was submitted: %v", uint32(0x1b00ffff), obs.results)
	}
	tgt, _, _ := consensus.CompactToBig(0x1b00ffff)
	if tgt.Cmp(new(big.Int).Lsh(big.NewInt(1), 220)) > 0 {
		t.Fatal("the test's target is not hard")
	}
}

// BenchmarkTipToWork measures the time from the chain's notification of a
// new tip to every mining thread grinding a block built on it (the
// block's transactions chosen, coinbase and merkle root built, each
// thread's midstate prepared), on all cores while the miner grinds. The
// issue's figure is the p99, reported with the p50 in milliseconds.
func BenchmarkTipToWork(b *testing.B) { benchTipToWork(b, 0) }

// BenchmarkTipToWorkFullPool is BenchmarkTipToWork with 5,000
// transactions in the pool, all of which each new block takes.
func BenchmarkTipToWorkFullPool(b *testing.B) { benchTipToWork(b, 5000) }

// benchTipToWork measures at least 100 tips per run, so that the p99 is
// not just the slowest of a handful.
func benchTipToWork(b *testing.B, poolTxs int) {
	got, _ := runTips(b, max(b.N, 100), 0, poolTxs)
	slices.Sort(got)
	pct := func(p float64) float64 {
		return float64(got[int(p*float64(len(got)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(len(got)), "tips")
}
