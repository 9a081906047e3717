package p2p

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/p2p/message"
)

// Per-peer bounds.
const (
	// sendQueueLen bounds the messages waiting to be written to a peer.
	sendQueueLen = 64
	// knownInvCapacity bounds a peer's known-inventory set.
	knownInvCapacity = 50_000
	// maxPendingTx bounds the transactions waiting to be announced to a
	// peer by the trickle.
	maxPendingTx = 20_000
	// maxTxPerTrickle bounds one trickle's inv (Bitcoin Core's
	// INVENTORY_BROADCAST_MAX).
	maxTxPerTrickle = 1_000
	// maxTxRequests bounds the transactions requested from one peer and
	// not yet received.
	maxTxRequests = 5_000
)

// outMsg is a framed-to-be message in a peer's send queue.
type outMsg struct {
	cmd     string
	payload []byte
}

// Peer is one connection to another node, inbound or outbound. Its
// counters are atomics; the fields under mu change as messages arrive;
// the fields under the server's syncMu belong to the block download. Its
// exported methods take what they need and expect no lock held.
type Peer struct {
	id        uint64
	srv       *Server
	conn      net.Conn
	addr      netip.AddrPort
	inbound   bool
	manual    bool // a --connect/--addnode/addnode RPC peer
	log       *slog.Logger
	connected time.Time

	sendQ     chan outMsg
	quit      chan struct{}
	closeOnce sync.Once
	ready     chan struct{} // closed when the handshake completes

	// version is the peer's version message, set before ready is closed
	// and read-only after.
	version message.Version

	bytesSent, bytesRecv atomic.Uint64
	lastSend, lastRecv   atomic.Int64 // unix seconds
	pingNonce            atomic.Uint64
	pingSent             atomic.Int64 // unix nanoseconds of the outstanding ping, 0 when none
	pingTime, minPing    atomic.Int64 // nanoseconds, 0 when unknown
	// lastNovelBlock and lastNovelTx are when the peer last delivered a
	// block that extended the main chain and a transaction the pool took
	// (unix nanoseconds, 0 never): such peers are protected from eviction.
	lastNovelBlock, lastNovelTx atomic.Int64

	mu               sync.Mutex
	known            *hashSet
	asked            *hashSet // blocks requested from the peer lately
	sendHeaders      bool
	feeFilter        int64 // base units per 1,000 bytes
	pendingTx        map[wire.Hash]int64
	txRequested      map[wire.Hash]time.Time
	txSweep          time.Time // last sweep of expired txRequested
	score            int
	bestHeight       int32 // height of the best header the peer is known to have
	continueHash     wire.Hash
	answeredAddr     bool
	addrTokens       float64   // addresses the peer may still send (addrRate, addrBurst)
	addrTokensAt     time.Time // when addrTokens was last topped up
	nextSelfAdvert   time.Time // when the node's own address is next sent
	unconnecting     int
	lowWorkHeaders   int // headers given for chains with less work than the tip
	floodStart       time.Time
	floodCount       int
	disconnectReason string

	// Guarded by the server's syncMu.
	inFlight map[wire.Hash]time.Time
	stalls   int
}

// PeerInfo describes a peer for getpeerinfo.
type PeerInfo struct {
	ID             uint64
	Addr           string
	LocalAddr      string
	Inbound        bool
	Manual         bool
	Services       uint64
	Version        int32
	UserAgent      string
	StartingHeight int32
	SyncedHeaders  int32
	// SyncedBlocks is the height of the last block both the peer and
	// the node have: the lower of SyncedHeaders and the node's tip.
	SyncedBlocks int32
	Relay        bool
	ConnTime     time.Time
	LastSend     time.Time
	LastRecv     time.Time
	BytesSent    uint64
	BytesRecv    uint64
	PingTime     time.Duration // 0 when unknown
	MinPing      time.Duration
	PingWait     time.Duration // of the outstanding ping, 0 when none
	BanScore     int
	InFlight     int
	FeeFilter    int64
}

// ID returns the peer's connection id.
func (p *Peer) ID() uint64 { return p.id }

// Addr returns the peer's address.
func (p *Peer) Addr() netip.AddrPort { return p.addr }

// Inbound reports whether the peer connected to us.
func (p *Peer) Inbound() bool { return p.inbound }

// String names the peer in logs.
func (p *Peer) String() string { return fmt.Sprintf("%d(%s)", p.id, p.addr) }

