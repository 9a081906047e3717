package p2p

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/p2p/message"
)

// Headers-first block download. While the best header known is older than
// recentHeaderAge (the initial download), one peer at a time, the headers
// sync peer, is asked for headers at connect, so that the chain's headers
// are not downloaded once per peer; it is replaced when it disconnects or
// delivers nothing for headersSyncTimeout while another peer claims more.
// Once the best header is recent, every new peer is asked at connect.
// Every peer is asked again after each full headers message it sends and
// when it announces an unknown block. The chain indexes the headers. The scheduler then fetches
// the missing blocks of the best header chain within a window above the
// tip from every peer that has them, at most MaxInFlight per peer, each
// block from one peer at a time; a block not delivered within the stall
// timeout is taken back and asked of another peer, and a peer that stalls
// repeatedly is disconnected. Blocks may arrive in any order: the chain
// stores a block whose header it knows and connects it once its parent is
// connected.

// Bounds of the download bookkeeping.
const (
	maxStallsBeforeDisconnect = 3
	maxAnnounced              = 2_000
	maxStalledOn              = 10_000
	maxAskedBlocks            = 4_096
	maxTxInFlightGlobal       = 50_000
	txRequestTimeout          = time.Minute
	txSweepInterval           = 10 * time.Second
	maxRejected               = 50_000
	syncProgressInterval      = 10 * time.Second
	// recentHeaderAge: a best header at most this old ends the initial
	// headers download (Bitcoin Core's rule of one day).
	recentHeaderAge = 24 * time.Hour
	// headersSyncTimeout is how long the headers sync peer may deliver no
	// headers, while another peer claims a greater height, before the
	// download moves to that peer.
	headersSyncTimeout = 2 * time.Minute
)

// flight is one block requested from a peer.
type flight struct {
	peer   *Peer
	at     time.Time
	height int32
}

// syncState is the download's bookkeeping, guarded by Server.syncMu.
type syncState struct {
	inFlight  map[wire.Hash]*flight
	stalledOn map[wire.Hash]uint64 // peer that last stalled on the block
	announced map[wire.Hash]time.Time
	txReqs    map[wire.Hash]time.Time // transactions requested from any peer
	txSweep   time.Time               // last sweep of expired txReqs
	rejected  *hashSet                // transactions the pool refused

	lastLog       time.Time
	lastLogHeight int32
	syncing       bool

	headersPeer *Peer     // the peer the initial headers download asks, or nil
	headersAt   time.Time // when it was chosen or last delivered headers
}

func (st *syncState) init() {
	st.inFlight = make(map[wire.Hash]*flight)
	st.stalledOn = make(map[wire.Hash]uint64)
	st.announced = make(map[wire.Hash]time.Time)
	st.txReqs = make(map[wire.Hash]time.Time)
	st.rejected = newHashSet(maxRejected)
}

// wakeSync asks the scheduler to run soon.
func (s *Server) wakeSync() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// syncLoop runs the scheduler when woken and at least every 250 ms, and
// refreshes fee filters every ten minutes.
func (s *Server) syncLoop(ctx context.Context) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	lastFee := s.now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
		s.checkHeadersPeer(s.peerList())
		s.selfAdvertise()
		s.schedule()
		s.logProgress()
		if s.pool != nil && s.now().Sub(lastFee) > 10*time.Minute {
			lastFee = s.now()
			fee := s.pool.Info().MempoolMinFee
			for _, p := range s.peerList() {
				p.trySend(&message.FeeFilter{FeeRate: fee})
			}
		}
	}
}

