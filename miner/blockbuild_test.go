package miner

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// regtestChain opens a regtest chain in a temporary directory with the
// clock now (nil: the system's), closed when the test ends.
func regtestChain(t *testing.T, now func() time.Time) *chain.Chain {
	t.Helper()
	c, err := chain.Open(t.Context(), chain.Config{Dir: t.TempDir(), Params: consensus.RegTestParams,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestBuildSolveAndConnect(t *testing.T) {
	now := time.Unix(consensus.GenesisTime+1e6, 0)
	c := regtestChain(t, func() time.Time { return now })
	opTrue := []byte{script.OP_TRUE}
	var first *wire.Block
	for i := 0; i < 101; i++ {
		b, err := BuildBlock(c, opTrue, nil, uint64(i), now)
		if err != nil {
			t.Fatal(err)
		}
		if !Solve(&b.Header, 1<<20) {
			t.Fatal("regtest block not solved")
		}
		if _, err := c.ProcessBlock(b); err != nil {
			t.Fatalf("block %d: %v", i+1, err)
		}
		if first == nil {
			first = b
		}
	}
	// A block with a transaction pays its fee to the coinbase.
	cb := first.Transactions[0]
	spend := &wire.Tx{Version: 1, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()}, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: cb.TxOut[0].Value - 12345, PkScript: opTrue}}}
	child := &wire.Tx{Version: 1, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: spend.TxHash()}, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: spend.TxOut[0].Value - 5, PkScript: opTrue}}}
	b, err := BuildBlock(c, opTrue, []*wire.Tx{spend, child}, 0, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.Transactions[0].TxOut[0].Value, consensus.CalcBlockSubsidy(102, consensus.RegTestParams)+12350; got != want {
		t.Fatalf("coinbase pays %d, want %d", got, want)
	}
	if b.Header.Timestamp <= c.Best().MedianTime {
		t.Fatal("block time not above the median time past")
	}
	Solve(&b.Header, 1<<20)
	if res, err := c.ProcessBlock(b); err != nil || !res.MainChain {
		t.Fatalf("block with transactions: %+v %v", res, err)
	}
	if _, err := BuildBlock(c, opTrue, []*wire.Tx{spend}, 0, now); !errors.Is(err, ErrMissingInput) {
		t.Fatalf("spent input: %v", err)
	}
}

func TestSolveGivesUp(t *testing.T) {
	h := wire.BlockHeader{Version: 4, Bits: 0x1d00ffff} // a real target: not found in 100 tries
	if Solve(&h, 100) {
		t.Fatal("solved a difficulty-1 header in 100 tries")
	}
}

// TestSolveContext checks the accounting of tries, the roll of the time
// when the nonces run out, the stop on a cancelled context, and that a
// solution is the lowest nonce meeting the target from where it started.
func TestSolveContext(t *testing.T) {
	hard := wire.BlockHeader{Version: 4, Bits: 0x1d00ffff, Timestamp: 1000, Nonce: math.MaxUint32 - 9}
	tries := uint64(25)
	if found, err := SolveContext(context.Background(), &hard, &tries); found || err != nil || tries != 0 {
		t.Fatalf("hard header: found %v err %v, %d tries left", found, err, tries)
	}
	if hard.Timestamp != 1001 || hard.Nonce != 15 {
		t.Fatalf("after 10 nonces to the end and 15 more: time %d nonce %d, want 1001 15", hard.Timestamp, hard.Nonce)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tries = 1 << 40
	if found, err := SolveContext(ctx, &hard, &tries); found || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: found %v err %v", found, err)
	}

	easy := wire.BlockHeader{Version: 4, Bits: consensus.RegTestParams.PowLimitBits, Nonce: 7}
	target, _, _ := consensus.CompactToBig(easy.Bits)
	want := easy
	for consensus.HashToBig(want.BlockHash()).Cmp(target) > 0 {
		want.Nonce++
	}
	tries = 1000
	if found, err := SolveContext(context.Background(), &easy, &tries); !found || err != nil || easy != want {
		t.Fatalf("easy header: found %v err %v, nonce %d, want nonce %d", found, err, easy.Nonce, want.Nonce)
	}
	if used := 1000 - tries; used != uint64(want.Nonce-7)+1 {
		t.Errorf("%d tries used for a solution %d nonces on", used, want.Nonce-7)
	}
}
