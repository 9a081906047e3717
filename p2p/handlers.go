package p2p

import (
	"errors"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/p2p/message"
)

// Answer bounds.
const (
	// maxGetBlocksInv is how many hashes a getblocks is answered with.
	maxGetBlocksInv = 500
	// maxAddrAnswer is how many addresses a getaddr is answered with.
	maxAddrAnswer = 1_000
)

// handle dispatches one message from a peer whose handshake is complete.
// It runs on the peer's reading goroutine, so a slow answer only slows
// that peer.
func (s *Server) handle(p *Peer, msg message.Message) {
	switch m := msg.(type) {
	case *message.Version:
		s.misbehave(p, 1, "duplicate version")
	case *message.VerAck:
	case *message.Ping:
		p.queue(&message.Pong{Nonce: m.Nonce})
	case *message.Pong:
		p.gotPong(m.Nonce)
	case *message.SendHeaders:
		p.mu.Lock()
		p.sendHeaders = true
		p.mu.Unlock()
	case *message.FeeFilter:
		if m.FeeRate >= 0 && m.FeeRate <= consensus.MaxMoney {
			p.mu.Lock()
			p.feeFilter = m.FeeRate
			p.mu.Unlock()
		}
	case *message.Inv:
		s.handleInv(p, m)
	case *message.GetData:
		s.handleGetData(p, m)
	case *message.NotFound:
		for _, iv := range m.List {
			switch iv.Type {
			case message.InvTypeBlock:
				s.landed(p, iv.Hash)
			case message.InvTypeTx:
				s.txDone(p, iv.Hash)
			}
		}
		s.wakeSync()
	case *message.GetHeaders:
		hs := s.ch.LocateHeaders(m.Locator, m.HashStop, message.MaxHeaders)
		p.queue(&message.Headers{Headers: hs})
	case *message.GetBlocks:
		hashes := s.ch.LocateBlocks(m.Locator, m.HashStop, maxGetBlocksInv)
		if len(hashes) == 0 {
			return
		}
		inv := make([]message.InvVect, len(hashes))
		for i, h := range hashes {
			inv[i] = message.InvVect{Type: message.InvTypeBlock, Hash: h}
		}
		p.mu.Lock()
		if len(hashes) == maxGetBlocksInv {
			// When the peer asks for the last of these, it gets an inv of
			// the tip so that it asks again (DESIGN §6).
			p.continueHash = hashes[len(hashes)-1]
		}
		p.mu.Unlock()
		p.queue(&message.Inv{List: inv})
	case *message.Headers:
		s.handleHeaders(p, m)
	case *message.Block:
		s.handleBlock(p, m)
	case *message.Tx:
		s.handleTx(p, m.Tx)
	case *message.MemPool:
		s.handleMemPool(p)
	case *message.Addr:
		s.handleAddr(p, m)
	case *message.GetAddr:
		p.mu.Lock()
		answered := p.answeredAddr
		p.answeredAddr = true
		p.mu.Unlock()
		if !p.inbound || answered {
			return // Core answers inbound peers, once per connection
		}
		sample := s.addrs.sample(maxAddrAnswer)
		out := &message.Addr{Addresses: make([]message.TimedNetAddress, 0, len(sample))}
		for _, ka := range sample {
			out.Addresses = append(out.Addresses, message.TimedNetAddress{Time: uint32(ka.lastSeen.Unix()),
				NetAddress: message.NetAddressFrom(ka.addr, ka.services)})
		}
		p.queue(out)
	case *message.Unknown:
		// Unknown and unsupported messages (sendcmpct, wtxidrelay,
		// sendaddrv2, ...) are ignored.
	}
}

