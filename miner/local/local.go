// Package local mines inside the node, as `nodecoin daemon --mine` does:
// it builds a block on the chain's tip with miner.BuildBlock, holding the
// mempool's transactions chosen by mempool.SelectForBlock, grinds its
// header with miner/grind on several threads, and hands a solved block
// straight to the chain's ProcessBlock, without going through JSON-RPC.
//
// The grind is interrupted, and a fresh block built, when the chain's tip
// changes (the miner subscribes to the chain's notifications) and when the
// mempool has changed and RefreshInterval has passed since the block was
// built, so new transactions get in without abandoning work too often.
// When a header's 2^32 nonces run out, the extranonce is bumped and the
// block rebuilt.
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/miner"
	"github.com/nodecoin/nodecoin/miner/grind"
)

// Defaults of Config.
const (
	// DefaultRefreshInterval is how long a block is ground, at least,
	// before a changed mempool makes the miner rebuild it.
	DefaultRefreshInterval = 10 * time.Second
	// DefaultHashRateInterval is how often the hash rate is logged.
	DefaultHashRateInterval = 10 * time.Second
	// buildRetryDelay is the wait after a block could not be built (a
	// storage error of the chain) or was refused, before trying again.
	buildRetryDelay = time.Second
)

// Pool is what the miner needs of the mempool; *mempool.Pool satisfies it.
type Pool interface {
	// MiningOrder returns the pool's entries in the order a block takes
	// them.
	MiningOrder() []*mempool.MiningTx
	// Sequence returns a counter that changes whenever the pool does.
	Sequence() uint64
}

// Config configures a Miner.
type Config struct {
	// Chain is the chain to extend; required.
	Chain miner.MiningChain
	// Pool supplies the transactions of the blocks; nil mines blocks
	// holding only their coinbase.
	Pool Pool
	// PayTo is the script every coinbase pays; required.
	PayTo []byte
	// Threads is the number of grinding threads; 0 or less means
	// runtime.NumCPU().
	Threads int
	// Logger receives the blocks found and the hash rate; nil discards
	// them. The node passes its logger of subsystem miner.
	Logger *slog.Logger
	// RefreshInterval is DefaultRefreshInterval when 0.
	RefreshInterval time.Duration
	// HashRateInterval is DefaultHashRateInterval when 0.
	HashRateInterval time.Duration
	// Now is the clock of block times; nil means time.Now.
	Now func() time.Time
	// Observer receives the miner's measurements; nil discards them.
	Observer Observer
	// Counters counts the hashes, with at least Threads slots; nil means
	// counters of the miner's own (see Miner.Counters).
	Counters *grind.Counters
}

// Submission results, as Observer.Submitted reports them.
const (
	// SubmitAccepted: the found block joined the main chain.
	SubmitAccepted = "accepted"
	// SubmitStale: the chain stored the block off the main chain (another
	// block won the height first).
	SubmitStale = "stale"
	// SubmitRejected: the chain refused the block.
	SubmitRejected = "rejected"
)

// Observer receives the miner's measurements, for metrics. Its methods
// are called from the miner's goroutines and must return quickly.
type Observer interface {
	// WorkStarted reports that every grinding thread has begun on a newly
	// built block, at the time given. afterTip is true when the block was
	// built because the chain's tip changed; sinceTip is then the time
	// from the chain's notification of that tip to this moment.
	WorkStarted(at time.Time, afterTip bool, sinceTip time.Duration)
	// Submitted reports the fate of a found block: SubmitAccepted,
	// SubmitStale or SubmitRejected.
	Submitted(result string)
	// HashRate reports the hash rate of the last HashRateInterval.
	HashRate(hashesPerSecond uint64)
}

// discardObserver is the Observer of a Config without one.
type discardObserver struct{}

func (discardObserver) WorkStarted(time.Time, bool, time.Duration) {}
func (discardObserver) Submitted(string)                           {}
func (discardObserver) HashRate(uint64)                            {}

