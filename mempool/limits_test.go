package mempool

import (
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/wire"
)

func TestEvictionAndRollingMinFee(t *testing.T) {
	// Size the budget for five typical one-in one-out transactions.
	var h *harness
	h = newHarness(t, 60, func(c *Config) {})
	u := entryUsage(h.spend([]utxo{h.coins[0]}, txOpts{fee: 1000}))
	h.pool.cfg.MaxBytes = 5*u + u/2

	rate := func(perByte int64) txOpts { return txOpts{fee: perByte * 192} }
	var kept []*wire.Tx
	for i := 0; i < 5; i++ {
		tx := h.spend([]utxo{h.coin()}, rate(10))
		h.accept(tx)
		kept = append(kept, tx)
	}
	if info := h.pool.Info(); info.Size != 5 || info.MempoolMinFee != DefaultMinRelayFee {
		t.Fatalf("info %+v", info)
	}
	// The sixth, paying the least, is itself evicted.
	_, err := h.pool.Accept(h.spend([]utxo{h.coin()}, rate(2)), AcceptOptions{})
	wantReject(t, err, "mempool full")
	info := h.pool.Info()
	if info.Size != 5 || info.Usage > info.MaxMempool {
		t.Fatalf("info %+v", info)
	}
	// The minimum fee rose to the evicted rate plus the increment.
	if info.MempoolMinFee < 2*1000+DefaultIncrementalRelayFee-50 {
		t.Fatalf("min fee %d", info.MempoolMinFee)
	}
	_, err = h.pool.Accept(h.spend([]utxo{h.coin()}, rate(2)), AcceptOptions{})
	wantReject(t, err, "mempool min fee not met")

	// A flood of better-paying transactions evicts the worst packages; the
	// budget holds and the minimum keeps rising.
	prevMin := info.MempoolMinFee
	for i := 0; i < 30; i++ {
		_, err := h.pool.Accept(h.spend([]utxo{h.coin()}, rate(int64(11+i))), AcceptOptions{})
		if err != nil {
			t.Fatalf("flood %d: %v", i, err)
		}
		info := h.pool.Info()
		if info.Usage > info.MaxMempool {
			t.Fatalf("over budget: %+v", info)
		}
		if info.MempoolMinFee < prevMin {
			t.Fatalf("min fee fell without a block: %d < %d", info.MempoolMinFee, prevMin)
		}
		prevMin = info.MempoolMinFee
	}
	for _, tx := range kept {
		if h.pool.Has(tx.TxHash()) {
			t.Fatal("a low-fee transaction survived the flood")
		}
	}
	if prevMin < 30*1000 {
		t.Fatalf("min fee only %d after the flood", prevMin)
	}
	// No decay without a block; after a block it halves every half-life
	// (quartered when the pool is nearly empty).
	h.clock.Add(time.Hour)
	if got := h.pool.Info().MempoolMinFee; got != prevMin {
		t.Fatalf("decayed without a block: %d", got)
	}
	h.mine(h.pool.Entries()[0].Tx) // pool still over half full
	h.clock.Add(RollingFeeHalfLife - time.Hour)
	got := h.pool.Info().MempoolMinFee
	if got > prevMin*6/10 || got < prevMin*4/10 {
		t.Fatalf("after one half-life %d, from %d", got, prevMin)
	}
	h.clock.Add(30 * 24 * time.Hour)
	if got := h.pool.Info().MempoolMinFee; got != DefaultMinRelayFee {
		t.Fatalf("after a month %d", got)
	}
}

func TestEvictionTakesDescendants(t *testing.T) {
	h := newHarness(t, 20, nil)
	u := entryUsage(h.spend([]utxo{h.coins[0]}, txOpts{fee: 1000}))
	h.pool.cfg.MaxBytes = 4*u + u/2
	parent := h.spend([]utxo{h.coin()}, txOpts{fee: 400})
	h.accept(parent)
	child := h.spend([]utxo{out(parent, 0)}, txOpts{fee: 600})
	h.accept(child)
	h.accept(h.spend([]utxo{h.coin()}, txOpts{fee: 5000}))
	h.accept(h.spend([]utxo{h.coin()}, txOpts{fee: 5000}))
	h.accept(h.spend([]utxo{h.coin()}, txOpts{fee: 5000}))
	if h.pool.Has(parent.TxHash()) || h.pool.Has(child.TxHash()) {
		t.Fatal("low-fee package not evicted whole")
	}
	if n := h.pool.Info().Size; n != 3 {
		t.Fatalf("size %d", n)
	}
}

func TestExpiry(t *testing.T) {
	h := newHarness(t, 10, nil)
	old := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
	h.accept(old)
	child := h.spend([]utxo{out(old, 0)}, txOpts{fee: 1000})
	h.clock.Add(DefaultExpiry / 2)
	h.accept(child)
	h.clock.Add(DefaultExpiry/2 + time.Second)
	h.accept(h.spend([]utxo{h.coin()}, txOpts{fee: 1000}))
	if h.pool.Has(old.TxHash()) || h.pool.Has(child.TxHash()) {
		t.Fatal("expired entry (or its descendant) kept")
	}
	if n := h.pool.Info().Size; n != 1 {
		t.Fatalf("size %d", n)
	}
}
