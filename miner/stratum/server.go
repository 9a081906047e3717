// Package stratum serves Stratum v1 to pool miners from inside the node:
// newline-delimited JSON-RPC over TCP (mining.subscribe, authorize,
// configure with BIP 310 version rolling, extranonce.subscribe,
// suggest_difficulty and submit from the miner; set_difficulty, notify,
// set_extranonce and client.reconnect from the server).
//
// Jobs come from miner.Template: a template is built on every new tip
// (sent as a clean job) and refreshed when the mempool changed or
// RefreshInterval passed. Each connection gets its own jobs, which
// remember the connection's extranonce1 and difficulty when issued and
// the coinbase they carry (in solo mode it pays the connection's first
// authorized address; in PPLNS mode it pays the last N shares' addresses,
// see SplitPPLNS). A share is checked by rebuilding the coinbase, the
// merkle root and the header; one meeting the network target goes to the
// chain's ProcessBlock before anything else. Each connection's difficulty
// follows Vardiff. Accepted shares are recorded in the Store.
//
// Locks: Server.mu guards the connection and session tables and the
// current template; each conn's mu guards its state; stats has its own
// lock; the Store its own. Server.mu may be held while taking a conn's
// lock, never the reverse.
package stratum

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/miner"
)

// Defaults of Config.
const (
	// DefaultMinDifficulty is the lowest share difficulty by default.
	DefaultMinDifficulty = 0.001
	// DefaultMaxDifficulty is the highest share difficulty by default.
	DefaultMaxDifficulty = 1e12
	// DefaultRefreshInterval is the longest time between jobs.
	DefaultRefreshInterval = 30 * time.Second
	// DefaultPoolCheckInterval is how often the mempool is checked for
	// changes that warrant a refreshed job.
	DefaultPoolCheckInterval = 5 * time.Second
	// DefaultSubmitsPerSecond is each connection's sustained submit rate.
	DefaultSubmitsPerSecond = 50
	// DefaultMaxMalformed is how many malformed lines a connection may send
	// (each answered) before it is dropped.
	DefaultMaxMalformed = 5
	// DefaultMaxConnections bounds the open connections.
	DefaultMaxConnections = 10_000
	// DefaultPPLNSWindow is the number of shares PPLNS pays by default.
	DefaultPPLNSWindow = 5_000
	// DefaultOperatorFeePercent is PPLNS's default operator fee.
	DefaultOperatorFeePercent = 1.0
	// SessionLifetime is how long after a disconnection a subscription id
	// gives its extranonce1 back.
	SessionLifetime = 10 * time.Minute
	// ExtraNonce1Size and ExtraNonce2Size are the extranonce sizes in bytes.
	ExtraNonce1Size = 4
	ExtraNonce2Size = 4
	// VersionRollingMask is the header version bits miners may roll
	// (BIP 310).
	VersionRollingMask = 0x1fffe000
	// maxFutureBlockTime is how far ahead of the clock a share's time may
	// be, as the chain allows for blocks.
	maxFutureBlockTime = 2 * time.Hour
	// maxSessions bounds the remembered subscriptions.
	maxSessions = 100_000
	// writeTimeout bounds one write to a miner.
	writeTimeout = 10 * time.Second
	// outQueue is the number of lines waiting for a slow miner before it is
	// dropped.
	outQueue = 64
)

// coinbaseTag follows the extranonce in every coinbase.
var coinbaseTag = []byte("/nodecoin-stratum/")

// Chain is what the server needs of the chain: a miner's view, and the
// index lookup that settles blocks found just before a crash;
// *chain.Chain satisfies it.
type Chain interface {
	miner.MiningChain
	// Header returns what the index knows of the header with the given
	// hash, and whether it is known.
	Header(hash wire.Hash) (chain.HeaderInfo, bool)
}

// Pool is what the server needs of the mempool; *mempool.Pool satisfies it.
type Pool interface {
	// MiningOrder returns the pool's entries in the order a block takes
	// them.
	MiningOrder() []*mempool.MiningTx
	// Sequence returns a counter that changes whenever the pool does.
	Sequence() uint64
}

