package p2p

import (
	"net"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/p2p/message"
)

func TestAddrLearnedAnsweredAndPersisted(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, nil, Config{DataDir: dir})
	s := dialScripted(t, n)
	s.handshake(message.ProtocolVersion)
	now := uint32(time.Now().Unix())
	var addrs []message.TimedNetAddress
	for _, a := range []string{"192.0.2.1:9633", "192.0.2.2:9633", "[2001:db8::7]:19633"} {
		addrs = append(addrs, message.TimedNetAddress{Time: now, NetAddress: message.NetAddressFrom(netip.MustParseAddrPort(a), 1)})
	}
	// One unusable address (port 0) is not kept.
	addrs = append(addrs, message.TimedNetAddress{Time: now, NetAddress: message.NetAddressFrom(netip.MustParseAddrPort("192.0.2.3:0"), 1)})
	if err := s.send(&message.Addr{Addresses: addrs}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "addresses learned", func() bool { return n.srv.KnownAddresses() == 3 })

	// An inbound peer asking gets them, once per connection.
	q := dialScripted(t, n)
	q.handshake(message.ProtocolVersion)
	if err := q.send(&message.GetAddr{}); err != nil {
		t.Fatal(err)
	}
	m, err := q.recv(message.CmdAddr)
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]bool)
	for _, a := range m.(*message.Addr).Addresses {
		got[a.AddrPort().String()] = true
	}
	if len(got) != 3 || !got["192.0.2.1:9633"] || !got["[2001:db8::7]:19633"] {
		t.Fatalf("getaddr answered %v", got)
	}

	// The book survives a restart of the server.
	n.stop()
	b := newAddrBook()
	if err := b.load(filepath.Join(dir, AddrBookFileName), time.Now()); err != nil || b.size() != 3 {
		t.Fatalf("saved book: %d addresses, %v", b.size(), err)
	}
}

func TestOutboundPeersFromTheAddressBook(t *testing.T) {
	blocks := regtestBlocks(t, 20)
	a := startNode(t, blocks, Config{Listen: "127.0.0.1:0"})
	b := startNode(t, nil, Config{})
	ap := netip.MustParseAddrPort(a.srv.ListenAddr())
	b.srv.addrs.add(time.Now(), knownAddr{addr: ap, services: 1})
	waitFor(t, 10*time.Second, "sync through a peer from the address book", func() bool {
		return b.ch.Best().Hash == blocks[19].BlockHash()
	})
	if in, _ := a.srv.ConnectionCount(); in != 1 {
		t.Fatalf("a has %d inbound peers", in)
	}
	// In --connect mode the book is not used.
	c := startNode(t, nil, Config{Connect: []string{"127.0.0.1:1"}})
	c.srv.addrs.add(time.Now(), knownAddr{addr: ap, services: 1})
	time.Sleep(time.Second)
	if c.ch.Best().Height != 0 {
		t.Fatal("a --connect node used its address book")
	}
}

// timedAddr is an addr entry heard of at the given Unix time.
func timedAddr(s string, at uint32) message.TimedNetAddress {
	return message.TimedNetAddress{Time: at, NetAddress: message.NetAddressFrom(netip.MustParseAddrPort(s), 1)}
}

// TestAddrRelay checks that a small addr message of fresh addresses is
// passed on to another peer, while stale addresses and large messages are
// only kept.
func TestAddrRelay(t *testing.T) {
	n := startNode(t, nil, Config{})
	a := dialScripted(t, n)
	a.handshake(message.ProtocolVersion)
	b := dialScripted(t, n)
	b.handshake(message.ProtocolVersion)
	now := uint32(time.Now().Unix())
	big := &message.Addr{}
	for i := range 11 {
		big.Addresses = append(big.Addresses, timedAddr(netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(20 + i)}), 9633).String(), now))
	}
	for _, m := range []*message.Addr{
		{Addresses: []message.TimedNetAddress{timedAddr("192.0.2.10:9633", now-3600)}}, // stale: kept only
		{Addresses: []message.TimedNetAddress{timedAddr("192.0.2.11:9633", now)}},      // relayed
		big, // too many to relay
		{Addresses: []message.TimedNetAddress{timedAddr("192.0.2.12:9633", now)}}, // relayed
	} {
		if err := a.send(m); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"192.0.2.11:9633", "192.0.2.12:9633"} {
		m, err := b.recv(message.CmdAddr)
		if err != nil {
			t.Fatal(err)
		}
		got := m.(*message.Addr).Addresses
		if len(got) != 1 || got[0].AddrPort().String() != want {
			t.Fatalf("relayed %v, want only %s", got, want)
		}
	}
	waitFor(t, 5*time.Second, "every address kept", func() bool { return n.srv.KnownAddresses() == 14 })
}

// TestAddrRateLimit sends 2,000 addresses at once: only the burst of
// 1,000 is taken.
func TestAddrRateLimit(t *testing.T) {
	n := startNode(t, nil, Config{})
	a := dialScripted(t, n)
	a.handshake(message.ProtocolVersion)
	now := uint32(time.Now().Unix())
	for k := range 2 {
		m := &message.Addr{}
		for i := range 1000 {
			ip := netip.AddrFrom4([4]byte{10, byte(k), byte(i >> 8), byte(i)})
			m.Addresses = append(m.Addresses, timedAddr(netip.AddrPortFrom(ip, 9633).String(), now))
		}
		if err := a.send(m); err != nil {
			t.Fatal(err)
		}
	}
	// A ping answered means both messages were handled.
	if err := a.send(&message.Ping{Nonce: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.recv(message.CmdPong); err != nil {
		t.Fatal(err)
	}
	if got := n.srv.KnownAddresses(); got != addrBurst {
		t.Fatalf("%d addresses taken from one peer at once, want %d", got, addrBurst)
	}
}

// TestSelfAdvertisedToOutboundPeer checks that a listening node tells an
// outbound peer its address as that peer sees it, with its listening port.
func TestSelfAdvertisedToOutboundPeer(t *testing.T) {
	n := startNode(t, nil, Config{Listen: "127.0.0.1:0"})
	c1, c2 := net.Pipe()
	t.Cleanup(func() { c1.Close() })
	if !n.srv.AddConn(c2, false, false) {
		t.Fatal("AddConn refused")
	}
	s := &scripted{t: t, conn: c1}
	if _, err := s.recv(message.CmdVersion); err != nil {
		t.Fatal(err)
	}
	seenAs := netip.MustParseAddrPort("127.0.0.5:4444")
	if err := s.send(&message.Version{ProtocolVersion: message.ProtocolVersion, Services: message.ServiceNodeNetwork,
		Nonce: 43, UserAgent: "/test/", AddrRecv: message.NetAddressFrom(seenAs, 0)}); err != nil {
		t.Fatal(err)
	}
	if err := s.send(&message.VerAck{}); err != nil {
		t.Fatal(err)
	}
	m, err := s.recv(message.CmdAddr)
	if err != nil {
		t.Fatal(err)
	}
	listen := netip.MustParseAddrPort(n.srv.ListenAddr())
	got := m.(*message.Addr).Addresses
	if len(got) != 1 || got[0].AddrPort() != netip.AddrPortFrom(seenAs.Addr(), listen.Port()) {
		t.Fatalf("advertised %v, want 127.0.0.5:%d", got, listen.Port())
	}
}