// schedule takes back stalled blocks and assigns missing blocks to peers.
func (s *Server) schedule() {
	peers := s.peerList()
	now := s.now()
	var stallers []*Peer
	var missing []chain.BlockRef
	if len(peers) > 0 {
		missing = s.ch.MissingBlocks(s.cfg.DownloadWindow, int(s.cfg.DownloadWindow))
	}
	heights := make(map[*Peer]int32, len(peers))
	for _, p := range peers {
		heights[p] = p.height()
	}
	requests := make(map[*Peer][]message.InvVect)
	s.syncMu.Lock()
	for h, f := range s.sync.inFlight {
		if now.Sub(f.at) <= s.cfg.StallTimeout {
			continue
		}
		delete(s.sync.inFlight, h)
		delete(f.peer.inFlight, h)
		if len(s.sync.stalledOn) >= maxStalledOn {
			clear(s.sync.stalledOn)
		}
		s.sync.stalledOn[h] = f.peer.id
		f.peer.stalls++
		f.peer.log.Info("block download stalled, asking another peer", "block", h, "height", f.height)
		if f.peer.stalls == maxStallsBeforeDisconnect {
			stallers = append(stallers, f.peer)
		}
	}
	for _, ref := range missing {
		if _, ok := s.sync.inFlight[ref.Hash]; ok {
			continue
		}
		var best *Peer
		for _, p := range peers {
			if p.closed() || heights[p] < ref.Height || len(p.inFlight) >= s.cfg.MaxInFlight {
				continue
			}
			if s.sync.stalledOn[ref.Hash] == p.id && len(peers) > 1 {
				continue
			}
			if best == nil || len(p.inFlight) < len(best.inFlight) {
				best = p
			}
		}
		if best == nil {
			continue
		}
		f := &flight{peer: best, at: now, height: ref.Height}
		s.sync.inFlight[ref.Hash] = f
		best.inFlight[ref.Hash] = now
		requests[best] = append(requests[best], message.InvVect{Type: message.InvTypeBlock, Hash: ref.Hash})
	}
	if len(missing) > 0 {
		s.sync.syncing = true
	}
	s.syncMu.Unlock()
	for _, p := range stallers {
		p.disconnect("stalling the block download")
	}
	for p, inv := range requests {
		if !p.trySend(&message.GetData{List: inv}) {
			// Only this batch goes back: earlier requests may still arrive.
			s.syncMu.Lock()
			for _, iv := range inv {
				if f := s.sync.inFlight[iv.Hash]; f != nil && f.peer == p {
					delete(s.sync.inFlight, iv.Hash)
				}
				delete(p.inFlight, iv.Hash)
			}
			s.syncMu.Unlock()
			continue
		}
		p.mu.Lock()
		for _, iv := range inv {
			p.asked.add(iv.Hash)
		}
		p.mu.Unlock()
	}
}

// logProgress logs the download's progress every syncProgressInterval
// while blocks are missing, and once when the node has caught up.
func (s *Server) logProgress() {
	now := s.now()
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if !s.sync.syncing || now.Sub(s.sync.lastLog) < syncProgressInterval && len(s.sync.inFlight) > 0 {
		return
	}
	best, header := s.ch.Best(), s.ch.BestHeader()
	if best.Height >= header.Height && len(s.sync.inFlight) == 0 {
		s.sync.syncing = false
		s.log.Info("block download caught up", "height", best.Height, "tip", best.Hash)
		return
	}
	if now.Sub(s.sync.lastLog) < syncProgressInterval {
		return
	}
	elapsed := now.Sub(s.sync.lastLog).Seconds()
	rate := 0.0
	if !s.sync.lastLog.IsZero() && elapsed > 0 {
		rate = float64(best.Height-s.sync.lastLogHeight) / elapsed
	}
	s.sync.lastLog, s.sync.lastLogHeight = now, best.Height
	pct := 100.0
	if header.Height > 0 {
		pct = 100 * float64(best.Height) / float64(header.Height)
	}
	s.log.Info("block download progress", "height", best.Height, "headers", header.Height,
		"blocks_per_s", int(rate), "progress_pct", int(pct), "in_flight", len(s.sync.inFlight))
}

// landed records that block h arrived from p (or that p does not have
// it), and reports whether it had been requested from p, now or before a
// stall handed it to another peer.
func (s *Server) landed(p *Peer, h wire.Hash) bool {
	p.mu.Lock()
	asked := p.asked.has(h)
	p.mu.Unlock()
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	_, requested := p.inFlight[h]
	delete(p.inFlight, h)
	if f := s.sync.inFlight[h]; f != nil && (f.peer == p || requested) {
		delete(s.sync.inFlight, h)
	}
	if requested {
		delete(s.sync.stalledOn, h)
	}
	return requested || asked
}

// releaseFlights returns the blocks in flight from p to the download queue.
func (s *Server) releaseFlights(p *Peer) {
	s.syncMu.Lock()
	for h := range p.inFlight {
		if f := s.sync.inFlight[h]; f != nil && f.peer == p {
			delete(s.sync.inFlight, h)
		}
	}
	clear(p.inFlight)
	s.syncMu.Unlock()
	s.wakeSync()
}