// Config configures a Server.
type Config struct {
	// Chain is the chain to mine on; required.
	Chain Chain
	// Pool supplies the blocks' transactions; nil mines coinbase-only
	// blocks.
	Pool Pool
	// Addr is the listening HOST:PORT (--stratum-addr); port 0 picks one.
	Addr string
	// Vardiff bounds and tunes the per-connection difficulty; zero Min and
	// Max mean DefaultMinDifficulty and DefaultMaxDifficulty.
	Vardiff VardiffConfig
	// StartDifficulty is a new connection's difficulty; 0 means Min.
	StartDifficulty float64
	// Payout is Solo or PPLNS.
	Payout PayoutMode
	// OperatorFeePPM is PPLNS's operator fee in parts per million.
	OperatorFeePPM int64
	// OperatorScript receives the PPLNS operator fee; required for PPLNS.
	OperatorScript []byte
	// Store keeps the share accounting; required. The caller opens and
	// closes it.
	Store *Store
	// Logger receives the server's events; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// RefreshInterval is DefaultRefreshInterval when 0.
	RefreshInterval time.Duration
	// PoolCheckInterval is DefaultPoolCheckInterval when 0.
	PoolCheckInterval time.Duration
	// SubmitsPerSecond is DefaultSubmitsPerSecond when 0; bursts of twice
	// as many are allowed.
	SubmitsPerSecond float64
	// MaxMalformed is DefaultMaxMalformed when 0.
	MaxMalformed int
	// MaxConnections is DefaultMaxConnections when 0.
	MaxConnections int
}

// Server is a Stratum v1 server; see the package documentation.
type Server struct {
	cfg    Config
	log    *slog.Logger
	params *consensus.Params
	stats  *stats
	tips   chan struct{}
	// again asks the job loop for a refreshed job (PPLNS: a block's share
	// recorded after the new tip's template was built).
	again chan struct{}

	lnMu sync.Mutex
	ln   net.Listener

	mu       sync.Mutex
	conns    map[*conn]struct{}
	en1s     map[uint32]*conn    // extranonce1 of each live subscribed connection
	sessions map[string]*session // subscription id → session
	tmpl     *template           // current template, nil before the first
	wg       sync.WaitGroup      // connection goroutines
	stopping bool

	jobSeq atomic.Uint64 // job ids, and template sequence numbers
}

// session is a subscription, remembered after its connection closed so a
// miner resuming with its id gets its extranonce1 back.
type session struct {
	en1     uint32
	expires time.Time // zero while connected
}