// Miner mines blocks on a chain; see Run.
type Miner struct {
	cfg        Config
	counters   *grind.Counters
	extraNonce uint64
	tips       chan struct{} // a tip change since the last drain
	// tipAt is when the chain last notified a change of its tip (Unix
	// nanoseconds); a grinding thread takes it, as the start of the
	// latency of the work built on that tip, and zeroes it.
	tipAt atomic.Int64
	// builtAfter is tipAt as the block being ground was built on it.
	builtAfter atomic.Int64

	mu    sync.Mutex
	found []wire.Hash
}

// New returns a Miner with cfg, its zero fields set to their defaults. It
// subscribes the miner to the chain's notifications (a subscription lasts
// as long as the chain and costs nothing once Run has returned).
func New(cfg Config) (*Miner, error) {
	if cfg.Chain == nil {
		return nil, errors.New("local miner: no chain")
	}
	if len(cfg.PayTo) == 0 {
		return nil, errors.New("local miner: no payout script")
	}
	if cfg.Threads <= 0 {
		cfg.Threads = runtime.NumCPU()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.RefreshInterval <= 0 {
		cfg.RefreshInterval = DefaultRefreshInterval
	}
	if cfg.HashRateInterval <= 0 {
		cfg.HashRateInterval = DefaultHashRateInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Observer == nil {
		cfg.Observer = discardObserver{}
	}
	if cfg.Counters == nil {
		cfg.Counters = grind.NewCounters(cfg.Threads)
	}
	if cfg.Counters.Threads() < cfg.Threads {
		return nil, fmt.Errorf("local miner: %d hash counters for %d threads", cfg.Counters.Threads(), cfg.Threads)
	}
	m := &Miner{cfg: cfg, counters: cfg.Counters, extraNonce: rand.Uint64(),
		tips: make(chan struct{}, 1)}
	m.counters.OnStart(m.workStarted)
	cfg.Chain.Subscribe(func(chain.Notification) {
		m.tipAt.Store(time.Now().UnixNano())
		select {
		case m.tips <- struct{}{}:
		default:
		}
	})
	return m, nil
}

// workStarted is called when every thread grinds the block last built:
// it reports the latency from the tip change that block follows, if any.
func (m *Miner) workStarted(at time.Time) {
	tip := m.builtAfter.Swap(0)
	if tip == 0 {
		m.cfg.Observer.WorkStarted(at, false, 0)
		return
	}
	m.cfg.Observer.WorkStarted(at, true, at.Sub(time.Unix(0, tip)))
}

// Counters returns the miner's hash counters.
func (m *Miner) Counters() *grind.Counters { return m.counters }

// Found returns the hashes of the blocks the miner found that joined the
// main chain, oldest first.
func (m *Miner) Found() []wire.Hash {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]wire.Hash(nil), m.found...)
}

// Run mines until ctx is done, then returns nil once its grinding threads
// have stopped (within milliseconds). It loops: build a block on the tip
// with the pool's transactions and a new extranonce, grind it until a
// nonce is found, the nonces run out, the tip changes, or the pool changed
// and RefreshInterval passed; a solved block goes to the chain's
// ProcessBlock and is logged ("block found", height and hash). The hash
// rate is logged every HashRateInterval while hashes are done. A block
// that cannot be built (a storage error) is logged and retried.
func (m *Miner) Run(ctx context.Context) error {
	log := m.cfg.Logger
	log.Info("mining started", "threads", m.cfg.Threads, "hash_path", grind.Path())
	stop := m.counters.Report(ctx, m.cfg.HashRateInterval, func(hps uint64) {
		m.cfg.Observer.HashRate(hps)
		log.Info("hash rate", "hashes_per_second", hps, "threads", m.cfg.Threads)
	})
	defer stop()
	for ctx.Err() == nil {
		m.mineOne(ctx)
	}
	log.Info("mining stopped", "blocks_found", len(m.Found()))
	return nil
}

