package mempool

import (
	"fmt"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
)

const signal = 0xfffffffd

func TestReplacement(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, h *harness)
	}{
		{"higher fee replaces a signalling tx", func(t *testing.T, h *harness) {
			c := h.coin()
			a := h.spend([]utxo{c}, txOpts{fee: 1000, sequence: signal})
			h.accept(a)
			if !h.pool.Get(a.TxHash()).BIP125Replaceable {
				t.Fatal("not replaceable")
			}
			child := h.spend([]utxo{out(a, 0)}, txOpts{fee: 1000})
			h.accept(child)
			b := h.spend([]utxo{c}, txOpts{fee: 3000})
			res := h.accept(b)
			if len(res.Replaced) != 2 || h.pool.Has(a.TxHash()) || h.pool.Has(child.TxHash()) {
				t.Fatalf("replaced %d", len(res.Replaced))
			}
		}},
		{"non-signalling tx is not replaced", func(t *testing.T, h *harness) {
			c := h.coin()
			h.accept(h.spend([]utxo{c}, txOpts{fee: 1000}))
			_, err := h.pool.Accept(h.spend([]utxo{c}, txOpts{fee: 50_000}), AcceptOptions{})
			wantReject(t, err, "txn-mempool-conflict")
		}},
		{"inherited signalling", func(t *testing.T, h *harness) {
			p := h.spend([]utxo{h.coin()}, txOpts{fee: 1000, sequence: signal, nOuts: 2})
			h.accept(p)
			c := h.spend([]utxo{out(p, 0)}, txOpts{fee: 1000})
			h.accept(c)
			if !h.pool.Get(c.TxHash()).BIP125Replaceable {
				t.Fatal("child of a signalling parent not replaceable")
			}
			h.accept(h.spend([]utxo{out(p, 0)}, txOpts{fee: 5000}))
			if h.pool.Has(c.TxHash()) {
				t.Fatal("child not replaced")
			}
		}},
		{"new feerate not higher", func(t *testing.T, h *harness) {
			c := h.coin()
			a := h.spend([]utxo{c}, txOpts{fee: 1000, sequence: signal})
			h.accept(a)
			b := h.spend([]utxo{c}, txOpts{fee: 900, sequence: signal, version: 2})
			_, err := h.pool.Accept(b, AcceptOptions{})
			rate := feeRate(1000, int64(a.SerializeSize()))
			brate := feeRate(900, int64(b.SerializeSize()))
			wantReject(t, err, fmt.Sprintf("insufficient fee, rejecting replacement %s; new feerate %s <= old feerate %s",
				b.TxHash(), formatFeeRate(brate), formatFeeRate(rate)))
		}},
		{"less fees than conflicting txs", func(t *testing.T, h *harness) {
			c := h.coin()
			a := h.spend([]utxo{c}, txOpts{fee: 1000, sequence: signal})
			h.accept(a)
			h.accept(h.spend([]utxo{out(a, 0)}, txOpts{fee: 20_000}))
			b := h.spend([]utxo{c}, txOpts{fee: 5000})
			_, err := h.pool.Accept(b, AcceptOptions{})
			wantReject(t, err, fmt.Sprintf("insufficient fee, rejecting replacement %s, less fees than conflicting txs; 0.00005 < 0.00021", b.TxHash()))
		}},
		{"not enough additional fees", func(t *testing.T, h *harness) {
			c := h.coin()
			h.accept(h.spend([]utxo{c}, txOpts{fee: 1000, sequence: signal}))
			b := h.spend([]utxo{c}, txOpts{fee: 1100})
			_, err := h.pool.Accept(b, AcceptOptions{})
			wantReject(t, err, fmt.Sprintf("insufficient fee, rejecting replacement %s, not enough additional fees to relay; 0.000001 < 0.0000019", b.TxHash()))
		}},
		{"too many potential replacements", func(t *testing.T, h *harness) {
			var ins []utxo
			for i := 0; i < 101; i++ {
				c := h.coin()
				h.accept(h.spend([]utxo{c}, txOpts{fee: 1000, sequence: signal}))
				ins = append(ins, c)
			}
			b := h.spend(ins, txOpts{fee: 1_000_000})
			_, err := h.pool.Accept(b, AcceptOptions{})
			wantReject(t, err, fmt.Sprintf("too many potential replacements, rejecting replacement %s; too many potential replacements (101 > 100)", b.TxHash()))
		}},
		{"replacement adds unconfirmed input", func(t *testing.T, h *harness) {
			c := h.coin()
			h.accept(h.spend([]utxo{c}, txOpts{fee: 1000, sequence: signal}))
			u := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
			h.accept(u)
			b := h.spend([]utxo{c, out(u, 0)}, txOpts{fee: 50_000})
			_, err := h.pool.Accept(b, AcceptOptions{})
			wantReject(t, err, fmt.Sprintf("replacement-adds-unconfirmed, replacement %s adds unconfirmed input, idx 1", b.TxHash()))
		}},
		{"spends conflicting tx", func(t *testing.T, h *harness) {
			c := h.coin()
			a := h.spend([]utxo{c}, txOpts{fee: 1000, sequence: signal, nOuts: 2})
			h.accept(a)
			b := h.spend([]utxo{c, out(a, 0)}, txOpts{fee: 50_000})
			_, err := h.pool.Accept(b, AcceptOptions{})
			wantReject(t, err, fmt.Sprintf("bad-txns-spends-conflicting-tx, %s spends conflicting transaction %s", b.TxHash(), a.TxHash()))
		}},
	}
	h := newHarness(t, 160, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, h) })
	}
}