// New returns a Server with cfg, its zero fields set to their defaults,
// subscribed to the chain's notifications. No lock is involved.
func New(cfg Config) (*Server, error) {
	if cfg.Chain == nil {
		return nil, errors.New("stratum: no chain")
	}
	if cfg.Store == nil {
		return nil, errors.New("stratum: no share store")
	}
	if cfg.Payout == PPLNS && len(cfg.OperatorScript) == 0 {
		return nil, errors.New("stratum: PPLNS needs an operator address for the fee")
	}
	if cfg.OperatorFeePPM < 0 || cfg.OperatorFeePPM > 1_000_000 {
		return nil, fmt.Errorf("stratum: operator fee of %d ppm out of range", cfg.OperatorFeePPM)
	}
	if cfg.Vardiff.Min == 0 {
		cfg.Vardiff.Min = DefaultMinDifficulty
	}
	if cfg.Vardiff.Max == 0 {
		cfg.Vardiff.Max = DefaultMaxDifficulty
	}
	if !(cfg.Vardiff.Min > 0) || cfg.Vardiff.Max < cfg.Vardiff.Min {
		return nil, fmt.Errorf("stratum: difficulty bounds [%v, %v]: want 0 < min ≤ max", cfg.Vardiff.Min, cfg.Vardiff.Max)
	}
	cfg.Vardiff.setDefaults()
	if cfg.StartDifficulty <= 0 {
		cfg.StartDifficulty = cfg.Vardiff.Min
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RefreshInterval <= 0 {
		cfg.RefreshInterval = DefaultRefreshInterval
	}
	if cfg.PoolCheckInterval <= 0 {
		cfg.PoolCheckInterval = DefaultPoolCheckInterval
	}
	if cfg.SubmitsPerSecond <= 0 {
		cfg.SubmitsPerSecond = DefaultSubmitsPerSecond
	}
	if cfg.MaxMalformed <= 0 {
		cfg.MaxMalformed = DefaultMaxMalformed
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = DefaultMaxConnections
	}
	s := &Server{cfg: cfg, log: cfg.Logger, params: cfg.Chain.Params(), stats: newStats(cfg.Store.BlocksFound()),
		tips: make(chan struct{}, 1), again: make(chan struct{}, 1), conns: make(map[*conn]struct{}), en1s: make(map[uint32]*conn),
		sessions: make(map[string]*session)}
	if err := s.settlePending(); err != nil {
		return nil, fmt.Errorf("stratum: settle the blocks pending at the last stop: %w", err)
	}
	s.stats = newStats(cfg.Store.BlocksFound())
	cfg.Chain.Subscribe(func(n chain.Notification) {
		if n.Type != chain.BlockConnected && n.Type != chain.BlockDisconnected {
			return
		}
		if n.Type == chain.BlockDisconnected {
			s.blockDisconnected(n.Hash, n.Height)
		}
		select {
		case s.tips <- struct{}{}:
		default:
		}
	})
	return s, nil
}

// Listen binds the server's address, unless already bound, and logs
// "stratum listening" with the address. Run calls it when needed. It
// takes the listener lock (lnMu) only.
func (s *Server) Listen() error {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("stratum: %w", err)
	}
	s.ln = ln
	s.log.Info("stratum listening", "addr", ln.Addr().String(), "payout", s.cfg.Payout.String(),
		"min_diff", s.cfg.Vardiff.Min, "max_diff", s.cfg.Vardiff.Max)
	return nil
}

// Addr returns the bound address, or nil before Listen. It takes the
// listener lock (lnMu) only.
func (s *Server) Addr() net.Addr {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Run serves miners until ctx is done: it binds the address (Listen),
// builds the first template, accepts connections and sends jobs, then on
// cancellation stops accepting, sends every miner client.reconnect, closes
// the connections and returns nil once every connection's goroutines are
// done. It returns an error when the address cannot be bound. Call it
// once, holding no lock; it takes Server.mu and each connection's lock
// in turn, never together in the other order.
func (s *Server) Run(ctx context.Context) error {
	if err := s.Listen(); err != nil {
		return err
	}
	s.lnMu.Lock()
	ln := s.ln
	s.lnMu.Unlock()
	s.refresh(true)
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		s.acceptLoop(ln)
	}()
	s.jobLoop(ctx)

	ln.Close()
	<-accepted
	s.mu.Lock()
	s.stopping = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.reconnectAndClose()
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(writeTimeout):
		for _, c := range conns {
			c.kill()
		}
		<-done
	}
	s.log.Info("stratum stopped", "connections_closed", len(conns))
	return nil
}

// acceptLoop accepts connections until ln closes.
func (s *Server) acceptLoop(ln net.Listener) {
	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: back off and go on.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Warn("stratum accept failed", "err", err, "retry_in", delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		s.mu.Lock()
		if s.stopping || len(s.conns) >= s.cfg.MaxConnections {
			s.mu.Unlock()
			nc.Close()
			continue
		}
		c := newConn(s, nc)
		s.conns[c] = struct{}{}
		s.wg.Add(2)
		s.mu.Unlock()
		s.stats.connected(1)
		go c.writeLoop()
		go c.readLoop()
	}
}

