package p2p

import (
	"github.com/nodecoin/nodecoin/chain/consensus"
	"io"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/p2p/message"
)

func TestTwoNodesSyncOverPipe(t *testing.T) {
	blocks := regtestBlocks(t, 300)
	a := startNode(t, blocks, Config{})
	b := startNode(t, nil, Config{})
	link(t, b, a)
	want := a.ch.Best()
	waitFor(t, 30*time.Second, "sync", func() bool { return b.ch.Best().Hash == want.Hash })
	// A block mined on b after sync reaches a by announcement.
	more := regtestBlocks(t, 301)[300]
	if _, err := b.ch.ProcessBlock(more); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "relay", func() bool { return a.ch.Best().Hash == more.BlockHash() })
}

func TestStalledBlocksGoToAnotherPeer(t *testing.T) {
	blocks := regtestBlocks(t, 300)
	a := startNode(t, blocks, Config{})
	b := startNode(t, nil, Config{StallTimeout: 300 * time.Millisecond})
	// A peer that has every header but never delivers a block.
	s := dialScripted(t, b)
	s.handshake(message.ProtocolVersion)
	if _, err := s.recv(message.CmdGetHeaders); err != nil {
		t.Fatal(err)
	}
	headers := headersOf(blocks)
	if err := s.send(&message.Headers{Headers: headers}); err != nil {
		t.Fatal(err)
	}
	m, err := s.recv(message.CmdGetData)
	if err != nil {
		t.Fatal(err)
	}
	asked := len(m.(*message.GetData).List)
	if asked == 0 || asked > DefaultMaxInFlight {
		t.Fatalf("asked the stalling peer for %d blocks", asked)
	}
	closed := make(chan struct{})
	go func() {
		s.conn.SetReadDeadline(time.Time{})
		io.Copy(io.Discard, s.conn)
		close(closed)
	}()
	if got := b.ch.Best().Height; got != 0 {
		t.Fatalf("height %d without blocks", got)
	}
	// An honest peer arrives: the stalled blocks are asked of it.
	link(t, b, a)
	waitFor(t, 30*time.Second, "sync past the stalled blocks", func() bool { return b.ch.Best().Hash == blocks[299].BlockHash() })
	// The silent peer stalled the download repeatedly: disconnected.
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the stalling peer is still connected")
	}
}

func TestDownloadWindowAndInFlightBounds(t *testing.T) {
	blocks := regtestBlocks(t, 300)
	b := startNode(t, nil, Config{DownloadWindow: 40, MaxInFlight: 7, StallTimeout: time.Minute})
	peers := make([]*scripted, 3)
	headers := headersOf(blocks)
	for i := range peers {
		peers[i] = dialScripted(t, b)
		peers[i].handshake(message.ProtocolVersion)
		if i == 0 { // the headers sync peer; the others announce unasked
			if _, err := peers[i].recv(message.CmdGetHeaders); err != nil {
				t.Fatal(err)
			}
		}
		if err := peers[i].send(&message.Headers{Headers: headers}); err != nil {
			t.Fatal(err)
		}
	}
	// Each peer is asked for at most 7 blocks, all within the window, and
	// no block of two peers.
	seen := make(map[wire.Hash]bool)
	for _, s := range peers {
		m, err := s.recv(message.CmdGetData)
		if err != nil {
			t.Fatal(err)
		}
		list := m.(*message.GetData).List
		if len(list) == 0 || len(list) > 7 {
			t.Fatalf("%d blocks asked of one peer", len(list))
		}
		for _, iv := range list {
			if seen[iv.Hash] {
				t.Fatalf("block %s asked of two peers", iv.Hash)
			}
			seen[iv.Hash] = true
			h, _ := b.ch.Header(iv.Hash)
			if h.Height < 1 || h.Height > 40 {
				t.Fatalf("block at height %d is outside the window", h.Height)
			}
		}
	}
	if len(seen) != 21 {
		t.Fatalf("%d blocks in flight, want 3 × 7", len(seen))
	}
}

