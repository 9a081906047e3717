package local

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/testutil"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/miner"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// opTrueP2SH returns the P2SH script of the redeem script OP_TRUE, and the
// signature script spending it.
func opTrueP2SH(t testing.TB) (pkScript, sigScript []byte) {
	t.Helper()
	redeem := []byte{script.OP_TRUE}
	pk, err := script.PayToScriptHashScript(script.Hash160(redeem))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := script.NewBuilder().AddData(redeem).Script()
	if err != nil {
		t.Fatal(err)
	}
	return pk, sig
}

// TestRunMinesPoolTransactions mines on a regtest chain whose pool holds a
// transaction: at least three blocks paying the address, one of them with
// the transaction, then a prompt stop when the context is cancelled.
func TestRunMinesPoolTransactions(t *testing.T) {
	c, err := chain.Open(t.Context(), chain.Config{Dir: t.TempDir(), Params: consensus.RegTestParams, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fund, sig := opTrueP2SH(t)
	var first *wire.Block
	for i := range 101 {
		b, err := miner.BuildBlock(c, fund, nil, uint64(i), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !miner.Solve(&b.Header, 1<<20) {
			t.Fatal("regtest block not solved")
		}
		if _, err := c.ProcessBlock(b); err != nil {
			t.Fatalf("block %d: %v", i+1, err)
		}
		if first == nil {
			first = b
		}
	}
	pool := mempool.New(c, mempool.Config{Logger: quiet})
	c.Subscribe(func(n chain.Notification) {
		if err := pool.HandleNotification(n); err != nil {
			t.Errorf("pool: %v", err)
		}
	})
	cb := first.Transactions[0]
	spend := &wire.Tx{Version: 2,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()}, SignatureScript: sig,
			Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: cb.TxOut[0].Value - 10_000, PkScript: fund}}}
	if _, err := pool.Accept(spend, mempool.AcceptOptions{}); err != nil {
		t.Fatalf("pool refuses the spend: %v", err)
	}

	payTo, _ := script.PayToPubKeyHashScript(bytes.Repeat([]byte{7}, 20))
	var logs testutil.SyncBuffer
	m, err := New(Config{Chain: c, Pool: pool, PayTo: payTo, Threads: 2,
		Logger:           slog.New(slog.NewTextHandler(&logs, nil)).With("subsystem", "miner"),
		HashRateInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- m.Run(ctx) }()
	for len(m.Found()) < 3 {
		if time.Since(start) > 10*time.Second {
			cancel()
			t.Fatalf("%d blocks found in 10 s; log:\n%s", len(m.Found()), logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // one hash-rate line at least
	cancel()
	stopAsked := time.Now()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run still running 2 s after cancellation")
	}
	t.Logf("found %d blocks in %v; stopped in %v", len(m.Found()), stopAsked.Sub(start), time.Since(stopAsked))

	found := m.Found()
	var mined []wire.Hash
	for _, h := range found {
		b, err := c.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Transactions[0].TxOut[0].PkScript, payTo) {
			t.Errorf("block %s pays %x, want %x", h, b.Transactions[0].TxOut[0].PkScript, payTo)
		}
		mined = append(mined, b.TxHashes()[1:]...)
	}
	if !slices.Contains(mined, spend.TxHash()) {
		t.Errorf("pool transaction %s not mined", spend.TxHash())
	}
	if n := pool.Info().Size; n != 0 {
		t.Errorf("pool holds %d transactions after mining", n)
	}
	if got := c.Best().Height; got < 104 {
		t.Errorf("height %d, want ≥ 104", got)
	}
	out := logs.String()
	for _, want := range []string{"msg=\"block found\" subsystem=miner height=102 ", "msg=\"hash rate\"", "msg=\"mining stopped\""} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// TestNewNeedsChainAndPayee checks New's refusals.
func TestNewNeedsChainAndPayee(t *testing.T) {
	if _, err := New(Config{PayTo: []byte{script.OP_TRUE}}); err == nil {
		t.Error("New without a chain")
	}
	c, err := chain.Open(t.Context(), chain.Config{Dir: t.TempDir(), Params: consensus.RegTestParams, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := New(Config{Chain: c}); err == nil {
		t.Error("New without a payout script")
	}
}
