package p2p

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/p2p/message"
)

// closedSoon reports whether the node closes the scripted connection
// within d (reads until EOF or an error other than a timeout).
func (s *scripted) closedSoon(d time.Duration) bool {
	deadline := time.Now().Add(d)
	buf := make([]byte, 4096)
	for time.Now().Before(deadline) {
		s.conn.SetReadDeadline(deadline)
		_, err := s.conn.Read(buf)
		if err == nil {
			continue
		}
		var ne net.Error
		return !(errors.As(err, &ne) && ne.Timeout())
	}
	return false
}

func TestHandshakeStates(t *testing.T) {
	n := startNode(t, regtestBlocks(t, 5), Config{HandshakeTimeout: 300 * time.Millisecond})
	good := &message.Version{ProtocolVersion: message.ProtocolVersion, Services: 1, Nonce: 5, UserAgent: "/t/", Relay: true}
	old := *good
	old.ProtocolVersion = 60000
	self := *good
	self.Nonce = n.srv.nonce
	tests := []struct {
		name   string
		send   []message.Message
		closed bool
	}{
		{"version and verack", []message.Message{good, &message.VerAck{}}, false},
		{"unknown messages around the handshake are ignored",
			[]message.Message{&message.Unknown{Cmd: "wtxidrelay"}, good, &message.Unknown{Cmd: "sendaddrv2"}, &message.VerAck{}}, false},
		{"oldest accepted version 70001", []message.Message{&message.Version{ProtocolVersion: 70001, Nonce: 9}, &message.VerAck{}}, false},
		{"obsolete version", []message.Message{&old}, true},
		{"connection to self", []message.Message{&self}, true},
		{"verack before version", []message.Message{&message.VerAck{}}, true},
		{"message before version", []message.Message{&message.Ping{Nonce: 1}}, true},
		{"silence: handshake timeout", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := dialScripted(t, n)
			for _, m := range tc.send {
				if err := s.send(m); err != nil {
					t.Fatal(err)
				}
			}
			if tc.closed {
				if !s.closedSoon(2 * time.Second) {
					t.Fatal("connection still open")
				}
				return
			}
			// The node completes the handshake and answers a ping.
			if _, err := s.recv(message.CmdVerAck); err != nil {
				t.Fatal(err)
			}
			if err := s.send(&message.Ping{Nonce: 77}); err != nil {
				t.Fatal(err)
			}
			m, err := s.recv(message.CmdPong)
			if err != nil || m.(*message.Pong).Nonce != 77 {
				t.Fatalf("pong %v, %v", m, err)
			}
		})
	}
}

func TestPingTimeoutDisconnects(t *testing.T) {
	n := startNode(t, nil, Config{PingInterval: 100 * time.Millisecond, PingTimeout: 200 * time.Millisecond})
	s := dialScripted(t, n)
	s.handshake(message.ProtocolVersion)
	// The node pings; this peer never answers.
	if _, err := s.recv(message.CmdPing); err != nil {
		t.Fatal(err)
	}
	if !s.closedSoon(3 * time.Second) {
		t.Fatal("a peer that never answers pings stays connected")
	}
}

