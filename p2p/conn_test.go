package p2p

import (
	"net"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/p2p/message"
)

func TestManualPeerReconnectsWithBackoff(t *testing.T) {
	// A free port, closed again: nothing listens there yet.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	blocks := regtestBlocks(t, 10)
	b := startNode(t, nil, Config{Connect: []string{addr}, RetryInterval: 50 * time.Millisecond})
	time.Sleep(300 * time.Millisecond) // several failed attempts
	if b.ch.Best().Height != 0 {
		t.Fatal("synced from nowhere")
	}
	a := startNode(t, blocks, Config{Listen: addr})
	waitFor(t, 10*time.Second, "reconnection and sync", func() bool { return b.ch.Best().Hash == blocks[9].BlockHash() })
	if nodes := b.srv.AddedNodes(); !nodes[addr] {
		t.Fatalf("added nodes %v", nodes)
	}
	// The peer goes away and comes back: the node reconnects.
	a.stop()
	waitFor(t, 5*time.Second, "disconnection", func() bool { in, out := b.srv.ConnectionCount(); return in+out == 0 })
	startNode(t, blocks, Config{Listen: addr})
	waitFor(t, 10*time.Second, "second reconnection", func() bool { _, out := b.srv.ConnectionCount(); return out == 1 })
}

func TestInboundEvictionKeepsNetworkDiversity(t *testing.T) {
	n := startNode(t, nil, Config{MaxConnections: 8})
	ips := []string{"10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5", "10.1.0.6", "10.2.0.1", "10.3.0.1"}
	for i, ip := range ips {
		c1, c2 := net.Pipe()
		t.Cleanup(func() { c1.Close() })
		if !n.srv.AddConn(&addrConn{Conn: c2, remote: &net.TCPAddr{IP: net.ParseIP(ip), Port: 1000 + i}}, true, false) {
			t.Fatalf("peer %s refused", ip)
		}
		(&scripted{t: t, conn: c1}).handshake(message.ProtocolVersion)
	}
	// A ninth peer makes room by evicting one of the crowded 10.1/16.
	c1, c2 := net.Pipe()
	t.Cleanup(func() { c1.Close() })
	if !n.srv.AddConn(&addrConn{Conn: c2, remote: &net.TCPAddr{IP: net.ParseIP("10.4.0.1"), Port: 2000}}, true, false) {
		t.Fatal("ninth peer refused")
	}
	(&scripted{t: t, conn: c1}).handshake(message.ProtocolVersion)
	waitFor(t, 5*time.Second, "eviction", func() bool { in, _ := n.srv.ConnectionCount(); return in == 8 })
	have := make(map[string]bool)
	for _, p := range n.srv.Peers() {
		have[p.Addr] = true
	}
	if !have["10.2.0.1:1006"] || !have["10.3.0.1:1007"] || !have["10.4.0.1:2000"] {
		t.Fatalf("a lone network's peer was evicted: %v", have)
	}
}

// TestEvictionProtectsUsefulPeers fills the inbound slots from one
// network; the newest peer, with the worst ping, would be evicted for a
// new one, unless it recently gave the node a new transaction or block.
func TestEvictionProtectsUsefulPeers(t *testing.T) {
	for _, useful := range []string{"", "tx", "block"} {
		n := startNode(t, nil, Config{MaxConnections: 8})
		for i := range 8 {
			c1, c2 := net.Pipe()
			t.Cleanup(func() { c1.Close() })
			if !n.srv.AddConn(&addrConn{Conn: c2, remote: &net.TCPAddr{IP: net.IPv4(10, 1, 0, byte(1+i)), Port: 1000 + i}}, true, false) {
				t.Fatalf("peer %d refused", i)
			}
			(&scripted{t: t, conn: c1}).handshake(message.ProtocolVersion)
		}
		newest := "10.1.0.8:1007"
		n.srv.mu.Lock()
		for _, p := range n.srv.peers {
			ms := int64(p.addr.Port()-999) * int64(time.Millisecond) // 10.1.0.8 is the slowest
			p.minPing.Store(ms)
			if p.addr.String() == newest {
				switch useful {
				case "tx":
					p.lastNovelTx.Store(time.Now().UnixNano())
				case "block":
					p.lastNovelBlock.Store(time.Now().UnixNano())
				}
			}
		}
		n.srv.mu.Unlock()
		c1, c2 := net.Pipe()
		t.Cleanup(func() { c1.Close() })
		if !n.srv.AddConn(&addrConn{Conn: c2, remote: &net.TCPAddr{IP: net.ParseIP("10.9.0.1"), Port: 2000}}, true, false) {
			t.Fatal("ninth peer refused")
		}
		(&scripted{t: t, conn: c1}).handshake(message.ProtocolVersion)
		waitFor(t, 5*time.Second, "eviction", func() bool { in, _ := n.srv.ConnectionCount(); return in == 8 })
		kept := false
		for _, p := range n.srv.Peers() {
			kept = kept || p.Addr == newest
		}
		if kept != (useful != "") {
			t.Errorf("useful %q: the newest, slowest peer kept %v", useful, kept)
		}
	}
}
