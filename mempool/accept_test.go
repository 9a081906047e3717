package mempool

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

func p2pkhOut(h *harness, v int64) *wire.TxOut { return &wire.TxOut{Value: v, PkScript: h.pkScript} }

func nullData(t testing.TB, n int) []byte {
	s, err := script.NullDataScript(bytes.Repeat([]byte{1}, n))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAcceptRejections(t *testing.T) {
	h := newHarness(t, 40, nil)
	tip := h.chain.Best().Height
	multisig := func(n int) []byte {
		var keys [][]byte
		for i := 0; i < n; i++ {
			k, _ := btcec.PrivKeyFromBytes([]byte{byte(i + 1), 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32})
			keys = append(keys, k.PubKey().SerializeCompressed())
		}
		s, err := script.MultiSigScript(1, keys)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name string
		tx   func() *wire.Tx
		opts AcceptOptions
		want string // "" = accepted
		flag func(*RejectError) bool
	}{
		{"no outputs", func() *wire.Tx {
			return &wire.Tx{Version: 1, TxIn: []*wire.TxIn{{PreviousOutPoint: h.coins[0].op}}}
		}, AcceptOptions{}, "bad-txns-vout-empty", func(r *RejectError) bool { return r.Consensus }},
		{"coinbase", func() *wire.Tx {
			return &wire.Tx{Version: 1, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex}, SignatureScript: []byte{1, 2}}},
				TxOut: []*wire.TxOut{p2pkhOut(h, 1000)}}
		}, AcceptOptions{}, "coinbase", nil},
		{"version 3", func() *wire.Tx { return h.spend([]utxo{h.coin()}, txOpts{version: 3, fee: 1000}) }, AcceptOptions{}, "version", nil},
		{"version 0", func() *wire.Tx {
			tx := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
			tx.Version = 0
			return tx
		}, AcceptOptions{}, "version", nil},
		{"tx-size", func() *wire.Tx {
			return h.spend([]utxo{h.coin()}, txOpts{nOuts: 3000, fee: 200_000})
		}, AcceptOptions{}, "tx-size", nil},
		{"tx-size-small", func() *wire.Tx {
			return &wire.Tx{Version: 1, TxIn: []*wire.TxIn{{PreviousOutPoint: h.coin().op, Sequence: wire.MaxTxInSequenceNum}},
				TxOut: []*wire.TxOut{{Value: 0, PkScript: []byte{script.OP_RETURN}}}}
		}, AcceptOptions{}, "tx-size-small", nil},
		{"scriptsig-size", func() *wire.Tx {
			tx := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
			tx.TxIn[0].SignatureScript = script.AppendMinimalPush(nil, make([]byte, 1648))
			return tx
		}, AcceptOptions{}, "scriptsig-size", nil},
		{"scriptsig-not-pushonly", func() *wire.Tx {
			tx := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
			tx.TxIn[0].SignatureScript = append(tx.TxIn[0].SignatureScript, script.OP_NOP)
			return tx
		}, AcceptOptions{}, "scriptsig-not-pushonly", nil},
		{"scriptpubkey OP_TRUE", func() *wire.Tx {
			return h.spend([]utxo{h.coin()}, txOpts{outs: []*wire.TxOut{{Value: 1000, PkScript: []byte{script.OP_TRUE}}}})
		}, AcceptOptions{}, "scriptpubkey", nil},
		{"scriptpubkey 1-of-4 multisig", func() *wire.Tx {
			return h.spend([]utxo{h.coin()}, txOpts{outs: []*wire.TxOut{{Value: 10_000, PkScript: multisig(4)}}})
		}, AcceptOptions{}, "scriptpubkey", nil},
		{"bare 1-of-3 multisig accepted", func() *wire.Tx {
			c := h.coin()
			return h.spend([]utxo{c}, txOpts{outs: []*wire.TxOut{{Value: c.value - 10_000, PkScript: multisig(3)}}})
		}, AcceptOptions{}, "", nil},
		{"scriptpubkey 81-byte OP_RETURN", func() *wire.Tx {
			c := h.coin()
			s := append([]byte{script.OP_RETURN, script.OP_PUSHDATA1, 81}, make([]byte, 81)...)
			return h.spend([]utxo{c}, txOpts{outs: []*wire.TxOut{p2pkhOut(h, c.value-10_000), {PkScript: s}}})
		}, AcceptOptions{}, "scriptpubkey", nil},
		{"80-byte OP_RETURN accepted", func() *wire.Tx {
			c := h.coin()
			return h.spend([]utxo{c}, txOpts{outs: []*wire.TxOut{p2pkhOut(h, c.value-10_000), {PkScript: nullData(t, 80)}}})
		}, AcceptOptions{}, "", nil},
		{"multi-op-return", func() *wire.Tx {
			c := h.coin()
			return h.spend([]utxo{c}, txOpts{outs: []*wire.TxOut{p2pkhOut(h, c.value-10_000), {PkScript: nullData(t, 4)}, {PkScript: nullData(t, 4)}}})
		}, AcceptOptions{}, "multi-op-return", nil},
		{"dust 545", func() *wire.Tx {
			c := h.coin()
			return h.spend([]utxo{c}, txOpts{outs: []*wire.TxOut{p2pkhOut(h, c.value-10_000), p2pkhOut(h, 545)}})
		}, AcceptOptions{}, "dust", nil},
		{"546 is not dust", func() *wire.Tx {
			c := h.coin()
			return h.spend([]utxo{c}, txOpts{outs: []*wire.TxOut{p2pkhOut(h, c.value-10_000), p2pkhOut(h, 546)}})
		}, AcceptOptions{}, "", nil},
		{"non-final", func() *wire.Tx {
			return h.spend([]utxo{h.coin()}, txOpts{fee: 1000, lockTime: uint32(tip) + 1, sequence: 0xfffffffe})
		}, AcceptOptions{}, "non-final", nil},
		{"final at next height", func() *wire.Tx {
			return h.spend([]utxo{h.coin()}, txOpts{fee: 1000, lockTime: uint32(tip), sequence: 0xfffffffe})
		}, AcceptOptions{}, "", nil},
		{"missing inputs", func() *wire.Tx {
			return h.spend([]utxo{{op: wire.OutPoint{Hash: wire.Hash{1}}, value: 1e8, pkScript: h.pkScript}}, txOpts{fee: 1000})
		}, AcceptOptions{}, "bad-txns-inputs-missingorspent", func(r *RejectError) bool { return r.Orphan }},
		{"premature coinbase spend", func() *wire.Tx {
			cb := h.coinbases[9] // height 10
			return h.spend([]utxo{{op: wire.OutPoint{Hash: cb.TxHash()}, value: cb.TxOut[0].Value, pkScript: h.pkScript}}, txOpts{fee: 1000})
		}, AcceptOptions{}, "bad-txns-premature-spend-of-coinbase", nil},
		{"mature coinbase spend", func() *wire.Tx {
			cb := h.coinbases[1] // height 2
			return h.spend([]utxo{{op: wire.OutPoint{Hash: cb.TxHash()}, value: cb.TxOut[0].Value, pkScript: h.pkScript}}, txOpts{fee: 1000})
		}, AcceptOptions{}, "", nil},
		{"in-belowout", func() *wire.Tx {
			c := h.coin()
			return h.spend([]utxo{c}, txOpts{outs: []*wire.TxOut{p2pkhOut(h, c.value+1)}})
		}, AcceptOptions{}, "bad-txns-in-belowout", nil},
		{"non-BIP68-final", func() *wire.Tx {
			return h.spend([]utxo{h.coin()}, txOpts{version: 2, sequence: 5, fee: 1000})
		}, AcceptOptions{}, "non-BIP68-final", nil},
		{"BIP68 lock met", func() *wire.Tx {
			return h.spend([]utxo{h.coin()}, txOpts{version: 2, sequence: 1, fee: 1000})
		}, AcceptOptions{}, "", nil},
		{"nonstandard input", func() *wire.Tx {
			return h.spend([]utxo{h.opTrue}, txOpts{fee: 10_000})
		}, AcceptOptions{}, "bad-txns-nonstandard-inputs", nil},
		{"P2SH redeem script with 16 sigops", func() *wire.Tx {
			tx := h.spend([]utxo{h.p2sh}, txOpts{fee: 10_000})
			tx.TxIn[0].SignatureScript = script.AppendMinimalPush(nil, p2shRedeem)
			return tx
		}, AcceptOptions{}, "bad-txns-nonstandard-inputs", nil},
		{"too many sigops", func() *wire.Tx {
			c := h.coin()
			var outs []*wire.TxOut
			for i := 0; i < 201; i++ {
				outs = append(outs, &wire.TxOut{Value: 10_000, PkScript: multisig(3)})
			}
			outs = append(outs, p2pkhOut(h, c.value-201*10_000-100_000))
			return h.spend([]utxo{c}, txOpts{outs: outs})
		}, AcceptOptions{}, "bad-txns-too-many-sigops, 4021", nil},
		{"min relay fee", func() *wire.Tx {
			return h.spend([]utxo{h.coin()}, txOpts{fee: 0})
		}, AcceptOptions{}, "min relay fee not met, 0 < 19", nil},
		{"max-fee-exceeded", func() *wire.Tx {
			return h.spend([]utxo{h.coin()}, txOpts{fee: 1_000_000})
		}, AcceptOptions{MaxFeeRate: 10_000_000 / 10}, "max-fee-exceeded", nil},
		{"bad signature", func() *wire.Tx {
			tx := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
			other := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
			tx.TxIn[0].SignatureScript = other.TxIn[0].SignatureScript
			return tx
		}, AcceptOptions{}, "mandatory-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)", func(r *RejectError) bool { return r.Consensus }},
		{"non-minimal push", func() *wire.Tx {
			tx := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
			pushes, _ := script.ExtractPushes(tx.TxIn[0].SignatureScript)
			ss := append([]byte{script.OP_PUSHDATA1, byte(len(pushes[0]))}, pushes[0]...)
			tx.TxIn[0].SignatureScript = script.AppendMinimalPush(ss, pushes[1])
			return tx
		}, AcceptOptions{}, "non-mandatory-script-verify-flag (Data push larger than necessary)", func(r *RejectError) bool { return !r.Consensus }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := tc.tx()
			res, err := h.pool.Accept(tx, tc.opts)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if !h.pool.Has(res.TxID) {
					t.Fatal("accepted but not in pool")
				}
				return
			}
			re := wantReject(t, err, tc.want)
			if tc.flag != nil && !tc.flag(re) {
				t.Fatalf("flags of %+v", re)
			}
			if h.pool.Has(tx.TxHash()) {
				t.Fatal("rejected but in pool")
			}
		})
	}
}

