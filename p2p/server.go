package p2p

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/p2p/message"
)

// Defaults of Config.
const (
	DefaultMaxConnections   = 125
	DefaultMaxOutbound      = 8
	DefaultHandshakeTimeout = 60 * time.Second
	DefaultPingInterval     = 2 * time.Minute
	DefaultPingTimeout      = 20 * time.Minute
	DefaultIdleTimeout      = 20 * time.Minute
	DefaultWriteTimeout     = 2 * time.Minute
	DefaultStallTimeout     = 5 * time.Second
	DefaultTrickleInterval  = 2 * time.Second
	// DefaultDownloadWindow is how far above the tip blocks are fetched.
	DefaultDownloadWindow = 1024
	// DefaultMaxInFlight is the most blocks requested from one peer at once.
	DefaultMaxInFlight = 16
	// DefaultMaxLowWorkHeaders bounds the headers one peer may add to the
	// index for chains with less work than the tip: every header costs
	// memory for as long as the node runs, and on a young chain SHA-256
	// hardware makes valid low-work headers cheap. An honest peer on a
	// losing branch sends a few; a reorganisation deeper than this from a
	// single peer is refused from that peer.
	DefaultMaxLowWorkHeaders = 20_000
)

// Observer receives the P2P layer's measurements, for metrics. Its methods
// are called from many goroutines, some holding the server's locks: they
// must be quick and must not call the server.
type Observer interface {
	// MessageSent and MessageReceived count one message of cmd and its
	// framed size.
	MessageSent(cmd string, bytes int)
	MessageReceived(cmd string, bytes int)
	// PeerConnected and PeerDisconnected track the peers by direction.
	PeerConnected(inbound bool)
	PeerDisconnected(inbound bool)
	// Banned counts an address banned for misbehaviour.
	Banned()
	// BlockPropagation reports how long a new block took from its first
	// announcement to its acceptance.
	BlockPropagation(d time.Duration)
}

type nopObserver struct{}

func (nopObserver) MessageSent(string, int)        {}
func (nopObserver) MessageReceived(string, int)    {}
func (nopObserver) PeerConnected(bool)             {}
func (nopObserver) PeerDisconnected(bool)          {}
func (nopObserver) Banned()                        {}
func (nopObserver) BlockPropagation(time.Duration) {}