func newPeer(s *Server, conn net.Conn, inbound, manual bool) *Peer {
	id := s.nextPeerID.Add(1)
	addr := addrPortOf(conn.RemoteAddr())
	dir := "outbound"
	if inbound {
		dir = "inbound"
	}
	return &Peer{id: id, srv: s, conn: conn, addr: addr, inbound: inbound, manual: manual,
		log: s.log.With("peer", id, "addr", addr.String(), "dir", dir), connected: s.now(),
		sendQ: make(chan outMsg, sendQueueLen), quit: make(chan struct{}), ready: make(chan struct{}),
		known: newHashSet(knownInvCapacity), asked: newHashSet(maxAskedBlocks), pendingTx: make(map[wire.Hash]int64),
		txRequested: make(map[wire.Hash]time.Time), inFlight: make(map[wire.Hash]time.Time), bestHeight: -1}
}

// addrPortOf returns the IP and port of a network address, the zero value
// for other kinds (in-memory pipes).
func addrPortOf(a net.Addr) netip.AddrPort {
	if ta, ok := a.(*net.TCPAddr); ok {
		ap := ta.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	if a != nil {
		if ap, err := netip.ParseAddrPort(a.String()); err == nil {
			return ap
		}
	}
	return netip.AddrPort{}
}

// Info returns a snapshot of the peer for getpeerinfo. It takes the
// peer's lock and the server's syncMu.
func (p *Peer) Info() PeerInfo {
	info := PeerInfo{ID: p.id, Addr: p.addr.String(), Inbound: p.inbound, Manual: p.manual,
		ConnTime: p.connected, BytesSent: p.bytesSent.Load(), BytesRecv: p.bytesRecv.Load(),
		LastSend: unixTime(p.lastSend.Load()), LastRecv: unixTime(p.lastRecv.Load()),
		PingTime: time.Duration(p.pingTime.Load()), MinPing: time.Duration(p.minPing.Load())}
	if la := p.conn.LocalAddr(); la != nil {
		info.LocalAddr = la.String()
	}
	if sent := p.pingSent.Load(); sent != 0 {
		info.PingWait = p.srv.now().Sub(time.Unix(0, sent))
	}
	select {
	case <-p.ready:
		info.Services, info.Version, info.UserAgent = p.version.Services, p.version.ProtocolVersion, p.version.UserAgent
		info.StartingHeight, info.Relay = p.version.StartHeight, p.version.Relay
	default:
	}
	p.mu.Lock()
	info.BanScore, info.FeeFilter, info.SyncedHeaders = p.score, p.feeFilter, p.bestHeight
	p.mu.Unlock()
	info.SyncedBlocks = min(info.SyncedHeaders, p.srv.ch.Best().Height)
	p.srv.syncMu.Lock()
	info.InFlight = len(p.inFlight)
	p.srv.syncMu.Unlock()
	return info
}

func unixTime(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0)
}

// isReady reports whether the handshake has completed.
func (p *Peer) isReady() bool {
	select {
	case <-p.ready:
		return true
	default:
		return false
	}
}

// disconnect closes the connection (once); the peer's goroutines end.
func (p *Peer) disconnect(reason string) {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.disconnectReason = reason
		p.mu.Unlock()
		close(p.quit)
		p.conn.Close()
	})
}

// closed reports whether the peer is disconnected.
func (p *Peer) closed() bool {
	select {
	case <-p.quit:
		return true
	default:
		return false
	}
}

// queue encodes m and waits until it is in the send queue (back-pressure
// for answers to the peer's own requests); it returns false once the peer
// is gone.
func (p *Peer) queue(m message.Message) bool {
	return p.queueRaw(m.Command(), m.Encode())
}

func (p *Peer) queueRaw(cmd string, payload []byte) bool {
	select {
	case p.sendQ <- outMsg{cmd, payload}:
		return true
	case <-p.quit:
		return false
	}
}

// trySend queues m unless the send queue is full, for announcements from
// other goroutines that must never wait on a slow peer.
func (p *Peer) trySend(m message.Message) bool {
	select {
	case p.sendQ <- outMsg{m.Command(), m.Encode()}:
		return true
	case <-p.quit:
		return false
	default:
		p.log.Debug("send queue full, message dropped", "cmd", m.Command())
		return false
	}
}