func TestFullRBF(t *testing.T) {
	h := newHarness(t, 5, func(c *Config) { c.FullRBF = true })
	c := h.coin()
	a := h.spend([]utxo{c}, txOpts{fee: 1000})
	h.accept(a)
	if !h.pool.Get(a.TxHash()).BIP125Replaceable || !h.pool.Info().FullRBF {
		t.Fatal("full RBF not reported")
	}
	h.accept(h.spend([]utxo{c}, txOpts{fee: 3000}))
	if h.pool.Has(a.TxHash()) {
		t.Fatal("not replaced")
	}
}

func TestPrioritise(t *testing.T) {
	h := newHarness(t, 5, nil)
	a := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
	// Remembered before the transaction arrives.
	h.pool.Prioritise(a.TxHash(), 5000)
	h.accept(a)
	child := h.spend([]utxo{out(a, 0)}, txOpts{fee: 1000})
	h.accept(child)
	e := h.pool.Get(a.TxHash())
	if e.Fee != 1000 || e.ModifiedFee != 6000 || e.DescendantFees != 7000 {
		t.Fatalf("entry %+v", e)
	}
	h.pool.Prioritise(a.TxHash(), -6000)
	if c := h.pool.Get(child.TxHash()); c.AncestorFees != 1000 {
		t.Fatalf("child ancestor fees %d", c.AncestorFees)
	}
	if d := h.pool.FeeDeltas()[a.TxHash()]; d != -1000 {
		t.Fatalf("delta %d", d)
	}
	// A zero-fee transaction prioritised above the relay fee is accepted.
	z := h.spend([]utxo{h.coin()}, txOpts{fee: 0})
	h.pool.Prioritise(z.TxHash(), 10_000)
	h.accept(z)
}

func TestMiningOrder(t *testing.T) {
	h := newHarness(t, 10, nil)
	low := h.spend([]utxo{h.coin()}, txOpts{fee: 500})
	h.accept(low)
	cpfp := h.spend([]utxo{out(low, 0)}, txOpts{fee: 50_000}) // pays for its parent
	h.accept(cpfp)
	mid := h.spend([]utxo{h.coin()}, txOpts{fee: 10_000})
	h.accept(mid)
	lowest := h.spend([]utxo{h.coin()}, txOpts{fee: 300})
	h.accept(lowest)
	order := h.pool.MiningOrder()
	var got []wire.Hash
	for _, m := range order {
		got = append(got, m.TxID)
	}
	want := []wire.Hash{low.TxHash(), cpfp.TxHash(), mid.TxHash(), lowest.TxHash()}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	if len(order[1].Depends) != 1 || order[1].Depends[0] != low.TxHash() {
		t.Fatal("depends")
	}
	// The order makes a valid block.
	var txs []*wire.Tx
	for _, m := range order {
		txs = append(txs, m.Tx)
	}
	h.mine(txs...)
	if h.pool.Info().Size != 0 {
		t.Fatal("pool not emptied by the block")
	}
}