// jobLoop sends jobs until ctx is done: a clean job on every tip change, a
// refreshed one when the pool changed (checked every PoolCheckInterval)
// or RefreshInterval passed; it also re-evaluates idle connections'
// difficulty and forgets expired sessions.
func (s *Server) jobLoop(ctx context.Context) {
	poolTick := time.NewTicker(s.cfg.PoolCheckInterval)
	defer poolTick.Stop()
	refresh := time.NewTimer(s.cfg.RefreshInterval)
	defer refresh.Stop()
	housekeeping := time.NewTicker(10 * time.Second)
	defer housekeeping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.tips:
			s.refresh(true)
		case <-s.again:
			s.refresh(false)
		case <-poolTick.C:
			if s.poolChanged() {
				s.refresh(false)
			} else {
				continue
			}
		case <-refresh.C:
			s.refresh(false)
		case <-housekeeping.C:
			s.housekeeping()
			continue
		}
		refresh.Reset(s.cfg.RefreshInterval)
	}
}

// poolChanged reports whether the mempool changed since the current
// template was built.
func (s *Server) poolChanged() bool {
	if s.cfg.Pool == nil {
		return false
	}
	s.mu.Lock()
	t := s.tmpl
	s.mu.Unlock()
	return t == nil || t.poolSeq != s.cfg.Pool.Sequence()
}

// housekeeping re-evaluates the difficulty of connections that sent no
// share for a while and forgets expired sessions.
func (s *Server) housekeeping() {
	now := s.cfg.Now()
	s.mu.Lock()
	for id, ss := range s.sessions {
		if !ss.expires.IsZero() && now.After(ss.expires) {
			delete(s.sessions, id)
		}
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.checkVardiff(now)
	}
}

// template is a miner.Template with what jobs need of it, shared by every
// connection's jobs.
type template struct {
	*miner.Template
	seq        uint64
	poolSeq    uint64
	netTarget  *big.Int
	prevHash   string   // Stratum's order
	branch     []string // hex, internal order
	split      *Split   // PPLNS outputs, nil in solo mode
	carryAfter map[string]int64

	mu    sync.Mutex
	parts map[string][2][]byte // coinbase parts by payout script
}

// coinbase returns the coinbase parts paying script (solo) or the PPLNS
// split, cached per template.
func (t *template) coinbase(script []byte) ([]byte, []byte, error) {
	key := string(script)
	if t.split != nil {
		key = ""
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if p, ok := t.parts[key]; ok {
		return p[0], p[1], nil
	}
	outs := []*wire.TxOut{{Value: t.Value, PkScript: script}}
	if t.split != nil {
		outs = t.split.Outputs
	}
	cb1, cb2, err := t.CoinbaseParts(outs, coinbaseTag)
	if err != nil {
		return nil, nil, err
	}
	if len(t.parts) > 1024 {
		clear(t.parts) // bounded; parts are cheap to rebuild
	}
	t.parts[key] = [2][]byte{cb1, cb2}
	return cb1, cb2, nil
}

// stratumPrevHash returns h (internal order) with each 4-byte word's bytes
// reversed, in hex: how Stratum sends the previous block hash.
func stratumPrevHash(h wire.Hash) string {
	var b [32]byte
	for i := 0; i < 32; i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = h[i+3], h[i+2], h[i+1], h[i]
	}
	return hex.EncodeToString(b[:])
}

// buildTemplate builds a template on the tip with the pool's transactions
// (without them when the pool is behind the chain for a moment).
func (s *Server) buildTemplate() (*template, error) {
	var txs []*wire.Tx
	var poolSeq uint64
	if s.cfg.Pool != nil {
		poolSeq = s.cfg.Pool.Sequence()
		limits := mempool.DefaultBlockLimits()
		if s.cfg.Payout == PPLNS {
			limits.Size -= ReservedPPLNSSize
			limits.SigOps -= ReservedPPLNSSigOps
		}
		for _, mt := range mempool.SelectForBlock(s.cfg.Pool.MiningOrder(), limits, nil) {
			txs = append(txs, mt.Tx)
		}
	}
	mt, err := miner.NewTemplate(s.cfg.Chain, txs, ExtraNonce1Size+ExtraNonce2Size, s.cfg.Now())
	if len(txs) > 0 && errors.Is(err, miner.ErrMissingInput) {
		mt, err = miner.NewTemplate(s.cfg.Chain, nil, ExtraNonce1Size+ExtraNonce2Size, s.cfg.Now())
	}
	if err != nil {
		return nil, err
	}
	nt, neg, over := consensus.CompactToBig(mt.Header.Bits)
	if neg || over || nt.Sign() <= 0 {
		return nil, fmt.Errorf("template bits %08x give no target", mt.Header.Bits)
	}
	// branch is never nil: a coinbase-only block's branch is the empty
	// array, which miners iterate, not null.
	t := &template{Template: mt, poolSeq: poolSeq, netTarget: nt, prevHash: stratumPrevHash(mt.Header.PrevBlock),
		parts: make(map[string][2][]byte), branch: make([]string, 0, len(mt.Branch))}
	for _, h := range mt.Branch {
		t.branch = append(t.branch, hex.EncodeToString(h[:]))
	}
	if s.cfg.Payout == PPLNS {
		sp := SplitPPLNS(mt.Value, s.cfg.Store.Window(), s.cfg.Store.Carry(), s.cfg.OperatorFeePPM,
			s.cfg.OperatorScript, DustLimit, MaxPPLNSPayees)
		t.split = &sp
	}
	return t, nil
}