// Config configures a Server. Chain and Params are required; zero
// durations and limits take the defaults above.
type Config struct {
	Params *consensus.Params
	Chain  *chain.Chain
	// Pool is the mempool; nil turns transaction relay off.
	Pool *mempool.Pool
	// Listen is the HOST:PORT to accept peers on; empty means none. Port 0
	// picks a free port, which the "P2P listening" log line gives.
	Listen string
	// Connect are the only peers to connect to (--connect); AddNodes are
	// peers to keep connected in addition to others (--addnode).
	Connect, AddNodes []string
	// MaxConnections bounds all peers, MaxOutbound the outbound ones.
	MaxConnections, MaxOutbound int
	// DataDir holds the ban list and the address book; empty keeps them in
	// memory only.
	DataDir string
	// UserAgent is announced in version messages.
	UserAgent string
	Logger    *slog.Logger
	Observer  Observer
	// Timings: handshake, ping interval and timeout, idle read timeout,
	// write timeout, block download stall timeout, mean trickle delay.
	HandshakeTimeout, PingInterval, PingTimeout, IdleTimeout, WriteTimeout time.Duration
	StallTimeout, TrickleInterval                                          time.Duration
	// RetryInterval is the first reconnection delay of a manual peer,
	// doubling up to a minute and a half; 0 means 1 s.
	RetryInterval time.Duration
	// DownloadWindow and MaxInFlight tune the block download.
	DownloadWindow int32
	MaxInFlight    int
	// MaxLowWorkHeaders is how many headers of chains with less work than
	// the tip a peer may give before it is banned; 0 means
	// DefaultMaxLowWorkHeaders.
	MaxLowWorkHeaders int
	// BanDuration is how long misbehaviour bans last; 0 means 24 h.
	BanDuration time.Duration
	// Dial opens outbound connections; nil means TCP.
	Dial func(ctx context.Context, addr string) (net.Conn, error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server is the P2P node: it accepts and makes connections, syncs the
// chain from its peers, relays blocks and transactions and bans
// misbehaving peers. Create it with New and run it with Run. Its methods
// are safe for concurrent use: each takes the locks it needs (the
// server's mu, syncMu, a peer's mu, the ban list's and the address book's
// own) and expects the caller to hold none of them.
type Server struct {
	cfg   Config
	log   *slog.Logger
	obs   Observer
	magic [4]byte
	nonce uint64
	ch    *chain.Chain
	pool  *mempool.Pool

	nextPeerID atomic.Uint64
	listenAddr atomic.Pointer[string]
	ln         net.Listener // set by Listen, before Run

	mu       sync.Mutex
	peers    map[uint64]*Peer
	manual   map[string]*manualPeer // by address as given
	scores   map[netip.Addr]int     // misbehaviour of addresses across their connections
	runCtx   context.Context
	wg       sync.WaitGroup
	oneTries chan string

	bans  *banList
	addrs *addrBook

	syncMu sync.Mutex
	sync   syncState
	wake   chan struct{}

	announce chan chain.Notification

	// obsTotals counts the bytes of every connection, closed ones included.
	obsTotals struct{ recv, sent atomic.Uint64 }

	started time.Time
}

// manualPeer is a peer given by --connect, --addnode or the addnode RPC,
// kept connected with back-off.
type manualPeer struct {
	addr    string
	peer    *Peer // nil while not connected
	removed bool
}

// New returns a server ready to Run and subscribes it to the chain's
// notifications. It touches no network; the ban list and address book are
// read from DataDir (a corrupt file is logged and ignored).
func New(cfg Config) (*Server, error) {
	if cfg.Params == nil || cfg.Chain == nil {
		return nil, errors.New("p2p: Params and Chain are required")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.HandshakeTimeout, DefaultHandshakeTimeout)
	def(&cfg.PingInterval, DefaultPingInterval)
	def(&cfg.PingTimeout, DefaultPingTimeout)
	def(&cfg.IdleTimeout, DefaultIdleTimeout)
	def(&cfg.WriteTimeout, DefaultWriteTimeout)
	def(&cfg.StallTimeout, DefaultStallTimeout)
	def(&cfg.TrickleInterval, DefaultTrickleInterval)
	def(&cfg.RetryInterval, time.Second)
	def(&cfg.BanDuration, DefaultBanDuration)
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = DefaultMaxConnections
	}
	if cfg.MaxOutbound <= 0 {
		cfg.MaxOutbound = DefaultMaxOutbound
	}
	cfg.MaxOutbound = min(cfg.MaxOutbound, cfg.MaxConnections)
	if cfg.DownloadWindow <= 0 {
		cfg.DownloadWindow = DefaultDownloadWindow
	}
	if cfg.MaxLowWorkHeaders <= 0 {
		cfg.MaxLowWorkHeaders = DefaultMaxLowWorkHeaders
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = message.UserAgent("dev")
	}
	for _, a := range append(slices.Clone(cfg.Connect), cfg.AddNodes...) {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return nil, fmt.Errorf("peer address %q: %w", a, err)
		}
	}
	s := &Server{cfg: cfg, log: cfg.Logger, obs: cfg.Observer, magic: cfg.Params.Magic, nonce: rand.Uint64(),
		ch: cfg.Chain, pool: cfg.Pool, peers: make(map[uint64]*Peer), manual: make(map[string]*manualPeer),
		scores: make(map[netip.Addr]int), oneTries: make(chan string, 16), bans: newBanList(), addrs: newAddrBook(),
		wake: make(chan struct{}, 1), announce: make(chan chain.Notification, 1024), started: cfg.Now()}
	s.sync.init()
	if cfg.DataDir != "" {
		if err := s.bans.load(filepath.Join(cfg.DataDir, BanListFileName), s.now()); err != nil {
			s.log.Warn("ban list not loaded, starting with none", "err", err)
		}
		if err := s.addrs.load(filepath.Join(cfg.DataDir, AddrBookFileName), s.now()); err != nil {
			s.log.Warn("address book not loaded, starting empty", "err", err)
		}
	}
	cfg.Chain.Subscribe(s.onChainNotification)
	return s, nil
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// ListenAddr returns the address the server accepts peers on, once Run has
// bound it ("" before, or when not listening).
func (s *Server) ListenAddr() string {
	if p := s.listenAddr.Load(); p != nil {
		return *p
	}
	return ""
}

// Listen binds the listening address (Config.Listen), so that a busy port
// is reported before Run; Run calls it when it was not called. It logs
// "P2P listening" with the address bound.
func (s *Server) Listen() error {
	if s.cfg.Listen == "" || s.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("P2P listen on %s: %w", s.cfg.Listen, err)
	}
	s.ln = ln
	addr := ln.Addr().String()
	s.listenAddr.Store(&addr)
	s.log.Info("P2P listening", "addr", addr)
	return nil
}

