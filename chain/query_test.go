package chain

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

func TestDifficulty(t *testing.T) {
	tests := []struct {
		bits uint32
		want float64
	}{
		{0x1d00ffff, 1},
		{0x1b0404cb, 16307.420938523983},
		{0x207fffff, 4.6565423739069247e-10},
		{0x1e00ffff, 1.0 / 256},
		{0x1d000000, 0},
	}
	for _, tc := range tests {
		if got := Difficulty(tc.bits); math.Abs(got-tc.want) > tc.want*1e-12 {
			t.Errorf("Difficulty(%08x) = %v, want %v", tc.bits, got, tc.want)
		}
	}
}

type recordingObserver struct {
	validated int
	rejected  []string
	reorgs    []int
}

func (o *recordingObserver) BlockValidated(time.Duration) { o.validated++ }
func (o *recordingObserver) BlockRejected(r string)       { o.rejected = append(o.rejected, r) }
func (o *recordingObserver) Reorganized(depth int)        { o.reorgs = append(o.reorgs, depth) }

func TestQueriesAndObserver(t *testing.T) {
	obs := &recordingObserver{}
	c, err := Open(t.Context(), Config{Dir: t.TempDir(), Params: consensus.RegTestParams, Logger: quietLog, Observer: obs,
		Now: func() time.Time { return time.Unix(consensus.GenesisTime+1e6, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	main, tip := extend(t, c, genesisInfo(), 4, 0)
	fork := blockInfo{hash: main[1].BlockHash(), height: 2, time: main[1].Header.Timestamp}
	side, _ := makeBlock(t, fork, 7) // a valid fork of one block at height 3
	mustProcess(t, c, side)
	bad, _ := makeBlock(t, fork, 8)
	bad.Header.Version = 3
	consensus.SolveHeader(&bad.Header, consensus.RegTestParams.PowLimit)
	if _, err := c.ProcessBlock(bad); !isKind(err, consensus.ErrBadVersion) {
		t.Fatalf("bad version: %v", err)
	}
	headerOnly, _ := makeBlock(t, tip, 9)
	if err := c.ProcessHeaders([]wire.BlockHeader{headerOnly.Header}); err != nil {
		t.Fatal(err)
	}

	info, err := c.BlockInfo(main[1].BlockHash())
	if err != nil {
		t.Fatal(err)
	}
	if info.Height != 2 || info.Confirmations != 3 || info.Next == nil || *info.Next != main[2].BlockHash() ||
		*info.Previous != main[0].BlockHash() || !info.HaveData || info.Invalid {
		t.Fatalf("main-chain block info %+v", info)
	}
	if si, _ := c.BlockInfo(side.BlockHash()); si.Confirmations != -1 || si.Next != nil {
		t.Fatalf("side block info %+v", si)
	}
	if _, err := c.BlockInfo(wire.Hash{1}); !errors.Is(err, ErrBlockNotFound) {
		t.Fatalf("unknown block: %v", err)
	}
	if h, err := c.BlockHashAt(4); err != nil || h != tip.hash {
		t.Fatalf("BlockHashAt(4) = %s %v", h, err)
	}
	if _, err := c.BlockHashAt(5); !errors.Is(err, ErrBlockNotFound) {
		t.Fatalf("BlockHashAt beyond tip: %v", err)
	}
	if _, err := c.Block(headerOnly.BlockHash()); !errors.Is(err, ErrBlockNotFound) {
		t.Fatalf("header-only block: %v", err)
	}
	if b, err := c.Block(main[3].BlockHash()); err != nil || b.BlockHash() != main[3].BlockHash() {
		t.Fatalf("Block: %v", err)
	}
	op := wire.OutPoint{Hash: main[0].Transactions[0].TxHash()}
	if coin, err := c.Coin(op); err != nil || coin == nil || coin.Height != 1 || !coin.Coinbase {
		t.Fatalf("Coin: %+v %v", coin, err)
	}
	if coin, err := c.Coin(wire.OutPoint{Hash: wire.Hash{3}}); err != nil || coin != nil {
		t.Fatalf("unknown coin: %+v %v", coin, err)
	}

	statuses := map[wire.Hash]ChainTip{}
	for _, tip := range c.ChainTips() {
		statuses[tip.Hash] = tip
	}
	want := map[wire.Hash]ChainTip{
		headerOnly.BlockHash(): {Height: 5, BranchLen: 1, Status: TipHeadersOnly},
		side.BlockHash():       {Height: 3, BranchLen: 1, Status: TipValidHeaders},
	}
	if len(statuses) != 3 || statuses[tip.hash].Status != TipActive {
		t.Fatalf("tips %+v", statuses)
	}
	for h, w := range want {
		got := statuses[h]
		if got.Height != w.Height || got.BranchLen != w.BranchLen || got.Status != w.Status {
			t.Errorf("tip %s: %+v, want %+v", h, got, w)
		}
	}
	// Two more blocks on the side branch overtake the main chain's
	// blocks 3 and 4 (and the header-only 5).
	sideInfo := blockInfo{hash: side.BlockHash(), height: 3, time: side.Header.Timestamp}
	extend(t, c, sideInfo, 3, 7)
	if obs.validated != 8 || len(obs.rejected) != 1 || obs.rejected[0] != "bad-version" ||
		len(obs.reorgs) != 1 || obs.reorgs[0] != 2 {
		t.Fatalf("observer: %+v", obs)
	}
	if c.SizeOnDisk() <= 0 {
		t.Error("SizeOnDisk is zero")
	}
}