// mineOne builds one block and grinds it until it is solved and
// submitted, its work is stale, its nonces ran out, or ctx is done.
func (m *Miner) mineOne(ctx context.Context) {
	log := m.cfg.Logger
	// Tip changes signalled before this point are seen by Best below.
	select {
	case <-m.tips:
	default:
	}
	// The work built now follows the last tip change, unless an earlier
	// block was already built after it.
	m.builtAfter.Store(m.tipAt.Swap(0))
	var seq uint64
	var txs []*wire.Tx
	if m.cfg.Pool != nil {
		seq = m.cfg.Pool.Sequence()
		for _, mt := range mempool.SelectForBlock(m.cfg.Pool.MiningOrder(), mempool.DefaultBlockLimits(), nil) {
			txs = append(txs, mt.Tx)
		}
	}
	best := m.cfg.Chain.Best()
	m.extraNonce++
	blk, err := miner.BuildBlock(m.cfg.Chain, m.cfg.PayTo, txs, m.extraNonce, m.cfg.Now())
	if len(txs) > 0 && errors.Is(err, miner.ErrMissingInput) {
		// The pool is behind the tip for a moment: mine without it.
		blk, err = miner.BuildBlock(m.cfg.Chain, m.cfg.PayTo, nil, m.extraNonce, m.cfg.Now())
	}
	if err != nil {
		log.Error("cannot build a block; retrying", "err", err, "retry_in", buildRetryDelay)
		wait(ctx, buildRetryDelay, m.tips)
		return
	}
	if blk.Header.PrevBlock != best.Hash {
		return // the tip moved while the block was built
	}
	target, err := grind.TargetFromBits(blk.Header.Bits)
	if err != nil {
		log.Error("block bits give no target; retrying", "bits", fmt.Sprintf("%08x", blk.Header.Bits), "err", err)
		wait(ctx, buildRetryDelay, m.tips)
		return
	}
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		m.watch(gctx, cancel, seq)
	}()
	nonce, found := grind.Grind(gctx, blk.Header, target, m.cfg.Threads, m.counters)
	cancel()
	<-watched
	if !found {
		return // stale work, nonces exhausted (a new extranonce next), or ctx done
	}
	blk.Header.Nonce = nonce
	if !m.submit(blk, best.Height+1) {
		// A block the chain refuses (say, a time too far ahead of the
		// clock after a burst of regtest blocks) would be refused again
		// at once: wait a moment, or for a new tip.
		wait(ctx, buildRetryDelay, m.tips)
	}
}

// watch cancels the grind when the tip changes, or when the pool's
// sequence differs from seq at a check every RefreshInterval, until ctx is
// done.
func (m *Miner) watch(ctx context.Context, cancel context.CancelFunc, seq uint64) {
	tick := time.NewTicker(m.cfg.RefreshInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-m.tips:
			cancel()
			return
		case <-tick.C:
			if m.cfg.Pool != nil && m.cfg.Pool.Sequence() != seq {
				cancel()
				return
			}
		}
	}
}

// submit hands a solved block to the chain and logs the outcome; it
// reports whether the chain accepted the block.
func (m *Miner) submit(blk *wire.Block, height int32) bool {
	log := m.cfg.Logger
	hash := blk.BlockHash()
	res, err := m.cfg.Chain.ProcessBlock(blk)
	switch {
	case err != nil:
		m.cfg.Observer.Submitted(SubmitRejected)
		log.Error("block found but rejected", "height", height, "hash", hash, "err", err, "retry_in", buildRetryDelay)
		return false
	case !res.MainChain:
		m.cfg.Observer.Submitted(SubmitStale)
		log.Warn("block found but not on the main chain", "height", height, "hash", hash)
		return true
	default:
		m.cfg.Observer.Submitted(SubmitAccepted)
		m.mu.Lock()
		m.found = append(m.found, hash)
		m.mu.Unlock()
		log.Info("block found", "height", height, "hash", hash, "txs", len(blk.Transactions))
		return true
	}
}

// wait waits d, or until ctx is done or wake receives (a tip change,
// which the next block is built on anyway).
func wait(ctx context.Context, d time.Duration, wake <-chan struct{}) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-wake:
	}
}