// Run binds the listening address (unless Listen did), connects to the
// configured peers and serves until ctx is cancelled; then it disconnects
// every peer, saves the ban list and the address book and returns. It
// fails only when the listening address cannot be bound.
func (s *Server) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := s.Listen(); err != nil {
		return err
	}
	ln := s.ln
	if ln != nil {
		context.AfterFunc(ctx, func() { ln.Close() })
	}
	s.mu.Lock()
	s.runCtx = ctx
	for _, a := range append(slices.Clone(s.cfg.Connect), s.cfg.AddNodes...) {
		s.addManualLocked(a)
	}
	s.mu.Unlock()

	var loops sync.WaitGroup
	start := func(f func(context.Context)) {
		loops.Add(1)
		go func() { defer loops.Done(); f(ctx) }()
	}
	if ln != nil {
		start(func(ctx context.Context) { s.acceptLoop(ctx, ln) })
	}
	start(s.syncLoop)
	start(s.announceLoop)
	start(s.outboundLoop)
	start(s.saveLoop)
	<-ctx.Done()
	loops.Wait()
	s.mu.Lock()
	for _, p := range s.peers {
		p.disconnect("shutting down")
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.save()
	s.log.Info("P2P stopped")
	return nil
}

// save writes the ban list and the address book.
func (s *Server) save() {
	if s.cfg.DataDir == "" {
		return
	}
	if err := s.bans.save(filepath.Join(s.cfg.DataDir, BanListFileName), s.now()); err != nil {
		s.log.Warn("ban list not saved", "err", err)
	}
	if err := s.addrs.save(filepath.Join(s.cfg.DataDir, AddrBookFileName)); err != nil {
		s.log.Warn("address book not saved", "err", err)
	}
}

// saveLoop saves the ban list and address book every few minutes.
func (s *Server) saveLoop(ctx context.Context) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.save()
		}
	}
}

// acceptLoop accepts inbound peers: banned addresses and connections over
// the limit are closed at once.
func (s *Server) acceptLoop(ctx context.Context, ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			s.log.Warn("accept failed", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		ap := addrPortOf(conn.RemoteAddr())
		if s.bans.banned(ap.Addr(), s.now()) {
			s.log.Debug("refused banned peer", "addr", ap)
			conn.Close()
			continue
		}
		if !s.AddConn(conn, true, false) {
			conn.Close()
		}
	}
}

// AddConn runs a peer over an established connection (for inbound
// connections and in-memory networks) and reports whether it was
// accepted: the server must be running and below its connection limit
// (an inbound peer may evict another inbound one). The connection is
// closed when the peer ends.
func (s *Server) AddConn(conn net.Conn, inbound, manual bool) bool {
	s.mu.Lock()
	ctx := s.runCtx
	if ctx == nil || ctx.Err() != nil {
		s.mu.Unlock()
		return false
	}
	if inbound && len(s.peers) >= s.cfg.MaxConnections && !s.evictInboundLocked() {
		s.mu.Unlock()
		s.log.Debug("refused inbound peer: connection limit", "addr", conn.RemoteAddr())
		return false
	}
	p := newPeer(s, conn, inbound, manual)
	s.peers[p.id] = p
	s.wg.Add(1)
	s.mu.Unlock()
	s.obs.PeerConnected(inbound)
	go func() {
		defer s.wg.Done()
		err := p.run(ctx)
		s.removePeer(p, err)
	}()
	return true
}