// handleInv requests announced transactions the node lacks and, for an
// unknown block, the headers leading to it.
func (s *Server) handleInv(p *Peer, m *message.Inv) {
	var want []message.InvVect
	var unknownBlock *wire.Hash
	// While catching up, transactions would be checked against a stale
	// coin set and mostly refused: they are not asked for.
	catchingUp := s.ch.Best().CatchingUp()
	for i := range m.List {
		iv := m.List[i]
		switch iv.Type {
		case message.InvTypeBlock:
			p.markKnown(iv.Hash)
			if info, ok := s.ch.Header(iv.Hash); ok {
				p.noteHeight(info.Height)
			} else {
				s.noteAnnounced(iv.Hash)
				unknownBlock = &m.List[i].Hash
			}
		case message.InvTypeTx:
			p.markKnown(iv.Hash)
			if !catchingUp && s.wantTx(p, iv.Hash) {
				want = append(want, iv)
			}
		}
	}
	if unknownBlock != nil {
		p.queue(&message.GetHeaders{BlockLocator: message.BlockLocator{Version: uint32(message.ProtocolVersion),
			Locator: s.ch.HeaderLocator(), HashStop: *unknownBlock}})
	}
	if len(want) > 0 {
		p.queue(&message.GetData{List: want})
	}
	s.wakeSync()
}

