package p2p

import (
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