// evictInboundLocked disconnects one inbound peer to make room for a new
// one, protecting the peers that are most useful or most diverse: the
// lowest ping times, those that sent blocks recently (in flight) and one
// per /16 network; among the rest it evicts from the network holding the
// most connections. The caller holds mu. It reports whether a peer was
// evicted.
func (s *Server) evictInboundLocked() bool {
	var cands []*Peer
	for _, p := range s.peers {
		if p.inbound && !p.manual {
			cands = append(cands, p)
		}
	}
	if len(cands) == 0 {
		return false
	}
	// Protect the 4 that most recently gave a new block, the 4 that most
	// recently gave a new transaction (an attacker cannot fake being
	// useful), then the 4 fastest.
	for _, last := range []func(*Peer) int64{
		func(p *Peer) int64 { return p.lastNovelBlock.Load() },
		func(p *Peer) int64 { return p.lastNovelTx.Load() },
	} {
		slices.SortStableFunc(cands, func(a, b *Peer) int { return int(cmpInt64(last(b), last(a))) })
		n := 0
		for n < min(4, len(cands)) && last(cands[n]) != 0 {
			n++
		}
		cands = cands[n:]
	}
	slices.SortFunc(cands, func(a, b *Peer) int {
		return int(cmpInt64(nonZero(a.minPing.Load()), nonZero(b.minPing.Load())))
	})
	cands = cands[min(4, len(cands)):]
	// Protect one per network group (the oldest).
	groups := make(map[string][]*Peer)
	for _, p := range cands {
		g := netGroup(p.addr.Addr())
		groups[g] = append(groups[g], p)
	}
	var worst []*Peer
	for _, ps := range groups {
		slices.SortFunc(ps, func(a, b *Peer) int { return a.connected.Compare(b.connected) })
		rest := ps[1:]
		if len(rest) > len(worst) {
			worst = rest
		}
	}
	if len(worst) == 0 {
		return false
	}
	victim := worst[len(worst)-1] // the newest of the largest group
	victim.log.Info("evicting inbound peer to make room")
	victim.disconnect("evicted")
	delete(s.peers, victim.id)
	return true
}

func nonZero(v int64) int64 {
	if v == 0 {
		return 1 << 62
	}
	return v
}

