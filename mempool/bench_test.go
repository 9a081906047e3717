package mempool

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// benchSpends returns a chain with n confirmed P2PKH coins and n signed,
// independent one-input one-output spends of them.
func benchSpends(b *testing.B, n int) (*harness, []*wire.Tx, []utxo) {
	h := newHarness(b, 20, nil)
	var fans []*wire.Tx
	per := 200
	for len(fans)*per < n {
		fans = append(fans, h.spend([]utxo{h.coin()}, txOpts{fee: 100_000, nOuts: per}))
	}
	h.mine(fans...)
	var txs []*wire.Tx
	var coins []utxo
	for _, f := range fans {
		for i := range f.TxOut {
			if len(txs) == n {
				break
			}
			c := out(f, i)
			txs = append(txs, h.spend([]utxo{c}, txOpts{fee: 1000}))
			coins = append(coins, c)
		}
	}
	return h, txs, coins
}

const benchTxs = 2000

// BenchmarkAcceptP2PKH accepts independent one-input P2PKH transactions
// (no signature cache), refilling a fresh pool when the set is used up.
func BenchmarkAcceptP2PKH(b *testing.B) {
	h, txs, _ := benchSpends(b, benchTxs)
	pool := New(h.chain, Config{Logger: quiet, Now: h.clock.Now})
	i := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if i == len(txs) {
			b.StopTimer()
			pool = New(h.chain, Config{Logger: quiet, Now: h.clock.Now})
			i = 0
			b.StartTimer()
		}
		if _, err := pool.Accept(txs[i], AcceptOptions{}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkECDSAVerifyRawSameSigs verifies the signatures of
// BenchmarkAcceptP2PKH's transactions with btcec directly (keys, signatures
// and hashes prepared outside the loop): the baseline of the ratio.
func BenchmarkECDSAVerifyRawSameSigs(b *testing.B) {
	_, txs, coins := benchSpends(b, benchTxs)
	type check struct {
		sig  *ecdsa.Signature
		pk   *btcec.PublicKey
		hash wire.Hash
	}
	checks := make([]check, len(txs))
	for i, tx := range txs {
		pushes, err := script.ExtractPushes(tx.TxIn[0].SignatureScript)
		if err != nil {
			b.Fatal(err)
		}
		sig, err := ecdsa.ParseDERSignature(pushes[0][:len(pushes[0])-1])
		if err != nil {
			b.Fatal(err)
		}
		pk, err := btcec.ParsePubKey(pushes[1])
		if err != nil {
			b.Fatal(err)
		}
		checks[i] = check{sig, pk, script.CalcSignatureHash(coins[i].pkScript, script.SigHashAll, tx, 0)}
	}
	i := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		c := &checks[i%len(checks)]
		if !c.sig.Verify(c.hash[:], c.pk) {
			b.Fatal("signature does not verify")
		}
		i++
	}
}

// benchConnect times reconnecting (reconsiderblock after invalidateblock)
// a block of 500 one-input P2PKH transactions first accepted into the
// pool, with the signature cache as acceptance left it (warm) or emptied
// before each connection (cold).
func benchConnect(b *testing.B, warm bool) {
	h, txs, _ := benchSpends(b, 500)
	for _, tx := range txs {
		if _, err := h.pool.Accept(tx, AcceptOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	blk := h.mine(txs...)
	hash := blk.BlockHash()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if err := h.chain.InvalidateBlock(hash); err != nil {
			b.Fatal(err)
		}
		if !warm {
			h.sigCache.Clear()
		}
		b.StartTimer()
		if err := h.chain.ReconsiderBlock(hash); err != nil {
			b.Fatal(err)
		}
		if h.chain.Best().Hash != hash {
			b.Fatal("block not reconnected")
		}
	}
}

// BenchmarkConnectBlockWarm connects a block whose transactions were all
// in the pool: their signatures are in the cache.
func BenchmarkConnectBlockWarm(b *testing.B) { benchConnect(b, true) }

// BenchmarkConnectBlockCold connects the same block with an empty
// signature cache: the baseline of the warm figure.
func BenchmarkConnectBlockCold(b *testing.B) { benchConnect(b, false) }
