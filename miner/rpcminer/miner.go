package rpcminer

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/miner/grind"
	"github.com/nodecoin/nodecoin/rpc"
)

// Caller calls a JSON-RPC method; *rpc.Client is one.
type Caller interface {
	Call(ctx context.Context, method string, params any) (json.RawMessage, error)
}

// ErrNoWallet means no payout address was given and the node has no wallet
// to get one from (getnewaddress is not a method of the node).
var ErrNoWallet = errors.New("the node has no wallet to pay the blocks to: give a payout address (--address ADDR)")

// Back-off bounds of retried calls, and the default hash-rate interval.
const (
	DefaultMinBackoff       = time.Second
	DefaultMaxBackoff       = 10 * time.Second
	DefaultHashRateInterval = 5 * time.Second
)

// Config configures a Miner.
type Config struct {
	// Client calls the node.
	Client Caller
	// NodeAddr is the node's HOST:PORT, for messages.
	NodeAddr string
	// PayTo is the script the coinbases pay; nil means a fresh address from
	// the node's wallet (getnewaddress), decoded with Prefixes.
	PayTo []byte
	// Prefixes are the network's address prefixes.
	Prefixes address.Prefixes
	// Threads is the number of grinding threads; 0 means runtime.NumCPU().
	Threads int
	// Out receives the user's lines: hash rates, blocks found; Err
	// receives errors and waits for the node. Nil discards them.
	Out, Err io.Writer
	// HashRateInterval is how often the hash rate is printed; 0 means
	// DefaultHashRateInterval.
	HashRateInterval time.Duration
	// MinBackoff and MaxBackoff bound the wait before a failed call is
	// retried (doubling from one to the other); 0 means the defaults.
	MinBackoff, MaxBackoff time.Duration
}

// Miner mines blocks on templates from a node; see Run.
type Miner struct {
	cfg        Config
	counters   *grind.Counters
	extraNonce uint64

	mu    sync.Mutex
	found []wire.Hash
}

// New returns a Miner with cfg, its zero fields set to the defaults.
func New(cfg Config) *Miner {
	if cfg.Threads <= 0 {
		cfg.Threads = runtime.NumCPU()
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Err == nil {
		cfg.Err = io.Discard
	}
	cfg.Out, cfg.Err = &lockedWriter{w: cfg.Out}, &lockedWriter{w: cfg.Err}
	if cfg.HashRateInterval <= 0 {
		cfg.HashRateInterval = DefaultHashRateInterval
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(DefaultMaxBackoff, cfg.MinBackoff)
	}
	return &Miner{cfg: cfg, counters: grind.NewCounters(cfg.Threads), extraNonce: rand.Uint64()}
}

// Counters returns the miner's hash counters.
func (m *Miner) Counters() *grind.Counters { return m.counters }

// Found returns the hashes of the blocks the node accepted so far.
func (m *Miner) Found() []wire.Hash {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]wire.Hash(nil), m.found...)
}