func TestNewTipAnnouncedByHeadersOrInv(t *testing.T) {
	blocks := regtestBlocks(t, 6)
	n := startNode(t, blocks[:5], Config{})
	withHeaders := dialScripted(t, n)
	withHeaders.handshake(message.ProtocolVersion)
	if err := withHeaders.send(&message.SendHeaders{}); err != nil {
		t.Fatal(err)
	}
	withInv := dialScripted(t, n)
	withInv.handshake(message.ProtocolVersion)
	// Let the sendheaders land before the block.
	if err := withHeaders.send(&message.Ping{Nonce: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := withHeaders.recv(message.CmdPong); err != nil {
		t.Fatal(err)
	}
	if _, err := n.ch.ProcessBlock(blocks[5]); err != nil {
		t.Fatal(err)
	}
	m, err := withHeaders.recv(message.CmdHeaders)
	if err != nil {
		t.Fatal(err)
	}
	// Startup getheaders answers may come first: skip empty ones.
	for len(m.(*message.Headers).Headers) == 0 {
		if m, err = withHeaders.recv(message.CmdHeaders); err != nil {
			t.Fatal(err)
		}
	}
	hs := m.(*message.Headers).Headers
	if hs[len(hs)-1].BlockHash() != blocks[5].BlockHash() {
		t.Fatalf("headers announcement ends at %s", hs[len(hs)-1].BlockHash())
	}
	m, err = withInv.recv(message.CmdInv)
	if err != nil {
		t.Fatal(err)
	}
	if inv := m.(*message.Inv).List; len(inv) != 1 || inv[0].Type != message.InvTypeBlock || inv[0].Hash != blocks[5].BlockHash() {
		t.Fatalf("inv announcement %v", inv)
	}
}

func TestUnknownBlockInvAsksForHeaders(t *testing.T) {
	blocks := regtestBlocks(t, 10)
	n := startNode(t, blocks[:3], Config{})
	s := dialScripted(t, n)
	s.handshake(message.ProtocolVersion)
	if _, err := s.recv(message.CmdGetHeaders); err != nil { // at connection
		t.Fatal(err)
	}
	if err := s.send(&message.Inv{List: []message.InvVect{{Type: message.InvTypeBlock, Hash: blocks[9].BlockHash()}}}); err != nil {
		t.Fatal(err)
	}
	m, err := s.recv(message.CmdGetHeaders)
	if err != nil {
		t.Fatal(err)
	}
	gh := m.(*message.GetHeaders)
	if gh.HashStop != blocks[9].BlockHash() || gh.Locator[0] != blocks[2].BlockHash() {
		t.Fatalf("getheaders from %s to %s", gh.Locator[0], gh.HashStop)
	}
}

// TestInitialHeadersFromOneSyncPeer checks that, while the best header is
// old, only the first peer is asked for headers at connect (a ping answered
// before any getheaders shows the second was not), and that the download
// moves to the second when the first disconnects.
func TestInitialHeadersFromOneSyncPeer(t *testing.T) {
	b := startNode(t, nil, Config{})
	first := dialScripted(t, b)
	first.handshakeAt(message.ProtocolVersion, 300)
	if _, err := first.recv(message.CmdGetHeaders); err != nil {
		t.Fatalf("the first peer was not asked for headers: %v", err)
	}
	second := dialScripted(t, b)
	second.handshakeAt(message.ProtocolVersion, 300)
	second.untilPong(func(m message.Message) {
		if _, ok := m.(*message.GetHeaders); ok {
			t.Fatal("a second peer was asked for the same headers during the initial download")
		}
	})
	first.conn.Close()
	if _, err := second.recv(message.CmdGetHeaders); err != nil {
		t.Fatalf("the headers download did not move to the second peer: %v", err)
	}
}

// TestNoTxRequestsWhileCatchingUp checks that a node whose best header is
// far above its tip does not ask for announced transactions.
func TestNoTxRequestsWhileCatchingUp(t *testing.T) {
	blocks := regtestBlocks(t, 300)
	b := startNode(t, nil, Config{StallTimeout: time.Minute})
	s := dialScripted(t, b)
	s.handshakeAt(message.ProtocolVersion, 300)
	if _, err := s.recv(message.CmdGetHeaders); err != nil {
		t.Fatal(err)
	}
	headers := headersOf(blocks)
	if err := s.send(&message.Headers{Headers: headers}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "headers indexed", func() bool { return b.ch.BestHeader().Height == 300 })
	if err := s.send(&message.Inv{List: []message.InvVect{{Type: message.InvTypeTx, Hash: wire.Hash{1}}}}); err != nil {
		t.Fatal(err)
	}
	s.untilPong(func(m message.Message) {
		if gd, ok := m.(*message.GetData); ok {
			for _, iv := range gd.List {
				if iv.Type == message.InvTypeTx {
					t.Fatal("a transaction was asked for while catching up")
				}
			}
		}
	})
}

// TestLowWorkHeadersBounded has a peer feed the node headers of a branch
// from genesis with less work than its tip: accepted up to
// MaxLowWorkHeaders, then the peer is dropped.
func TestLowWorkHeadersBounded(t *testing.T) {
	blocks := regtestBlocks(t, 300)
	b := startNode(t, blocks, Config{MaxLowWorkHeaders: 100})
	s := dialScripted(t, b)
	s.handshake(message.ProtocolVersion)
	p := consensus.RegTestParams
	prev, ts := p.GenesisHash, p.GenesisBlock.Header.Timestamp
	var fork []wire.BlockHeader
	for i := range 150 {
		h := wire.BlockHeader{Version: 4, PrevBlock: prev, MerkleRoot: wire.Hash{0xfe, byte(i)}, Timestamp: ts + uint32(i) + 1,
			Bits: p.PowLimitBits}
		for consensus.CheckProofOfWork(h.BlockHash(), h.Bits, p.PowLimit) != nil {
			h.Nonce++
		}
		fork = append(fork, h)
		prev = h.BlockHash()
	}
	alive := func() bool {
		if err := s.send(&message.Ping{Nonce: 5}); err != nil {
			return false
		}
		_, err := s.recv(message.CmdPong)
		return err == nil
	}
	for i := 0; i < 100; i += 50 {
		if err := s.send(&message.Headers{Headers: fork[i : i+50]}); err != nil {
			t.Fatal(err)
		}
	}
	if !alive() {
		t.Fatal("the peer was dropped for 100 low-work headers, the allowance")
	}
	if _, ok := b.ch.Header(fork[99].BlockHash()); !ok {
		t.Fatal("the allowed low-work headers were not indexed")
	}
	if err := s.send(&message.Headers{Headers: fork[100:150]}); err == nil && alive() {
		t.Fatal("the peer is still served after 150 low-work headers")
	}
}