func cmpInt64(a, b int64) int64 {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// netGroup returns the network an address belongs to for diversity: its
// /16 for IPv4, its /32 for IPv6.
func netGroup(a netip.Addr) string {
	if a.Is4() {
		p, _ := a.Prefix(16)
		return p.String()
	}
	p, _ := a.Prefix(32)
	return p.String()
}

// removePeer forgets a finished peer: its blocks in flight go back to the
// download queue and its orphans are dropped.
func (s *Server) removePeer(p *Peer, err error) {
	s.mu.Lock()
	delete(s.peers, p.id)
	for _, m := range s.manual {
		if m.peer == p {
			m.peer = nil
		}
	}
	s.mu.Unlock()
	s.obs.PeerDisconnected(p.inbound)
	s.releaseFlights(p)
	if s.pool != nil {
		s.pool.RemoveOrphansForPeer(mempool.PeerID(p.id))
	}
	p.mu.Lock()
	reason := p.disconnectReason
	p.mu.Unlock()
	if p.isReady() {
		p.log.Info("peer disconnected", "reason", reason, "err", err)
	} else {
		p.log.Debug("connection ended before the handshake", "reason", reason, "err", err)
	}
	s.wakeSync()
}

// versionMessage returns our version message for p.
func (s *Server) versionMessage(p *Peer) *message.Version {
	var local netip.AddrPort
	if la := p.conn.LocalAddr(); la != nil {
		local = addrPortOf(la)
	}
	return &message.Version{ProtocolVersion: message.ProtocolVersion, Services: message.ServiceNodeNetwork,
		Timestamp: s.now().Unix(), AddrRecv: message.NetAddressFrom(p.addr, 0),
		AddrFrom: message.NetAddressFrom(local, message.ServiceNodeNetwork), Nonce: s.nonce,
		UserAgent: s.cfg.UserAgent, StartHeight: s.ch.Best().Height, Relay: s.pool != nil}
}

// peerReady runs once a peer's handshake completes: it announces our
// preferences (sendheaders, feefilter), asks for headers and addresses,
// and records a good outbound address.
func (s *Server) peerReady(p *Peer) {
	p.log.Info("peer connected", "version", p.version.ProtocolVersion, "user_agent", p.version.UserAgent,
		"start_height", p.version.StartHeight)
	p.queue(&message.SendHeaders{})
	if s.pool != nil {
		p.queue(&message.FeeFilter{FeeRate: s.pool.Info().MempoolMinFee})
	}
	if !p.inbound {
		s.addrs.good(p.addr, p.version.Services, s.now())
		p.queue(&message.GetAddr{})
		s.advertiseSelf(p)
	}
	p.mu.Lock()
	p.nextSelfAdvert = s.now().Add(rand.N(selfAdvertEvery))
	p.mu.Unlock()
	s.startHeaders(p)
	s.wakeSync()
}

// peerList returns the connected peers that completed the handshake.
func (s *Server) peerList() []*Peer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Peer, 0, len(s.peers))
	for _, p := range s.peers {
		if p.isReady() && !p.closed() {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *Peer) int { return int(cmpInt64(int64(a.id), int64(b.id))) })
	return out
}

// Misbehaviour scores; a peer reaching banThreshold is disconnected and its
// address banned.
const (
	banThreshold      = 100
	scoreInvalid      = 100 // an invalid block, header or transaction
	scoreBadFraming   = 50  // garbage or another network's magic: the stream is lost
	scoreOversized    = 50  // a payload over its command's limit (e.g. 50,001 inv entries)
	scoreMalformed    = 20  // a payload that does not decode
	scoreBadChecksum  = 10  // a payload that does not match its checksum
	scoreUnconnecting = 20  // every maxUnconnecting headers messages that do not connect
	scoreUnrequested  = 5   // a block nobody asked for that brings nothing new
	scoreFlood        = 20  // more than floodMessages in floodWindow
	maxUnconnecting   = 10
	maxScoreEntries   = 10_000
)

// misbehave adds score to the peer's address, logging why; at the ban
// threshold it disconnects the peer and bans its address (a single IP,
// never a range) for the ban duration. Scores are kept per address across
// its connections, so a peer cannot reset its score by reconnecting.
// Manual peers are disconnected but never banned.
func (s *Server) misbehave(p *Peer, score int, reason string) {
	ip := p.addr.Addr()
	s.mu.Lock()
	if _, ok := s.scores[ip]; !ok && len(s.scores) >= maxScoreEntries {
		for k := range s.scores {
			delete(s.scores, k)
			break
		}
	}
	s.scores[ip] += score
	total := s.scores[ip]
	s.mu.Unlock()
	p.mu.Lock()
	p.score += score
	p.mu.Unlock()
	p.log.Info("peer misbehaving", "reason", reason, "score", score, "total", total)
	if total < banThreshold {
		return
	}
	s.mu.Lock()
	delete(s.scores, ip)
	s.mu.Unlock()
	if p.manual || !ip.IsValid() {
		p.disconnect("misbehaving: " + reason)
		return
	}
	now := s.now()
	s.bans.add(Ban{Addr: ip, Created: now, Until: now.Add(s.cfg.BanDuration), Reason: reason})
	s.obs.Banned()
	p.log.Warn("banned peer", "ip", ip, "reason", reason, "until", now.Add(s.cfg.BanDuration).UTC().Format(time.RFC3339))
	s.disconnectIP(ip, "banned: "+reason)
	s.save()
}

// disconnectIP disconnects every peer at ip.
func (s *Server) disconnectIP(ip netip.Addr, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.peers {
		if p.addr.Addr() == ip {
			p.disconnect(reason)
		}
	}
}

