package miner

import (
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

func TestBuildSolveAndConnect(t *testing.T) {
	now := time.Unix(consensus.GenesisTime+1e6, 0)
	c, err := chain.Open(t.Context(), chain.Config{Dir: t.TempDir(), Params: consensus.RegTestParams,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
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