// Run mines until ctx is done, then returns nil. It gets the payout
// address first when Config.PayTo is nil (ErrNoWallet if the node has no
// wallet), then loops: getblocktemplate, build the block, grind it while a
// long poll waits for a newer template (which interrupts the grind), roll
// the extranonce when the nonces run out, and submitblock a solved block,
// printing "block found: height H hash X" and the node's verdict. The
// hash rate is printed every HashRateInterval. Failed calls are retried
// with a back-off; Run never returns on an RPC error other than a missing
// wallet.
func (m *Miner) Run(ctx context.Context) error {
	payTo := m.cfg.PayTo
	if payTo == nil {
		var err error
		if payTo, err = m.newAddress(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
	stop := ReportHashRate(ctx, m.counters, m.cfg.HashRateInterval, m.cfg.Out)
	defer stop()
	var tmpl *Template
	for ctx.Err() == nil {
		if tmpl == nil {
			var err error
			if tmpl, err = m.template(ctx, ""); err != nil {
				break
			}
		}
		tmpl = m.mine(ctx, tmpl, payTo)
	}
	return nil
}

// newAddress gets a fresh address from the node's wallet and returns its
// script.
func (m *Miner) newAddress(ctx context.Context) ([]byte, error) {
	var s string
	err := m.retry(ctx, "getnewaddress", func() error {
		res, err := m.cfg.Client.Call(ctx, "getnewaddress", nil)
		if err != nil {
			if e, ok := errors.AsType[*rpc.Error](err); ok && e.Code == rpc.CodeMethodNotFound {
				return fmt.Errorf("%w (%w)", ErrNoWallet, err)
			}
			return err
		}
		if err := json.Unmarshal(res, &s); err != nil {
			return fmt.Errorf("getnewaddress result %s: %w", res, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	a, err := address.Decode(s, m.cfg.Prefixes)
	if err != nil {
		return nil, fmt.Errorf("the node's new address: %w", err)
	}
	fmt.Fprintf(m.cfg.Out, "mining to %s (a new address of the node's wallet)\n", a)
	return a.ScriptPubKey(), nil
}

// template calls getblocktemplate, a long poll when longPollID is set,
// retrying until it succeeds or ctx is done.
func (m *Miner) template(ctx context.Context, longPollID string) (*Template, error) {
	req := map[string]any{"rules": []string{"segwit"}}
	if longPollID != "" {
		req["longpollid"] = longPollID
	}
	var t *Template
	err := m.retry(ctx, "getblocktemplate", func() error {
		res, err := m.cfg.Client.Call(ctx, "getblocktemplate", []any{req})
		if err != nil {
			return err
		}
		t = new(Template)
		if err := json.Unmarshal(res, t); err != nil {
			return fmt.Errorf("getblocktemplate result: %w", err)
		}
		return nil
	})
	return t, err
}

// retry runs call until it succeeds, fails with ErrNoWallet, or ctx is
// done, waiting MinBackoff, doubling up to MaxBackoff, between tries.
func (m *Miner) retry(ctx context.Context, what string, call func() error) error {
	delay := m.cfg.MinBackoff
	for {
		err := call()
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case errors.Is(err, ErrNoWallet):
			return err
		}
		if _, ok := errors.AsType[*rpc.ConnectError](err); ok {
			fmt.Fprintf(m.cfg.Err, "waiting for the node at %s (%v); retrying in %v\n", m.cfg.NodeAddr, err, delay)
		} else {
			fmt.Fprintf(m.cfg.Err, "%s: %v; retrying in %v\n", what, err, delay)
		}
		if sleep(ctx, delay) != nil {
			return fmt.Errorf("%s: %w", what, ctx.Err())
		}
		delay = min(2*delay, m.cfg.MaxBackoff)
	}
}

// sleep waits d or until ctx is done (its error).
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// mine grinds blocks of tmpl until one is found and submitted, a long poll
// returns a newer template, or ctx is done; it returns the template to
// mine next, nil for a fresh getblocktemplate.
func (m *Miner) mine(ctx context.Context, tmpl *Template, payTo []byte) *Template {
	fetched := time.Now()
	lpCtx, cancelLP := context.WithCancel(ctx)
	defer cancelLP()
	gctx, cancelGrind := context.WithCancel(lpCtx)
	defer cancelGrind()
	next := make(chan *Template, 1)
	go func() {
		t, err := m.longPoll(lpCtx, tmpl.LongPollID)
		if err != nil && lpCtx.Err() == nil {
			// Keep grinding a moment, so that a node that fails long polls
			// at once is not asked in a busy loop; then start afresh.
			fmt.Fprintf(m.cfg.Err, "long poll: %v\n", err)
			sleep(lpCtx, m.cfg.MinBackoff)
		}
		next <- t
		cancelGrind()
	}()
	for {
		m.extraNonce++
		now := tmpl.CurTime + int64(time.Since(fetched)/time.Second)
		blk, target, err := BuildBlock(tmpl, payTo, m.extraNonce, now)
		if err != nil {
			fmt.Fprintf(m.cfg.Err, "bad block template at height %d: %v; waiting for another\n", tmpl.Height, err)
			return <-next
		}
		nonce, found := grind.Grind(gctx, blk.Header, target, m.cfg.Threads, m.counters)
		if found {
			blk.Header.Nonce = nonce
			if !target.Meets(blk.Header.BlockHash()) {
				fmt.Fprintf(m.cfg.Err, "grinder returned nonce %d that does not meet the target; skipped\n", nonce)
				continue
			}
			cancelLP()
			m.submit(ctx, blk, tmpl.Height)
			return nil
		}
		if gctx.Err() != nil {
			if ctx.Err() != nil {
				return nil
			}
			return <-next
		}
		// All 2^32 nonces failed: roll the extranonce and grind again.
	}
}

// longPoll waits for a template newer than the one longPollID names. A
// failed call is returned, not retried: the caller starts afresh.
func (m *Miner) longPoll(ctx context.Context, longPollID string) (*Template, error) {
	if longPollID == "" {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	req := map[string]any{"rules": []string{"segwit"}, "longpollid": longPollID}
	res, err := m.cfg.Client.Call(ctx, "getblocktemplate", []any{req})
	if err != nil {
		return nil, err
	}
	t := new(Template)
	if err := json.Unmarshal(res, t); err != nil {
		return nil, fmt.Errorf("getblocktemplate result: %w", err)
	}
	return t, nil
}

// submit sends a solved block with submitblock, retrying calls that fail,
// and prints the outcome.
func (m *Miner) submit(ctx context.Context, blk *wire.Block, height int64) {
	hash := blk.BlockHash()
	fmt.Fprintf(m.cfg.Out, "block found: height %d hash %s\n", height, hash)
	data := hex.EncodeToString(blk.Serialize())
	var res json.RawMessage
	err := m.retry(ctx, "submitblock", func() error {
		var err error
		res, err = m.cfg.Client.Call(ctx, "submitblock", []any{data})
		return err
	})
	if err != nil {
		fmt.Fprintf(m.cfg.Err, "block %s not submitted: %v\n", hash, err)
		return
	}
	var reason *string
	if err := json.Unmarshal(res, &reason); err != nil {
		fmt.Fprintf(m.cfg.Out, "submitblock: %s\n", res)
		return
	}
	if reason == nil {
		fmt.Fprintln(m.cfg.Out, "submitblock: accepted")
		m.mu.Lock()
		m.found = append(m.found, hash)
		m.mu.Unlock()
		return
	}
	fmt.Fprintf(m.cfg.Out, "submitblock: rejected: %s\n", *reason)
}

// ReportHashRate prints "hashrate N H/s threads=T (last D)" to out every
// interval while c counts hashes, until ctx is done or the returned stop is
// called.
func ReportHashRate(ctx context.Context, c *grind.Counters, interval time.Duration, out io.Writer) (stop func()) {
	return c.Report(ctx, interval, func(hps uint64) {
		fmt.Fprintf(out, "hashrate %d H/s threads=%d (last %v)\n", hps, c.Threads(), interval)
	})
}

// lockedWriter serializes the writes of the miner's goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes p to the underlying writer under the lock.
func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