func TestAcceptDuplicatesConflictsAndKnown(t *testing.T) {
	h := newHarness(t, 10, nil)
	c := h.coin()
	tx := h.spend([]utxo{c}, txOpts{fee: 1000})
	res := h.accept(tx)
	if res.Fee != 1000 || res.Size != int64(tx.SerializeSize()) {
		t.Fatalf("result %+v", res)
	}
	_, err := h.pool.Accept(tx, AcceptOptions{})
	wantReject(t, err, "txn-already-in-mempool")
	_, err = h.pool.Accept(h.spend([]utxo{c}, txOpts{fee: 5000}), AcceptOptions{})
	wantReject(t, err, "txn-mempool-conflict")

	// Once mined, the transaction is known in the chain.
	h.mine(tx)
	if h.pool.Has(tx.TxHash()) {
		t.Fatal("mined transaction still in pool")
	}
	_, err = h.pool.Accept(tx, AcceptOptions{})
	re := wantReject(t, err, "txn-already-known")
	if !re.AlreadyKnown || re.Orphan {
		t.Fatalf("flags %+v", re)
	}

	// TestOnly adds nothing.
	tx2 := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
	if _, err := h.pool.Accept(tx2, AcceptOptions{TestOnly: true}); err != nil {
		t.Fatal(err)
	}
	if h.pool.Has(tx2.TxHash()) {
		t.Fatal("test-only acceptance added the transaction")
	}
	if !errors.Is(&RejectError{Reason: "x", Err: errSentinel}, errSentinel) {
		t.Fatal("RejectError does not unwrap")
	}
}