// writeLoop writes queued messages until the peer is disconnected; a
// write that does not finish within the write timeout disconnects it.
func (p *Peer) writeLoop() {
	buf := make([]byte, 0, 1024)
	for {
		select {
		case <-p.quit:
			return
		case m := <-p.sendQ:
			var err error
			buf, err = message.AppendMessage(buf[:0], p.srv.magic, m.cmd, m.payload)
			if err == nil {
				p.conn.SetWriteDeadline(p.srv.now().Add(p.srv.cfg.WriteTimeout))
				_, err = p.conn.Write(buf)
			}
			if err != nil {
				p.disconnect(fmt.Sprintf("write %s: %v", m.cmd, err))
				return
			}
			p.bytesSent.Add(uint64(len(buf)))
			p.srv.obsTotals.sent.Add(uint64(len(buf)))
			p.lastSend.Store(p.srv.now().Unix())
			p.srv.obs.MessageSent(m.cmd, len(buf))
			if cap(buf) > 1<<20 {
				buf = make([]byte, 0, 1024) // do not pin a block-sized buffer
			}
		}
	}
}

// readMessage reads and decodes one message, charging framing and
// decoding failures to the peer. fatal reports errors after which the
// stream cannot go on.
func (p *Peer) readMessage(deadline time.Time) (msg message.Message, fatal error) {
	p.conn.SetReadDeadline(deadline)
	cmd, payload, err := message.ReadMessage(p.conn, p.srv.magic, nil)
	if err != nil {
		switch {
		case errors.Is(err, message.ErrBadChecksum):
			p.srv.misbehave(p, scoreBadChecksum, "bad checksum")
			return nil, nil
		case errors.Is(err, message.ErrBadMagic), errors.Is(err, message.ErrBadCommand):
			p.srv.misbehave(p, scoreBadFraming, "garbage or wrong network magic")
		case errors.Is(err, message.ErrPayloadTooLarge):
			p.srv.misbehave(p, scoreOversized, "oversized message")
		}
		return nil, err
	}
	n := message.HeaderSize + len(payload)
	p.bytesRecv.Add(uint64(n))
	p.srv.obsTotals.recv.Add(uint64(n))
	p.lastRecv.Store(p.srv.now().Unix())
	p.srv.obs.MessageReceived(cmd, n)
	msg, err = message.DecodeMessage(cmd, payload)
	if err != nil {
		p.srv.misbehave(p, scoreMalformed, "malformed "+cmd)
		return nil, nil
	}
	return msg, nil
}

// run performs the handshake and then reads and handles messages until
// the connection ends or ctx is cancelled; it returns why it ended.
func (p *Peer) run(ctx context.Context) error {
	defer p.disconnect("done")
	stop := context.AfterFunc(ctx, func() { p.disconnect("shutting down") })
	defer stop()
	go p.writeLoop()
	if err := p.handshake(); err != nil {
		return err
	}
	close(p.ready)
	p.srv.peerReady(p)
	go p.pingLoop()
	go p.trickleLoop()
	for {
		msg, err := p.readMessage(p.srv.now().Add(p.srv.cfg.IdleTimeout))
		if err != nil {
			return err
		}
		if msg == nil || p.flooding() {
			continue
		}
		if p.closed() {
			return nil
		}
		p.srv.handle(p, msg)
	}
}

// flooding counts a message and reports whether the peer sends more than
// floodMessages in floodWindow, which is charged as misbehaviour.
func (p *Peer) flooding() bool {
	now := p.srv.now()
	p.mu.Lock()
	if now.Sub(p.floodStart) > floodWindow {
		p.floodStart, p.floodCount = now, 0
	}
	p.floodCount++
	over := p.floodCount > floodMessages
	if over {
		p.floodStart, p.floodCount = now, 0
	}
	p.mu.Unlock()
	if over {
		p.srv.misbehave(p, scoreFlood, "message flood")
	}
	return over
}

// Flood limit: more messages than this within the window.
const (
	floodMessages = 20_000
	floodWindow   = 10 * time.Second
)

// handshake exchanges version and verack messages within the handshake
// timeout: an outbound peer sends its version first, an inbound one
// answers. Unknown messages are ignored; versions below MinPeerVersion and
// connections to ourselves are refused.
func (p *Peer) handshake() error {
	deadline := p.srv.now().Add(p.srv.cfg.HandshakeTimeout)
	if !p.inbound {
		p.queue(p.srv.versionMessage(p))
	}
	gotVersion, gotVerAck := false, false
	for !gotVersion || !gotVerAck {
		msg, err := p.readMessage(deadline)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) {
				return fmt.Errorf("handshake timeout: %w", err)
			}
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("handshake: connection closed: %w", err)
			}
			return fmt.Errorf("handshake: %w", err)
		}
		switch m := msg.(type) {
		case nil, *message.Unknown:
		case *message.Version:
			if gotVersion {
				p.srv.misbehave(p, 1, "duplicate version")
				continue
			}
			if m.ProtocolVersion < message.MinPeerVersion {
				return fmt.Errorf("obsolete protocol version %d", m.ProtocolVersion)
			}
			if m.Nonce == p.srv.nonce {
				return errors.New("connected to self")
			}
			p.version = *m
			p.mu.Lock()
			p.bestHeight = -1
			p.mu.Unlock()
			gotVersion = true
			if p.inbound {
				p.queue(p.srv.versionMessage(p))
			}
			p.queue(&message.VerAck{})
		case *message.VerAck:
			if !gotVersion {
				return errors.New("verack before version")
			}
			gotVerAck = true
		default:
			if !gotVersion {
				p.srv.misbehave(p, 10, "message before version")
				return fmt.Errorf("%s before version", msg.Command())
			}
			// Messages between version and verack: ignored.
		}
	}
	return nil
}

