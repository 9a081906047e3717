package mempool

import (
	"testing"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/miner"
)

// branchChain lets miner.BuildBlock build on a block other than the tip,
// seeing extra coins (those the main chain already spent).
type branchChain struct {
	*chain.Chain
	best  chain.BestState
	coins map[wire.OutPoint]*chain.Coin
}

func (b branchChain) Best() chain.BestState { return b.best }
func (b branchChain) Coin(op wire.OutPoint) (*chain.Coin, error) {
	if c, ok := b.coins[op]; ok {
		return c, nil
	}
	return b.Chain.Coin(op)
}

// mineOn builds and processes a block on parent (which need not be the tip).
func (h *harness) mineOn(parent wire.Hash, coins map[wire.OutPoint]*chain.Coin, txs ...*wire.Tx) *wire.Block {
	h.t.Helper()
	info, err := h.chain.BlockInfo(parent)
	if err != nil {
		h.t.Fatal(err)
	}
	best := chain.BestState{Hash: parent, Height: info.Height, Bits: info.Header.Bits, Time: info.Header.Timestamp, MedianTime: info.MedianTime}
	h.extra++
	b, err := miner.BuildBlock(branchChain{h.chain, best, coins}, h.pkScript, txs, h.extra+1000, h.clock.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	if !miner.Solve(&b.Header, 1<<24) {
		h.t.Fatal("not solved")
	}
	if _, err := h.chain.ProcessBlock(b); err != nil {
		h.t.Fatal(err)
	}
	return b
}

func TestReorgReturnsTransactions(t *testing.T) {
	h := newHarness(t, 10, nil)
	parent := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
	child := h.spend([]utxo{out(parent, 0)}, txOpts{fee: 2000})
	h.accept(parent)
	h.accept(child)
	b := h.mine(parent)
	if h.pool.Has(parent.TxHash()) || !h.pool.Has(child.TxHash()) {
		t.Fatal("block connection: parent should leave, child stay")
	}
	if e := h.pool.Get(child.TxHash()); len(e.Depends) != 0 || e.AncestorCount != 1 {
		t.Fatalf("child after block %+v", e)
	}
	if err := h.chain.InvalidateBlock(b.BlockHash()); err != nil {
		t.Fatal(err)
	}
	p := h.pool.Get(parent.TxHash())
	c := h.pool.Get(child.TxHash())
	if p == nil || c == nil {
		t.Fatal("transactions not back in the pool")
	}
	if len(c.Depends) != 1 || c.Depends[0] != parent.TxHash() || c.AncestorCount != 2 ||
		p.DescendantCount != 2 || p.DescendantFees != 3000 || len(p.SpentBy) != 1 {
		t.Fatalf("links after reorg: parent %+v child %+v", p, c)
	}
	// The returned transactions can be mined again.
	h.mine(parent, child)
	if h.pool.Info().Size != 0 {
		t.Fatal("pool not emptied")
	}
}

func TestReorgConflictsOut(t *testing.T) {
	h := newHarness(t, 10, nil)
	c := h.coin()
	fork := h.chain.Best()
	tx := h.spend([]utxo{c}, txOpts{fee: 1000})
	txChild := h.spend([]utxo{out(tx, 0)}, txOpts{fee: 1000})
	other := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
	h.accept(tx)
	h.accept(txChild)
	h.accept(other)
	h.mine(tx, other)
	if h.pool.Info().Size != 1 {
		t.Fatal("only the child should remain")
	}
	// A competing branch double-spends tx's input and becomes longer.
	double := h.spend([]utxo{c}, txOpts{fee: 5000, version: 2})
	coins := map[wire.OutPoint]*chain.Coin{c.op: {Value: c.value, PkScript: c.pkScript, Height: fork.Height}}
	b1 := h.mineOn(fork.Hash, coins, double)
	h.mineOn(b1.BlockHash(), nil)
	if h.chain.Best().Height != fork.Height+2 {
		t.Fatal("no reorganisation")
	}
	if h.pool.Has(tx.TxHash()) || h.pool.Has(txChild.TxHash()) || h.pool.Has(double.TxHash()) {
		t.Fatal("conflicted transactions (or the confirmed double spend) in the pool")
	}
	if !h.pool.Has(other.TxHash()) || h.pool.Info().Size != 1 {
		t.Fatal("the unconflicted transaction did not return")
	}
}

func TestReorgCoinbaseMaturity(t *testing.T) {
	h := newHarness(t, 10, nil)
	cb := h.coinbases[2] // height 3: spendable in block 103, not 102
	spend := h.spend([]utxo{{op: wire.OutPoint{Hash: cb.TxHash()}, value: cb.TxOut[0].Value, pkScript: h.pkScript}}, txOpts{fee: 1000})
	h.accept(spend)
	if err := h.chain.InvalidateBlock(h.chain.Best().Hash); err != nil {
		t.Fatal(err)
	}
	if h.pool.Has(spend.TxHash()) {
		t.Fatal("immature coinbase spend kept after the reorganisation")
	}
	// The fan-out transaction of the disconnected block pays to a
	// non-standard OP_TRUE output, so it is not re-added either.
	if h.pool.Info().Size != 0 {
		t.Fatalf("pool holds %d", h.pool.Info().Size)
	}
}
