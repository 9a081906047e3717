package p2p

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/node/nodetest"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/p2p/message"
)

func testLogger() *slog.Logger {
	if os.Getenv("P2P_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

var (
	chainOnce   sync.Once
	chainBlocks []*wire.Block
	chainErr    error
)

// regtestBlocks returns the first n blocks of one shared regtest chain.
func regtestBlocks(t testing.TB, n int) []*wire.Block {
	t.Helper()
	chainOnce.Do(func() { chainBlocks, chainErr = nodetest.RegtestChain(600, 7) })
	if chainErr != nil {
		t.Fatal(chainErr)
	}
	if n > len(chainBlocks) {
		t.Fatalf("only %d test blocks", len(chainBlocks))
	}
	return chainBlocks[:n]
}

// headersOf returns the headers of blocks.
func headersOf(blocks []*wire.Block) []wire.BlockHeader {
	headers := make([]wire.BlockHeader, len(blocks))
	for i, b := range blocks {
		headers[i] = b.Header
	}
	return headers
}

// testNode is a chain, a pool and a running server.
type testNode struct {
	t    testing.TB
	ch   *chain.Chain
	pool *mempool.Pool
	srv  *Server
	stop func()
}

// poolHook forwards pool acceptances to the server once it exists.
type poolHook struct {
	mu  sync.Mutex
	srv *Server
}

func (h *poolHook) Accepted(txid wire.Hash, tx *wire.Tx, fee, size int64) {
	h.mu.Lock()
	s := h.srv
	h.mu.Unlock()
	if s != nil {
		s.TxAccepted(txid, fee, size)
	}
}
func (h *poolHook) Rejected(string)   {}
func (h *poolHook) Removed(wire.Hash) {}

// startNode opens a regtest chain holding blocks and runs a server on it
// (not listening) with fast timings; cfg's zero fields take those.
func startNode(t testing.TB, blocks []*wire.Block, cfg Config) *testNode {
	t.Helper()
	ch, err := chain.Open(context.Background(), chain.Config{Dir: t.TempDir(), Params: consensus.RegTestParams,
		CacheMiB: 16, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if _, err := ch.ProcessBlock(b); err != nil {
			t.Fatal(err)
		}
	}
	hook := &poolHook{}
	pool := mempool.New(ch, mempool.Config{Logger: testLogger(), Observer: hook})
	ch.Subscribe(func(n chain.Notification) { pool.HandleNotification(n) })
	cfg.Params, cfg.Chain, cfg.Pool = consensus.RegTestParams, ch, pool
	if cfg.Logger == nil {
		cfg.Logger = testLogger()
	}
	if cfg.TrickleInterval == 0 {
		cfg.TrickleInterval = 50 * time.Millisecond
	}
	if cfg.StallTimeout == 0 {
		cfg.StallTimeout = time.Second
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hook.mu.Lock()
	hook.srv = srv
	hook.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	// Wait until Run has set up.
	for deadline := time.Now().Add(5 * time.Second); ; {
		srv.mu.Lock()
		ready := srv.runCtx != nil
		srv.mu.Unlock()
		if ready {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server did not start")
		}
		time.Sleep(time.Millisecond)
	}
	n := &testNode{t: t, ch: ch, pool: pool, srv: srv}
	var once sync.Once
	n.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
			ch.Close()
		})
	}
	t.Cleanup(n.stop)
	return n
}

// link connects a (outbound) to b (inbound) over an in-memory pipe.
func link(t testing.TB, a, b *testNode) {
	t.Helper()
	c1, c2 := net.Pipe()
	if !b.srv.AddConn(c2, true, false) || !a.srv.AddConn(c1, false, false) {
		t.Fatal("AddConn refused")
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// scripted is the far end of a pipe to a server, driven by the test.
type scripted struct {
	t    testing.TB
	conn net.Conn
}

// dialScripted connects a scripted peer to n as an inbound peer.
func dialScripted(t testing.TB, n *testNode) *scripted {
	t.Helper()
	c1, c2 := net.Pipe()
	if !n.srv.AddConn(c2, true, false) {
		t.Fatal("AddConn refused")
	}
	t.Cleanup(func() { c1.Close() })
	return &scripted{t: t, conn: c1}
}

func (s *scripted) send(m message.Message) error {
	s.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return message.WriteMessage(s.conn, consensus.RegTestParams.Magic, m.Command(), m.Encode())
}

// recv reads messages until one of command cmd arrives (others are
// skipped) and returns it.
func (s *scripted) recv(cmd string) (message.Message, error) {
	for {
		s.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		c, payload, err := message.ReadMessage(s.conn, consensus.RegTestParams.Magic, nil)
		if err != nil {
			return nil, err
		}
		if c == cmd {
			return message.DecodeMessage(c, payload)
		}
	}
}

// untilPong sends a ping and passes every message received before its
// pong to check: the node handles a peer's messages in order, so what it
// sends because of earlier ones arrives before the pong.
func (s *scripted) untilPong(check func(message.Message)) {
	s.t.Helper()
	if err := s.send(&message.Ping{Nonce: 0x5eed}); err != nil {
		s.t.Fatal(err)
	}
	for {
		s.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		cmd, payload, err := message.ReadMessage(s.conn, consensus.RegTestParams.Magic, nil)
		if err != nil {
			s.t.Fatal(err)
		}
		m, err := message.DecodeMessage(cmd, payload)
		if err != nil {
			s.t.Fatalf("%s from the node: %v", cmd, err)
		}
		if pong, ok := m.(*message.Pong); ok && pong.Nonce == 0x5eed {
			return
		}
		check(m)
	}
}

// handshake performs the version/verack exchange as an inbound-connecting
// peer.
func (s *scripted) handshake(version int32) { s.handshakeAt(version, 0) }

// handshakeAt is handshake announcing a chain of the given height.
func (s *scripted) handshakeAt(version, height int32) {
	s.t.Helper()
	if err := s.send(&message.Version{ProtocolVersion: version, Services: message.ServiceNodeNetwork, Nonce: 42,
		UserAgent: "/test/", Relay: true, StartHeight: height}); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.recv(message.CmdVersion); err != nil {
		s.t.Fatal(err)
	}
	if err := s.send(&message.VerAck{}); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.recv(message.CmdVerAck); err != nil {
		s.t.Fatal(err)
	}
}