// headersRecent reports whether the best header known is recent enough
// that every peer is asked for headers.
func (s *Server) headersRecent() bool {
	best := s.ch.BestHeader()
	return s.now().Sub(time.Unix(int64(best.Header.Timestamp), 0)) <= recentHeaderAge
}

// startHeaders asks a newly connected peer for headers when it should: it
// becomes the headers sync peer when there is none, and is asked anyway
// once the best header is recent.
func (s *Server) startHeaders(p *Peer) {
	s.syncMu.Lock()
	first := s.sync.headersPeer == nil
	if first {
		s.sync.headersPeer, s.sync.headersAt = p, s.now()
	}
	s.syncMu.Unlock()
	if first || s.headersRecent() {
		s.requestHeaders(p)
	}
}

// checkHeadersPeer replaces the headers sync peer when it is gone, or
// when it delivered nothing for headersSyncTimeout while another peer
// claims a greater height than the best header known, by the connected
// peer claiming the greatest height, and asks that peer for headers.
func (s *Server) checkHeadersPeer(peers []*Peer) {
	best := s.ch.BestHeader().Height
	var cand *Peer
	for _, p := range peers {
		if cand == nil || p.height() > cand.height() {
			cand = p
		}
	}
	s.syncMu.Lock()
	cur := s.sync.headersPeer
	if cur != nil && (cur.closed() || !slices.Contains(peers, cur)) {
		s.sync.headersPeer, cur = nil, nil
	}
	switch {
	case cand == nil || cand == cur || cand.height() <= best:
		s.syncMu.Unlock()
		return // nobody else to ask, or nothing more to get
	case cur != nil && s.now().Sub(s.sync.headersAt) <= headersSyncTimeout:
		s.syncMu.Unlock()
		return // the sync peer still has time
	}
	s.sync.headersPeer, s.sync.headersAt = cand, s.now()
	s.syncMu.Unlock()
	cand.log.Debug("headers sync moves to this peer", "height", cand.height(), "best_header", best)
	s.requestHeaders(cand)
}

// requestHeaders asks p for the headers after our best header.
func (s *Server) requestHeaders(p *Peer) {
	p.queue(&message.GetHeaders{BlockLocator: message.BlockLocator{Version: uint32(message.ProtocolVersion),
		Locator: s.ch.HeaderLocator()}})
}

// noteAnnounced records when a block was first announced, for the
// propagation delay.
func (s *Server) noteAnnounced(h wire.Hash) {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if _, ok := s.sync.announced[h]; ok {
		return
	}
	if len(s.sync.announced) >= maxAnnounced {
		clear(s.sync.announced)
	}
	s.sync.announced[h] = s.now()
}

// handleHeaders indexes a headers message: a full one asks for more, one
// that does not connect asks for the headers in between (and counts
// against the peer every maxUnconnecting times), an invalid one bans.
func (s *Server) handleHeaders(p *Peer, m *message.Headers) {
	if len(m.Headers) == 0 {
		return
	}
	small := len(m.Headers) <= 8
	if small {
		for i := range m.Headers {
			h := m.Headers[i].BlockHash()
			if _, known := s.ch.Header(h); !known {
				s.noteAnnounced(h)
			}
		}
	}
	err := s.ch.ProcessHeaders(m.Headers)
	if err != nil {
		var re *consensus.RuleError
		switch {
		case errors.Is(err, chain.ErrUnknownParent):
			p.mu.Lock()
			p.unconnecting++
			n := p.unconnecting
			p.mu.Unlock()
			if n%maxUnconnecting == 0 {
				s.misbehave(p, scoreUnconnecting, "unconnecting headers")
			}
			if !p.closed() {
				s.requestHeaders(p)
			}
		case errors.As(err, &re) && re.Kind == consensus.ErrTimeTooNew:
			p.log.Debug("header too far in the future", "err", err)
		case errors.As(err, &re), errors.Is(err, chain.ErrKnownInvalid):
			s.misbehave(p, scoreInvalid, "invalid header")
		default:
			p.log.Warn("headers not stored", "err", err)
		}
		return
	}
	s.syncMu.Lock()
	if s.sync.headersPeer == p {
		s.sync.headersAt = s.now()
	}
	s.syncMu.Unlock()
	p.mu.Lock()
	p.unconnecting = 0
	for i := range m.Headers {
		p.known.add(m.Headers[i].BlockHash())
	}
	p.mu.Unlock()
	last := m.Headers[len(m.Headers)-1].BlockHash()
	bi, err := s.ch.BlockInfo(last) // just indexed
	if err == nil {
		p.noteHeight(bi.Height)
	}
	if err == nil && bi.ChainWork.Cmp(s.ch.Best().ChainWork) < 0 {
		p.mu.Lock()
		p.lowWorkHeaders += len(m.Headers)
		n := p.lowWorkHeaders
		p.mu.Unlock()
		if n > s.cfg.MaxLowWorkHeaders {
			s.misbehave(p, scoreInvalid, "too many headers of chains with less work than the tip")
			return
		}
	}
	if len(m.Headers) == message.MaxHeaders {
		loc := append([]wire.Hash{last}, s.ch.BlockLocator()...)
		p.queue(&message.GetHeaders{BlockLocator: message.BlockLocator{Version: uint32(message.ProtocolVersion),
			Locator: loc[:min(len(loc), message.MaxLocatorHashes)]}})
	}
	s.wakeSync()
}