// refresh builds a new template and sends every ready connection a job of
// it, clean (old jobs abandoned) when asked or when the tip changed.
func (s *Server) refresh(clean bool) {
	start := time.Now()
	t, err := s.buildTemplate()
	if err != nil {
		s.log.Error("stratum: cannot build a template", "err", err)
		return
	}
	t.seq = s.jobSeq.Add(1)
	s.mu.Lock()
	if s.tmpl != nil && s.tmpl.Header.PrevBlock != t.Header.PrevBlock {
		clean = true
	}
	s.tmpl = t
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	sent := 0
	for _, c := range conns {
		if c.sendJob(t, clean) {
			sent++
		}
	}
	s.log.Debug("stratum jobs sent", "height", t.Height, "clean", clean, "connections", sent,
		"txs", len(t.Txs), "took", time.Since(start))
}

// current returns the current template.
func (s *Server) current() *template {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tmpl
}

// nextJobID returns a new job id, unique in the server's life.
func (s *Server) nextJobID() string {
	return strconv.FormatUint(s.jobSeq.Add(1), 16)
}

// subscribe assigns c an extranonce1: the one of session sid when it is
// known (taking it from a live connection still holding it, which gets a
// new one by mining.set_extranonce, or is closed if it cannot take one),
// else a new one. It returns the subscription id and the extranonce1.
func (s *Server) subscribe(c *conn, sid string) (string, uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss, ok := s.sessions[sid]; ok && sid != "" && (ss.expires.IsZero() || s.cfg.Now().Before(ss.expires)) {
		if holder := s.en1s[ss.en1]; holder != nil && holder != c {
			// The miner reconnected before its old connection died.
			en1 := s.freshEN1Locked()
			s.en1s[en1] = holder
			newSID := s.newSessionLocked(en1)
			holder.changeExtranonce(en1, newSID, s.tmpl)
		}
		ss.expires = time.Time{}
		s.en1s[ss.en1] = c
		return sid, ss.en1
	}
	en1 := s.freshEN1Locked()
	s.en1s[en1] = c
	return s.newSessionLocked(en1), en1
}

func (s *Server) newSessionLocked(en1 uint32) string {
	if len(s.sessions) >= maxSessions {
		for id, ss := range s.sessions {
			if !ss.expires.IsZero() {
				delete(s.sessions, id)
				break
			}
		}
	}
	var b [8]byte
	rand.Read(b[:])
	sid := hex.EncodeToString(b[:])
	s.sessions[sid] = &session{en1: en1}
	return sid
}

// freshEN1Locked returns an extranonce1 no live connection or remembered
// session holds.
func (s *Server) freshEN1Locked() uint32 {
	var b [4]byte
	for {
		rand.Read(b[:])
		en1 := binary.BigEndian.Uint32(b[:])
		if _, live := s.en1s[en1]; live {
			continue
		}
		taken := false
		if len(s.sessions) < 4096 { // a full scan only while it is cheap
			for _, ss := range s.sessions {
				if ss.en1 == en1 {
					taken = true
					break
				}
			}
		}
		if !taken {
			return en1
		}
	}
}