// pingLoop pings the peer every ping interval and disconnects it when a
// ping stays unanswered past the ping timeout.
func (p *Peer) pingLoop() {
	t := time.NewTicker(p.srv.cfg.PingInterval / 4)
	defer t.Stop()
	next := p.srv.now()
	for {
		select {
		case <-p.quit:
			return
		case <-t.C:
		}
		now := p.srv.now()
		if sent := p.pingSent.Load(); sent != 0 {
			if now.Sub(time.Unix(0, sent)) > p.srv.cfg.PingTimeout {
				p.log.Info("peer stalled: ping timeout")
				p.disconnect("ping timeout")
				return
			}
			continue
		}
		if now.Before(next) {
			continue
		}
		next = now.Add(p.srv.cfg.PingInterval)
		nonce := rand.Uint64()
		p.pingNonce.Store(nonce)
		p.pingSent.Store(now.UnixNano())
		p.trySend(&message.Ping{Nonce: nonce})
	}
}

// gotPong records the round trip of the outstanding ping.
func (p *Peer) gotPong(nonce uint64) {
	sent := p.pingSent.Load()
	if sent == 0 || nonce != p.pingNonce.Load() {
		return
	}
	rtt := p.srv.now().Sub(time.Unix(0, sent))
	p.pingTime.Store(int64(rtt))
	if m := p.minPing.Load(); m == 0 || int64(rtt) < m {
		p.minPing.Store(int64(rtt))
	}
	p.pingSent.Store(0)
}

// trickleLoop announces the transactions waiting for this peer at random
// intervals (exponentially distributed around the trickle interval, twice
// as long for inbound peers), so that an observer cannot tell which peer
// a transaction came from by timing.
func (p *Peer) trickleLoop() {
	mean := p.srv.cfg.TrickleInterval
	if p.inbound {
		mean *= 2
	}
	for {
		d := time.Duration(rand.ExpFloat64() * float64(mean))
		d = min(d, 8*mean)
		select {
		case <-p.quit:
			return
		case <-time.After(d):
		}
		p.flushTx()
	}
}

// flushTx sends one inv of the pending transactions the peer does not know
// and whose fee rate meets its fee filter.
func (p *Peer) flushTx() {
	p.mu.Lock()
	if len(p.pendingTx) == 0 || !p.version.Relay {
		clear(p.pendingTx)
		p.mu.Unlock()
		return
	}
	var inv []message.InvVect
	for h, rate := range p.pendingTx {
		if len(inv) == maxTxPerTrickle {
			break
		}
		delete(p.pendingTx, h)
		if p.known.has(h) || rate < p.feeFilter {
			continue
		}
		p.known.add(h)
		inv = append(inv, message.InvVect{Type: message.InvTypeTx, Hash: h})
	}
	p.mu.Unlock()
	if len(inv) > 0 {
		p.trySend(&message.Inv{List: inv})
	}
}

// addPendingTx queues a transaction for the next trickle unless the peer
// knows it.
func (p *Peer) addPendingTx(txid wire.Hash, feeRate int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.known.has(txid) || len(p.pendingTx) >= maxPendingTx {
		return
	}
	p.pendingTx[txid] = feeRate
}

// markKnown records that the peer has (or was told of) h.
func (p *Peer) markKnown(h wire.Hash) {
	p.mu.Lock()
	p.known.add(h)
	p.mu.Unlock()
}

// knows reports whether the peer has or was told of h.
func (p *Peer) knows(h wire.Hash) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.known.has(h)
}

// noteHeight raises the height of the best block the peer is known to
// have.
func (p *Peer) noteHeight(h int32) {
	p.mu.Lock()
	if h > p.bestHeight {
		p.bestHeight = h
	}
	p.mu.Unlock()
}

func (p *Peer) height() int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.bestHeight, p.version.StartHeight)
}