func TestAnswersHeadersBlocksAndData(t *testing.T) {
	blocks := regtestBlocks(t, 120)
	n := startNode(t, blocks, Config{})
	s := dialScripted(t, n)
	s.handshake(message.ProtocolVersion)
	genesis := consensus.RegTestParams.GenesisHash

	if err := s.send(&message.GetHeaders{BlockLocator: message.BlockLocator{Locator: []wire.Hash{blocks[9].BlockHash()}}}); err != nil {
		t.Fatal(err)
	}
	m, err := s.recv(message.CmdHeaders)
	if err != nil {
		t.Fatal(err)
	}
	if hs := m.(*message.Headers).Headers; len(hs) != 110 || hs[0].BlockHash() != blocks[10].BlockHash() {
		t.Fatalf("%d headers", len(hs))
	}

	if err := s.send(&message.GetBlocks{BlockLocator: message.BlockLocator{Locator: []wire.Hash{genesis}}}); err != nil {
		t.Fatal(err)
	}
	m, err = s.recv(message.CmdInv)
	if err != nil {
		t.Fatal(err)
	}
	if inv := m.(*message.Inv).List; len(inv) != 120 || inv[119].Hash != blocks[119].BlockHash() {
		t.Fatalf("getblocks inv of %d", len(inv))
	}

	unknown := wire.Hash{1, 2, 3}
	if err := s.send(&message.GetData{List: []message.InvVect{{Type: message.InvTypeBlock, Hash: blocks[5].BlockHash()},
		{Type: message.InvTypeBlock, Hash: unknown}, {Type: message.InvTypeTx, Hash: unknown}}}); err != nil {
		t.Fatal(err)
	}
	m, err = s.recv(message.CmdBlock)
	if err != nil || m.(*message.Block).Block.BlockHash() != blocks[5].BlockHash() {
		t.Fatalf("block %v, %v", m, err)
	}
	m, err = s.recv(message.CmdNotFound)
	if err != nil || len(m.(*message.NotFound).List) != 2 {
		t.Fatalf("notfound %v, %v", m, err)
	}
	// A witness block is the block itself (nodecoin has no witness data).
	if err := s.send(&message.GetData{List: []message.InvVect{{Type: message.InvTypeWitnessBlock, Hash: blocks[6].BlockHash()}}}); err != nil {
		t.Fatal(err)
	}
	if m, err = s.recv(message.CmdBlock); err != nil || m.(*message.Block).Block.BlockHash() != blocks[6].BlockHash() {
		t.Fatalf("witness block %v, %v", m, err)
	}
}

func TestGetBlocksContinuationInv(t *testing.T) {
	blocks := regtestBlocks(t, 600)
	n := startNode(t, blocks, Config{})
	s := dialScripted(t, n)
	s.handshake(message.ProtocolVersion)
	genesis := consensus.RegTestParams.GenesisHash
	if err := s.send(&message.GetBlocks{BlockLocator: message.BlockLocator{Locator: []wire.Hash{genesis}}}); err != nil {
		t.Fatal(err)
	}
	m, err := s.recv(message.CmdInv)
	if err != nil {
		t.Fatal(err)
	}
	inv := m.(*message.Inv).List
	if len(inv) != maxGetBlocksInv || inv[0].Hash != blocks[0].BlockHash() || inv[499].Hash != blocks[499].BlockHash() {
		t.Fatalf("getblocks answered with %d hashes", len(inv))
	}
	// Asking for the last of them brings the block, then an inv of the tip
	// so that the peer asks again (DESIGN §6).
	if err := s.send(&message.GetData{List: []message.InvVect{inv[499]}}); err != nil {
		t.Fatal(err)
	}
	if m, err := s.recv(message.CmdBlock); err != nil || m.(*message.Block).Block.BlockHash() != blocks[499].BlockHash() {
		t.Fatalf("block %v", err)
	}
	m, err = s.recv(message.CmdInv)
	if err != nil {
		t.Fatal(err)
	}
	if tip := m.(*message.Inv).List; len(tip) != 1 || tip[0].Hash != blocks[599].BlockHash() {
		t.Fatalf("continuation inv %v, want the tip", tip)
	}
}