// closed forgets c: its extranonce1 is released and its session starts
// expiring.
func (s *Server) closed(c *conn, en1 uint32, sid string, subscribed bool) {
	s.mu.Lock()
	delete(s.conns, c)
	if subscribed && s.en1s[en1] == c {
		delete(s.en1s, en1)
		if ss, ok := s.sessions[sid]; ok && ss.en1 == en1 {
			ss.expires = s.cfg.Now().Add(SessionLifetime)
		}
	}
	s.mu.Unlock()
	s.stats.connected(-1)
}

// networkDifficulty returns the difficulty of the current template's
// bits.
func (t *template) networkDifficulty() float64 { return TargetDifficulty(t.netTarget) }

// submitBlock hands a solved block to the chain and logs and counts the
// outcome; it reports whether the block joined the main chain.
func (s *Server) submitBlock(b *wire.Block, t *template, worker string) bool {
	hash := b.BlockHash()
	var carry map[string]int64
	if t.split != nil {
		carry = t.split.Carry
	}
	// Written ahead, so that a crash between the chain storing the block
	// and the payout being recorded is settled at the next start.
	if err := s.cfg.Store.BlockPending(hash, carry); err != nil {
		s.log.Error("stratum: cannot record a block about to be submitted", "err", err)
	}
	res, err := s.cfg.Chain.ProcessBlock(b)
	switch {
	case err != nil:
		s.abandon(hash)
		s.log.Warn("stratum block rejected", "height", t.Height, "hash", hash, "worker", worker, "err", err)
		return false
	case !res.MainChain:
		s.abandon(hash)
		s.log.Warn("stratum block not on the main chain", "height", t.Height, "hash", hash, "worker", worker)
		return false
	}
	if err := s.cfg.Store.BlockFound(hash, carry); err != nil {
		s.log.Error("stratum: cannot record the block found", "err", err)
	}
	s.stats.blockFound()
	s.log.Info("stratum block found", "height", t.Height, "hash", hash, "worker", worker,
		"txs", len(b.Transactions), "payout", s.cfg.Payout.String())
	return true
}

// abandon clears the pending record of a block the chain did not take.
func (s *Server) abandon(hash wire.Hash) {
	if err := s.cfg.Store.BlockAbandoned(hash); err != nil {
		s.log.Error("stratum: cannot clear a pending block", "hash", hash, "err", err)
	}
}

// settlePending records the outcome of the blocks a previous process
// handed to the chain without recording it (it stopped in between): a
// block now on the main chain is counted as found, with its payout's
// carried balances; any other is forgotten.
func (s *Server) settlePending() error {
	pending, err := s.cfg.Store.Pending()
	if err != nil {
		return err
	}
	for _, pb := range pending {
		if info, ok := s.cfg.Chain.Header(pb.Hash); ok && info.MainChain {
			if err := s.cfg.Store.BlockFound(pb.Hash, pb.Carry); err != nil {
				return err
			}
			s.log.Info("stratum block found before the last stop recorded", "height", info.Height, "hash", pb.Hash)
			continue
		}
		if err := s.cfg.Store.BlockAbandoned(pb.Hash); err != nil {
			return err
		}
	}
	return nil
}

// blockDisconnected undoes the PPLNS payout of a block the pool found
// that left the main chain, so that the balances it paid are owed again.
func (s *Server) blockDisconnected(hash wire.Hash, height int32) {
	undone, err := s.cfg.Store.BlockDisconnected(hash)
	switch {
	case err != nil:
		s.log.Error("stratum: cannot undo the payout of a disconnected block", "height", height, "hash", hash, "err", err)
	case undone:
		s.log.Warn("stratum block left the main chain; its PPLNS payout is owed again", "height", height, "hash", hash)
	}
}

// Info returns the server's figures (getstratuminfo, metrics). It takes
// the statistics lock only, so it may be called from anywhere.
func (s *Server) Info() Info {
	return s.stats.info(s.cfg.Now(), s.cfg.Payout)
}