// outboundLoop keeps the manual peers connected with back-off and, unless
// --connect was given, fills the outbound slots from the address book.
func (s *Server) outboundLoop(ctx context.Context) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		s.fillOutbound(ctx)
		select {
		case <-ctx.Done():
			return
		case a := <-s.oneTries:
			s.dialOnce(ctx, a)
		case <-t.C:
		}
	}
}

// fillOutbound connects to address book entries while outbound slots are
// free, unless the node runs in --connect mode.
func (s *Server) fillOutbound(ctx context.Context) {
	if len(s.cfg.Connect) > 0 {
		return
	}
	s.mu.Lock()
	out := 0
	busy := make(map[netip.AddrPort]bool)
	for _, p := range s.peers {
		busy[p.addr] = true
		if !p.inbound {
			out++
		}
	}
	s.mu.Unlock()
	free := s.cfg.MaxOutbound - out
	if free <= 0 {
		return
	}
	local := s.ListenAddr()
	for _, a := range s.addrs.pick(free, s.now(), func(a netip.AddrPort) bool {
		return busy[a] || a.String() == local || s.bans.banned(a.Addr(), s.now())
	}) {
		s.addrs.attempt(a, s.now())
		go s.dialOnce(ctx, a.String())
	}
}

// dialOnce connects to addr once.
func (s *Server) dialOnce(ctx context.Context, addr string) {
	conn, err := s.dial(ctx, addr)
	if err != nil {
		s.log.Debug("connection failed", "addr", addr, "err", err)
		return
	}
	if !s.AddConn(conn, false, false) {
		conn.Close()
	}
}

func (s *Server) dial(ctx context.Context, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if s.cfg.Dial != nil {
		return s.cfg.Dial(ctx, addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// addManualLocked starts keeping addr connected. The caller holds mu and
// runCtx is set.
func (s *Server) addManualLocked(addr string) bool {
	if _, ok := s.manual[addr]; ok {
		return false
	}
	m := &manualPeer{addr: addr}
	s.manual[addr] = m
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.keepConnected(s.runCtx, m)
	}()
	return true
}

// keepConnected connects to a manual peer and reconnects whenever the
// connection ends, waiting RetryInterval after a failure, doubling up to
// 90 s, until the peer is removed or ctx is cancelled.
func (s *Server) keepConnected(ctx context.Context, m *manualPeer) {
	backoff := s.cfg.RetryInterval
	for {
		s.mu.Lock()
		removed := m.removed
		s.mu.Unlock()
		if removed || ctx.Err() != nil {
			return
		}
		conn, err := s.dial(ctx, m.addr)
		if err == nil {
			s.mu.Lock()
			if m.removed || s.runCtx.Err() != nil {
				s.mu.Unlock()
				conn.Close()
				return
			}
			p := newPeer(s, conn, false, true)
			s.peers[p.id] = p
			m.peer = p
			s.mu.Unlock()
			s.obs.PeerConnected(false)
			started := s.now()
			err = p.run(ctx)
			s.removePeer(p, err)
			if s.now().Sub(started) > time.Minute {
				backoff = s.cfg.RetryInterval
			}
		} else {
			s.log.Debug("manual peer connection failed", "addr", m.addr, "err", err, "retry_in", backoff)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 90*time.Second)
	}
}

// ErrPeerNotFound means no connected peer matched.
var ErrPeerNotFound = errors.New("peer not found")

// ErrAlreadyAdded means addnode add named a peer already added.
var ErrAlreadyAdded = errors.New("node already added")

// ErrNotAdded means addnode remove named a peer never added.
var ErrNotAdded = errors.New("node has not been added")

// AddNode is the addnode RPC: "add" keeps addr connected, "remove" stops
// (and disconnects it), "onetry" connects once. It takes the server's lock.
func (s *Server) AddNode(addr, command string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runCtx == nil {
		return errNotRunning
	}
	switch command {
	case "add":
		if !s.addManualLocked(addr) {
			return ErrAlreadyAdded
		}
	case "remove":
		m, ok := s.manual[addr]
		if !ok {
			return ErrNotAdded
		}
		m.removed = true
		delete(s.manual, addr)
		if m.peer != nil {
			m.peer.disconnect("addnode remove")
		}
	case "onetry":
		select {
		case s.oneTries <- addr:
		default:
			return errors.New("too many connection attempts pending")
		}
	default:
		return fmt.Errorf("unknown addnode command %q", command)
	}
	return nil
}

// AddedNodes returns the manual peers and whether each is connected.
func (s *Server) AddedNodes() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]bool, len(s.manual))
	for a, m := range s.manual {
		out[a] = m.peer != nil && m.peer.isReady()
	}
	return out
}