var errSentinel = errors.New("sentinel")

func TestRuleErrorMapping(t *testing.T) {
	err := fromRuleError(fmt.Errorf("wrapped: %w", &consensus.RuleError{Kind: consensus.ErrSpendTooHigh, Reason: "bad-txns-in-belowout", Detail: "d"}))
	re, ok := IsReject(err)
	if !ok || re.Error() != "bad-txns-in-belowout, d" || !re.Consensus {
		t.Fatalf("%v", err)
	}
	if formatMoney(100000) != "0.001" || formatMoney(consensus.Coin) != "1.00" || formatMoney(-150) != "-0.0000015" {
		t.Fatal(formatMoney(100000), formatMoney(consensus.Coin), formatMoney(-150))
	}
	if formatFeeRate(1000) != "0.00001000 NDC/kvB" {
		t.Fatal(formatFeeRate(1000))
	}
	if !strings.HasPrefix(scriptErrorString(errSentinel), "unknown") {
		t.Fatal(scriptErrorString(errSentinel))
	}
}

func TestChainLimits(t *testing.T) {
	h := newHarness(t, 10, nil)
	// A chain of 25 is accepted, the 26th refused.
	prev := h.coin()
	var chainTxs []*wire.Tx
	for i := 0; i < 25; i++ {
		tx := h.spend([]utxo{prev}, txOpts{fee: 1000})
		h.accept(tx)
		chainTxs = append(chainTxs, tx)
		prev = out(tx, 0)
	}
	_, err := h.pool.Accept(h.spend([]utxo{prev}, txOpts{fee: 1000}), AcceptOptions{})
	wantReject(t, err, "too-long-mempool-chain, too many unconfirmed ancestors [limit: 25]")
	first := h.pool.Get(chainTxs[0].TxHash())
	last := h.pool.Get(chainTxs[24].TxHash())
	if first.DescendantCount != 25 || last.AncestorCount != 25 || first.AncestorCount != 1 {
		t.Fatalf("counts: first %+v last %+v", first, last)
	}
	if last.AncestorFees != 25*1000 || first.DescendantSize != last.AncestorSize {
		t.Fatalf("fees/sizes: %d %d %d", last.AncestorFees, first.DescendantSize, last.AncestorSize)
	}
	anc, _ := h.pool.Ancestors(chainTxs[24].TxHash())
	desc, _ := h.pool.Descendants(chainTxs[0].TxHash())
	if len(anc) != 24 || len(desc) != 24 {
		t.Fatalf("ancestors %d descendants %d", len(anc), len(desc))
	}

	// A parent with 24 children has 25 descendants: the 25th child is refused.
	parent := h.spend([]utxo{h.coin()}, txOpts{fee: 10_000, nOuts: 30})
	h.accept(parent)
	for i := 0; i < 24; i++ {
		h.accept(h.spend([]utxo{out(parent, i)}, txOpts{fee: 1000}))
	}
	_, err = h.pool.Accept(h.spend([]utxo{out(parent, 24)}, txOpts{fee: 1000}), AcceptOptions{})
	wantReject(t, err, fmt.Sprintf("too-long-mempool-chain, too many descendants for tx %s [limit: 25]", parent.TxHash()))

	// Ancestor size: a 60 kB parent and a 45 kB child exceed 101,000 bytes.
	c := h.coin()
	outs := []*wire.TxOut{p2pkhOut(h, c.value-100_000-1699*1000)}
	for i := 0; i < 1699; i++ {
		outs = append(outs, p2pkhOut(h, 1000))
	}
	big := h.spend([]utxo{c}, txOpts{outs: outs})
	h.accept(big)
	child := h.spend([]utxo{out(big, 0)}, txOpts{fee: 100_000, nOuts: 1400})
	_, err = h.pool.Accept(child, AcceptOptions{})
	wantReject(t, err, "too-long-mempool-chain, exceeds descendant size limit for tx")
}