// handleBlock processes a block from p.
func (s *Server) handleBlock(p *Peer, m *message.Block) {
	h := m.Block.BlockHash()
	p.markKnown(h)
	requested := s.landed(p, h)
	res, err := s.ch.ProcessBlock(m.Block)
	var re *consensus.RuleError
	switch {
	case err == nil && res.Orphan:
		// Its parent is unknown: ask for the headers leading to it.
		s.requestHeaders(p)
	case err == nil:
		if res.MainChain {
			p.lastNovelBlock.Store(s.now().UnixNano())
			s.syncMu.Lock()
			at, ok := s.sync.announced[h]
			delete(s.sync.announced, h)
			s.syncMu.Unlock()
			if ok {
				s.obs.BlockPropagation(s.now().Sub(at))
			}
		}
	case errors.Is(err, chain.ErrDuplicateBlock):
		if !requested {
			s.misbehave(p, scoreUnrequested, "unrequested block")
		}
	case errors.As(err, &re) && re.Kind == consensus.ErrTimeTooNew:
		p.log.Debug("block too far in the future", "block", h, "err", err)
	case errors.As(err, &re), errors.Is(err, chain.ErrKnownInvalid):
		s.misbehave(p, scoreInvalid, "invalid block")
	default:
		p.log.Warn("block not stored", "block", h, "err", err)
	}
	if info, ok := s.ch.Header(h); ok {
		p.noteHeight(info.Height)
	}
	s.wakeSync()
}

// onChainNotification passes a chain change to the announcer without
// blocking the chain.
func (s *Server) onChainNotification(nt chain.Notification) {
	if nt.Type == chain.BlockConnected {
		select {
		case s.announce <- chain.Notification{Type: nt.Type, Hash: nt.Hash, Height: nt.Height}:
		default:
			s.log.Debug("block announcement queue full", "block", nt.Hash)
		}
	}
	s.wakeSync()
}

// announceLoop announces new tips to the peers that do not know them:
// by headers to those that sent sendheaders, by inv to the others. While
// the node is still downloading (a better header is known), blocks are
// not announced.
func (s *Server) announceLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case nt := <-s.announce:
			if nt.Height < s.ch.BestHeader().Height || s.ch.Best().Hash != nt.Hash {
				continue
			}
			s.announceBlock(nt.Hash, nt.Height)
		}
	}
}

// announceBlock announces block h at height to every peer not knowing it.
func (s *Server) announceBlock(h wire.Hash, height int32) {
	var headers []wire.BlockHeader
	for _, p := range s.peerList() {
		p.mu.Lock()
		if p.known.has(h) {
			p.mu.Unlock()
			continue
		}
		p.known.add(h)
		sendHeaders := p.sendHeaders
		p.mu.Unlock()
		if !sendHeaders {
			p.trySend(&message.Inv{List: []message.InvVect{{Type: message.InvTypeBlock, Hash: h}}})
			continue
		}
		if headers == nil {
			headers, _ = s.ch.HeadersBetween(h, height-8, 8)
		}
		// Skip the headers the peer already has, so the first one sent
		// connects for it.
		first := 0
		for first < len(headers)-1 && p.knows(headers[first].BlockHash()) {
			first++
		}
		p.trySend(&message.Headers{Headers: headers[first:]})
	}
}