// DisconnectNode disconnects the peer at addr (when not empty) or with id.
// It takes the server's lock.
func (s *Server) DisconnectNode(addr string, id uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.peers {
		if (addr != "" && p.addr.String() == addr) || (addr == "" && p.id == id) {
			p.disconnect("disconnectnode")
			return nil
		}
	}
	return ErrPeerNotFound
}

// Peers describes the connected peers that completed the handshake, by id.
func (s *Server) Peers() []PeerInfo {
	ps := s.peerList()
	out := make([]PeerInfo, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Info())
	}
	return out
}

// ConnectionCount returns the number of connected peers (handshake done)
// by direction.
func (s *Server) ConnectionCount() (inbound, outbound int) {
	for _, p := range s.peerList() {
		if p.inbound {
			inbound++
		} else {
			outbound++
		}
	}
	return inbound, outbound
}

// Totals returns the bytes received and sent over all connections so far,
// including closed ones.
func (s *Server) Totals() (recv, sent uint64) {
	return s.obsTotals.recv.Load(), s.obsTotals.sent.Load()
}

// Ping sends a ping to every peer at once (the ping RPC).
func (s *Server) Ping() {
	for _, p := range s.peerList() {
		if p.pingSent.Load() != 0 {
			continue
		}
		nonce := rand.Uint64()
		p.pingNonce.Store(nonce)
		p.pingSent.Store(s.now().UnixNano())
		p.trySend(&message.Ping{Nonce: nonce})
	}
}

// SetBan bans (add) or unbans (remove) an address; until zero means the
// ban duration from now. Adding disconnects the peers at that address. It
// reports false for remove of an address not banned.
func (s *Server) SetBan(ip netip.Addr, add bool, until time.Time) bool {
	ip = ip.Unmap()
	if !add {
		ok := s.bans.remove(ip)
		s.save()
		return ok
	}
	now := s.now()
	if until.IsZero() {
		until = now.Add(s.cfg.BanDuration)
	}
	s.bans.add(Ban{Addr: ip, Created: now, Until: until, Reason: "manually added"})
	s.disconnectIP(ip, "banned")
	s.save()
	return true
}

// Banned reports whether ip is banned now.
func (s *Server) Banned(ip netip.Addr) bool { return s.bans.banned(ip, s.now()) }

// ListBanned returns the bans in force.
func (s *Server) ListBanned() []Ban { return s.bans.list(s.now()) }

// ClearBanned lifts every ban.
func (s *Server) ClearBanned() {
	s.bans.clear()
	s.save()
}

// LocalServices returns the services this node announces.
func (s *Server) LocalServices() uint64 { return message.ServiceNodeNetwork }

// UserAgent returns the user agent this node announces.
func (s *Server) UserAgent() string { return s.cfg.UserAgent }

// SyncHeight returns the greatest chain height a connected peer claims
// (its version's start height, raised by what it announced or delivered),
// or -1 without peers: the height the node is syncing towards. It takes
// the server's lock and each peer's.
func (s *Server) SyncHeight() int32 {
	h := int32(-1)
	for _, p := range s.peerList() {
		h = max(h, p.height())
	}
	return h
}

// KnownAddresses returns the size of the address book.
func (s *Server) KnownAddresses() int { return s.addrs.size() }

// Listening reports whether the server accepts inbound peers.
func (s *Server) Listening() bool { return s.ListenAddr() != "" }
