package mempool

import (
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/wire"
)

func TestOrphansResolved(t *testing.T) {
	h := newHarness(t, 10, nil)
	parent := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
	child := h.spend([]utxo{out(parent, 0)}, txOpts{fee: 1000})
	grandchild := h.spend([]utxo{out(child, 0)}, txOpts{fee: 1000})
	for _, tx := range []*wire.Tx{grandchild, child} {
		_, err := h.pool.Accept(tx, AcceptOptions{AllowOrphan: true, Peer: 7})
		if re := wantReject(t, err, "bad-txns-inputs-missingorspent"); !re.Orphan {
			t.Fatal("not flagged orphan")
		}
	}
	if h.pool.OrphanCount() != 2 || !h.pool.HaveOrphan(child.TxHash()) {
		t.Fatal("orphans not kept")
	}
	res := h.accept(parent)
	if len(res.Orphans) != 2 || res.Orphans[0] != child || res.Orphans[1] != grandchild {
		t.Fatalf("resolved %d orphans", len(res.Orphans))
	}
	if h.pool.OrphanCount() != 0 || !h.pool.Has(grandchild.TxHash()) {
		t.Fatal("orphans not accepted")
	}
}

func TestOrphanBoundsAndPeers(t *testing.T) {
	h := newHarness(t, 10, nil)
	missing := func(i int) *wire.Tx {
		return h.spend([]utxo{{op: wire.OutPoint{Hash: wire.Hash{byte(i), byte(i >> 8), 1}}, value: 1e6, pkScript: h.pkScript}}, txOpts{fee: 1000})
	}
	for i := 0; i < 10; i++ {
		if !h.pool.AddOrphan(missing(i), PeerID(1+i%2)) {
			t.Fatal("not added")
		}
	}
	if n := h.pool.RemoveOrphansForPeer(1); n != 5 || h.pool.OrphanCount() != 5 {
		t.Fatalf("removed %d, left %d", n, h.pool.OrphanCount())
	}
	for i := 10; i < 200; i++ {
		h.pool.AddOrphan(missing(i), 3)
	}
	if n := h.pool.OrphanCount(); n != DefaultMaxOrphans {
		t.Fatalf("%d orphans", n)
	}
	// Too large.
	big := h.spend([]utxo{{op: wire.OutPoint{Hash: wire.Hash{9, 9}}, value: 1e9, pkScript: h.pkScript}}, txOpts{fee: 1000, nOuts: 3000})
	if h.pool.AddOrphan(big, 3) {
		t.Fatal("oversized orphan added")
	}
	// Expiry.
	h.clock.Add(DefaultOrphanExpiry + time.Second)
	h.pool.AddOrphan(missing(1000), 4)
	if n := h.pool.OrphanCount(); n != 1 {
		t.Fatalf("%d orphans after expiry", n)
	}
	if h.pool.Info().Orphans != 1 {
		t.Fatal("info")
	}
}

func TestOrphanRemovedByBlock(t *testing.T) {
	h := newHarness(t, 10, nil)
	c := h.coin()
	parent := h.spend([]utxo{c}, txOpts{fee: 1000})
	child := h.spend([]utxo{out(parent, 0)}, txOpts{fee: 1000})
	h.pool.AddOrphan(child, 1)
	// A block spending the parent's input makes the orphan's parent
	// impossible; one including the orphan removes it too.
	h.mine(parent, child)
	if h.pool.OrphanCount() != 0 {
		t.Fatal("orphan included in a block kept")
	}
}
