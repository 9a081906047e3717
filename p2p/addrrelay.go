package p2p

import (
	"crypto/sha256"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/p2p/message"
)

// Address gossip, as Bitcoin Core does it: a node advertises its own
// listening address to each outbound peer once connected and to every
// peer about once a day; an addr message of at most maxAddrRelayBatch
// addresses heard of in the last addrRelayAge is passed on to
// addrRelayFanout other peers that have not seen them; and each peer's
// addresses are taken at most at addrRate per second (with a burst of
// addrBurst), the rest ignored, so that a peer cannot flood the book.
const (
	maxAddrRelayBatch = 10
	addrRelayAge      = 10 * time.Minute
	addrRelayFanout   = 2
	addrRate          = 0.1
	addrBurst         = 1000
	selfAdvertEvery   = 24 * time.Hour
)

// addrKey is the known-inventory key of an address, so that the same
// filter that keeps a peer from hearing of an inventory twice keeps it
// from hearing of an address twice.
func addrKey(a netip.AddrPort) wire.Hash {
	b, _ := a.MarshalBinary()
	return sha256.Sum256(append([]byte("addr:"), b...))
}

// takeAddrTokens takes up to n addresses from p's budget and returns how
// many may be processed. The caller holds no lock.
func (s *Server) takeAddrTokens(p *Peer, n int) int {
	now := s.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.addrTokensAt.IsZero() {
		p.addrTokens = addrBurst
	} else {
		p.addrTokens = min(addrBurst, p.addrTokens+now.Sub(p.addrTokensAt).Seconds()*addrRate)
	}
	p.addrTokensAt = now
	take := min(n, int(p.addrTokens))
	p.addrTokens -= float64(take)
	return take
}

// handleAddr adds the addresses of an addr message to the book, within p's
// budget, and relays a small message of fresh addresses onwards.
func (s *Server) handleAddr(p *Peer, m *message.Addr) {
	now := s.now()
	list := m.Addresses[:s.takeAddrTokens(p, len(m.Addresses))]
	addrs := make([]knownAddr, 0, len(list))
	var fresh []message.TimedNetAddress
	for _, a := range list {
		ap := a.AddrPort()
		p.markKnown(addrKey(ap))
		seen := time.Unix(int64(a.Time), 0)
		addrs = append(addrs, knownAddr{addr: ap, services: a.Services, lastSeen: seen})
		if len(m.Addresses) <= maxAddrRelayBatch && usableAddr(ap) && now.Sub(seen) <= addrRelayAge && seen.Sub(now) <= addrRelayAge {
			fresh = append(fresh, a)
		}
	}
	if n := s.addrs.add(now, addrs...); n > 0 {
		p.log.Debug("learned addresses", "new", n)
	}
	if len(fresh) > 0 {
		s.relayAddrs(p, fresh)
	}
}

// relayAddrs passes addresses heard from src to addrRelayFanout other
// peers, each getting those it has not seen.
func (s *Server) relayAddrs(src *Peer, addrs []message.TimedNetAddress) {
	var others []*Peer
	for _, p := range s.peerList() {
		if p != src {
			others = append(others, p)
		}
	}
	rand.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	for _, p := range others[:min(len(others), addrRelayFanout)] {
		s.sendAddrs(p, addrs)
	}
}

// sendAddrs sends p the addresses it has not seen yet, and marks them
// seen.
func (s *Server) sendAddrs(p *Peer, addrs []message.TimedNetAddress) {
	out := &message.Addr{}
	p.mu.Lock()
	for _, a := range addrs {
		k := addrKey(a.AddrPort())
		if !p.known.has(k) {
			p.known.add(k)
			out.Addresses = append(out.Addresses, a)
		}
	}
	p.mu.Unlock()
	if len(out.Addresses) > 0 {
		p.trySend(out)
	}
}

// advertiseSelf sends p the node's own listening address as p sees the
// node (the address p's version message gave for us, with our listening
// port), when the node listens and that address is usable.
func (s *Server) advertiseSelf(p *Peer) {
	la := s.ListenAddr()
	if la == "" {
		return
	}
	port, err := netip.ParseAddrPort(la)
	if err != nil {
		return
	}
	seenAs := p.version.AddrRecv.AddrPort().Addr().Unmap()
	self := netip.AddrPortFrom(seenAs, port.Port())
	if !usableAddr(self) {
		return
	}
	s.sendAddrs(p, []message.TimedNetAddress{{Time: uint32(s.now().Unix()),
		NetAddress: message.NetAddressFrom(self, message.ServiceNodeNetwork)}})
}

// selfAdvertise sends the node's address to each peer whose daily turn
// has come.
func (s *Server) selfAdvertise() {
	now := s.now()
	for _, p := range s.peerList() {
		p.mu.Lock()
		due := !p.nextSelfAdvert.IsZero() && now.After(p.nextSelfAdvert)
		if due {
			p.nextSelfAdvert = now.Add(selfAdvertEvery/2 + rand.N(selfAdvertEvery))
		}
		p.mu.Unlock()
		if due {
			s.advertiseSelf(p)
		}
	}
}