func TestTxAnnouncementsHonourFeeFilterAndKnownInventory(t *testing.T) {
	n := startNode(t, regtestBlocks(t, 3), Config{TrickleInterval: 20 * time.Millisecond})
	filtered := dialScripted(t, n)
	filtered.handshake(message.ProtocolVersion)
	open := dialScripted(t, n)
	open.handshake(message.ProtocolVersion)
	if err := filtered.send(&message.FeeFilter{FeeRate: 5000}); err != nil {
		t.Fatal(err)
	}
	announced := wire.Hash{0xaa}
	if err := open.send(&message.Inv{List: []message.InvVect{{Type: message.InvTypeTx, Hash: announced}}}); err != nil {
		t.Fatal(err)
	}
	// The node asks the announcing peer for it.
	m, err := open.recv(message.CmdGetData)
	if err != nil || m.(*message.GetData).List[0].Hash != announced {
		t.Fatalf("getdata %v, %v", m, err)
	}
	cheap, dear := wire.Hash{1}, wire.Hash{2}
	n.srv.TxAccepted(announced, 10_000, 1000)
	n.srv.TxAccepted(cheap, 1000, 1000) // 1,000 per kB
	n.srv.TxAccepted(dear, 10_000, 1000)
	got := func(s *scripted, want int) map[wire.Hash]bool {
		seen := make(map[wire.Hash]bool)
		for len(seen) < want {
			m, err := s.recv(message.CmdInv)
			if err != nil {
				t.Fatalf("after %v: %v", seen, err)
			}
			for _, iv := range m.(*message.Inv).List {
				if seen[iv.Hash] {
					t.Fatalf("%s announced twice", iv.Hash)
				}
				seen[iv.Hash] = true
			}
		}
		return seen
	}
	if seen := got(open, 2); !seen[cheap] || !seen[dear] || seen[announced] {
		t.Fatalf("unfiltered peer got %v", seen)
	}
	if seen := got(filtered, 2); !seen[dear] || !seen[announced] || seen[cheap] {
		t.Fatalf("filtered peer got %v", seen)
	}
	// Announcing again sends nothing new: the next inv (if any) must not
	// repeat these.
	n.srv.TxAccepted(dear, 10_000, 1000)
	other := wire.Hash{3}
	n.srv.TxAccepted(other, 10_000, 1000)
	if seen := got(open, 1); !seen[other] || seen[dear] {
		t.Fatalf("re-announcement: %v", seen)
	}
}

func TestMisbehaviourBansAddress(t *testing.T) {
	n := startNode(t, regtestBlocks(t, 3), Config{})
	c1, c2 := net.Pipe()
	defer c1.Close()
	// A pipe has no IP: give the peer one through a wrapped conn.
	conn := &addrConn{Conn: c2, remote: &net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 4000}}
	if !n.srv.AddConn(conn, true, false) {
		t.Fatal("refused")
	}
	s := &scripted{t: t, conn: c1}
	s.handshake(message.ProtocolVersion)
	// An oversized inv header: 50 points and the stream is lost.
	c1.Write(frameHeader(message.CmdInv, 1<<31))
	if !s.closedSoon(2 * time.Second) {
		t.Fatal("still connected after an oversized message")
	}
	if n.srv.Banned(conn.remote.(*net.TCPAddr).AddrPort().Addr()) {
		t.Fatal("banned at 50 points")
	}
	// Reconnecting does not reset the score.
	c3, c4 := net.Pipe()
	defer c3.Close()
	conn2 := &addrConn{Conn: c4, remote: &net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 4001}}
	n.srv.AddConn(conn2, true, false)
	s2 := &scripted{t: t, conn: c3}
	s2.handshake(message.ProtocolVersion)
	c3.Write(frameHeader(message.CmdHeaders, 1<<30))
	if !s2.closedSoon(2 * time.Second) {
		t.Fatal("still connected")
	}
	bans := n.srv.ListBanned()
	if len(bans) != 1 || bans[0].Addr.String() != "10.1.2.3" || bans[0].Until.Sub(bans[0].Created) != DefaultBanDuration {
		t.Fatalf("bans %+v", bans)
	}
}

// frameHeader returns a regtest message header announcing length bytes.
func frameHeader(cmd string, length uint32) []byte {
	b := append([]byte{}, consensus.RegTestParams.Magic[:]...)
	var c [12]byte
	copy(c[:], cmd)
	b = append(b, c[:]...)
	b = append(b, byte(length), byte(length>>8), byte(length>>16), byte(length>>24))
	return append(b, 0, 0, 0, 0)
}

// addrConn gives a pipe a remote TCP address.
type addrConn struct {
	net.Conn
	remote net.Addr
}

func (c *addrConn) RemoteAddr() net.Addr { return c.remote }