// wantTx reports whether to request transaction h from p, recording the
// request: not when relay is off, the pool or orphan pool has it, the pool
// refused it, another peer was asked for it less than a minute ago, or p
// has too many requests outstanding.
func (s *Server) wantTx(p *Peer, h wire.Hash) bool {
	if s.pool == nil || s.pool.Has(h) || s.pool.HaveOrphan(h) {
		return false
	}
	now := s.now()
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if s.sync.rejected.has(h) {
		return false
	}
	if at, ok := s.sync.txReqs[h]; ok && now.Sub(at) < txRequestTimeout {
		return false
	}
	if len(s.sync.txReqs) >= maxTxInFlightGlobal {
		// Sweep expired requests, at most every txSweepInterval so that a
		// flood of announcements does not sweep once per hash.
		if now.Sub(s.sync.txSweep) < txSweepInterval {
			return false
		}
		s.sync.txSweep = now
		for k, at := range s.sync.txReqs {
			if now.Sub(at) >= txRequestTimeout {
				delete(s.sync.txReqs, k)
			}
		}
		if len(s.sync.txReqs) >= maxTxInFlightGlobal {
			return false
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.txRequested) >= maxTxRequests {
		// Requests the peer never answered expire (swept at most every
		// txSweepInterval).
		if now.Sub(p.txSweep) < txSweepInterval {
			return false
		}
		p.txSweep = now
		for k, at := range p.txRequested {
			if now.Sub(at) >= txRequestTimeout {
				delete(p.txRequested, k)
			}
		}
		if len(p.txRequested) >= maxTxRequests {
			return false
		}
	}
	p.txRequested[h] = now
	s.sync.txReqs[h] = now
	return true
}

// txDone forgets the request of transaction h from p.
func (s *Server) txDone(p *Peer, h wire.Hash) {
	s.syncMu.Lock()
	delete(s.sync.txReqs, h)
	s.syncMu.Unlock()
	p.mu.Lock()
	delete(p.txRequested, h)
	p.mu.Unlock()
}

// handleTx offers a transaction from p to the mempool, keeping orphans
// (whose parents are then asked of p) and charging consensus-invalid ones.
// Accepted transactions are relayed through TxAccepted, which the pool's
// observer calls.
func (s *Server) handleTx(p *Peer, tx *wire.Tx) {
	h := tx.TxHash()
	p.markKnown(h)
	s.txDone(p, h)
	if s.pool == nil {
		return
	}
	_, err := s.pool.Accept(tx, mempool.AcceptOptions{AllowOrphan: true, Peer: mempool.PeerID(p.id)})
	if err == nil {
		p.lastNovelTx.Store(s.now().UnixNano())
		return
	}
	re, ok := mempool.IsReject(err)
	if !ok {
		p.log.Warn("transaction not checked", "txid", h, "err", err)
		return
	}
	switch {
	case re.Orphan:
		var want []message.InvVect
		seen := make(map[wire.Hash]bool)
		for _, in := range tx.TxIn {
			parent := in.PreviousOutPoint.Hash
			if seen[parent] {
				continue
			}
			seen[parent] = true
			p.markKnown(parent)
			if s.wantTx(p, parent) {
				want = append(want, message.InvVect{Type: message.InvTypeTx, Hash: parent})
			}
		}
		if len(want) > 0 {
			p.queue(&message.GetData{List: want})
		}
	case re.Consensus:
		s.syncMu.Lock()
		s.sync.rejected.add(h)
		s.syncMu.Unlock()
		s.misbehave(p, scoreInvalid, "invalid transaction")
	default:
		if !re.AlreadyKnown && re.Reason != mempool.ReasonAlreadyInMempool {
			s.syncMu.Lock()
			s.sync.rejected.add(h)
			s.syncMu.Unlock()
		}
		p.log.Debug("transaction rejected", "txid", h, "reason", re.Error())
	}
}

// handleGetData answers blocks from the chain and transactions from the
// pool, in order, and a notfound for what the node does not have. After
// the last block of a getblocks answer, it sends an inv of the tip.
func (s *Server) handleGetData(p *Peer, m *message.GetData) {
	var missing []message.InvVect
	for _, iv := range m.List {
		if p.closed() {
			return
		}
		switch iv.Type {
		case message.InvTypeBlock, message.InvTypeWitnessBlock:
			// nodecoin blocks carry no witness data: a witness block is the
			// block itself.
			raw, err := s.ch.BlockBytes(iv.Hash)
			if err != nil {
				missing = append(missing, iv)
				continue
			}
			p.markKnown(iv.Hash)
			p.queueRaw(message.CmdBlock, raw)
			p.mu.Lock()
			cont := p.continueHash == iv.Hash
			if cont {
				p.continueHash = wire.Hash{}
			}
			p.mu.Unlock()
			if cont {
				tip := s.ch.Best().Hash
				p.queue(&message.Inv{List: []message.InvVect{{Type: message.InvTypeBlock, Hash: tip}}})
			}
		case message.InvTypeTx, message.InvTypeWitnessTx:
			var tx *wire.Tx
			if s.pool != nil {
				tx = s.pool.Tx(iv.Hash)
			}
			if tx == nil {
				missing = append(missing, iv)
				continue
			}
			p.markKnown(iv.Hash)
			p.queue(&message.Tx{Tx: tx})
		default:
			missing = append(missing, iv)
		}
	}
	if len(missing) > 0 {
		p.queue(&message.NotFound{List: missing})
	}
}

// handleMemPool answers a mempool message with an inv of the pool's
// transactions that meet the peer's fee filter.
func (s *Server) handleMemPool(p *Peer) {
	if s.pool == nil {
		return
	}
	entries := s.pool.Entries()
	p.mu.Lock()
	filter := p.feeFilter
	var inv []message.InvVect
	for _, e := range entries {
		if e.Size > 0 && e.Fee*1000/e.Size < filter {
			continue
		}
		p.known.add(e.TxID)
		inv = append(inv, message.InvVect{Type: message.InvTypeTx, Hash: e.TxID})
	}
	p.mu.Unlock()
	for len(inv) > 0 {
		n := min(len(inv), message.MaxInvEntries)
		if !p.queue(&message.Inv{List: inv[:n]}) {
			return
		}
		inv = inv[n:]
	}
}

// TxAccepted queues an accepted transaction for announcement to every peer
// that does not know it, at the next trickle. The mempool's observer calls
// it with the pool's lock held: it never calls the pool. It takes the
// server's lock and each peer's.
func (s *Server) TxAccepted(txid wire.Hash, fee, size int64) {
	rate := int64(0)
	if size > 0 {
		rate = fee * 1000 / size
	}
	s.mu.Lock()
	peers := make([]*Peer, 0, len(s.peers))
	for _, p := range s.peers {
		peers = append(peers, p)
	}
	s.mu.Unlock()
	for _, p := range peers {
		if p.isReady() {
			p.addPendingTx(txid, rate)
		}
	}
}

// errNotRunning means a request needs the server running.
var errNotRunning = errors.New("P2P is not running")