func TestSigCacheFilledAtAcceptance(t *testing.T) {
	h := newHarness(t, 10, nil)
	before := h.sigCache.Len()
	var txs []*wire.Tx
	for i := 0; i < 3; i++ {
		tx := h.spend([]utxo{h.coin()}, txOpts{fee: 1000})
		h.accept(tx)
		txs = append(txs, tx)
	}
	if got := h.sigCache.Len() - before; got != 3 {
		t.Fatalf("cache grew by %d, want 3", got)
	}
	hits := h.sigCache.Hits()
	h.mine(txs...)
	if got := h.sigCache.Hits() - hits; got < 3 {
		t.Fatalf("block connection hit the cache %d times, want 3", got)
	}
	if n := h.pool.Info().Size; n != 0 {
		t.Fatalf("pool holds %d after the block", n)
	}
}

type countObserver struct{ accepted, rejected, removed int }

func (o *countObserver) Accepted(wire.Hash, *wire.Tx, int64, int64) { o.accepted++ }
func (o *countObserver) Rejected(string)                            { o.rejected++ }
func (o *countObserver) Removed(wire.Hash)                          { o.removed++ }

func TestObserverAndInfo(t *testing.T) {
	obs := &countObserver{}
	h := newHarness(t, 10, func(c *Config) { c.Observer = obs })
	tx := h.spend([]utxo{h.coin()}, txOpts{fee: 1234})
	res, err := h.pool.Accept(tx, AcceptOptions{Local: true})
	if err != nil {
		t.Fatal(err)
	}
	h.pool.Accept(tx, AcceptOptions{})
	if obs.accepted != 1 || obs.rejected != 1 {
		t.Fatalf("observer %+v", obs)
	}
	info := h.pool.Info()
	if info.Size != 1 || info.Bytes != res.Size || info.TotalFee != 1234 || info.UnbroadcastCount != 1 ||
		info.MempoolMinFee != DefaultMinRelayFee || info.MaxMempool != DefaultMaxBytes || info.Usage <= info.Bytes {
		t.Fatalf("info %+v", info)
	}
	h.pool.MarkBroadcast(tx.TxHash())
	if h.pool.Info().UnbroadcastCount != 0 {
		t.Fatal("still unbroadcast")
	}
	defer func() {
		// Mining the transaction removes it: the observer hears of it.
		h.mine(tx)
		if obs.removed != 1 {
			t.Errorf("observer saw %d removals, want 1", obs.removed)
		}
	}()
	e := h.pool.Get(tx.TxHash())
	if e.Weight != 4*e.Size || e.Height != h.chain.Best().Height || e.BIP125Replaceable {
		t.Fatalf("entry %+v", e)
	}
	if ids := h.pool.TxIDs(); len(ids) != 1 || ids[0] != tx.TxHash() {
		t.Fatal(ids)
	}
	if h.pool.Spender(tx.TxIn[0].PreviousOutPoint) != tx || h.pool.Tx(tx.TxHash()) != tx {
		t.Fatal("spender/tx lookup")
	}
}
