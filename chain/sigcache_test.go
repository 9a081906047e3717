package chain

import (
	"context"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// TestSigCacheSkipsVerifiedSignatures connects a block with a P2PKH spend
// whose signature was verified before (as the mempool will), and checks the
// block's verification found it in the cache.
func TestSigCacheSkipsVerifiedSignatures(t *testing.T) {
	for _, prefill := range []bool{false, true} {
		cache := NewSigCache(1000)
		c, err := Open(context.Background(), Config{Dir: t.TempDir(), Params: consensus.RegTestParams, Logger: quietLog, SigCache: cache,
			Now: func() time.Time { return time.Unix(consensus.GenesisTime+1e6, 0) }})
		if err != nil {
			t.Fatal(err)
		}
		key, _ := btcec.NewPrivateKey()
		pkScript, _ := script.PayToPubKeyHashScript(script.Hash160(key.PubKey().SerializeCompressed()))
		first, tip := makeBlock(t, genesisInfo(), 0)
		first.Transactions[0].TxOut[0].PkScript = pkScript
		first.Header.MerkleRoot, _ = wire.MerkleRoot(first.TxHashes())
		consensus.SolveHeader(&first.Header, consensus.RegTestParams.PowLimit)
		tip.hash = first.BlockHash()
		mustProcess(t, c, first)
		_, tip = extend(t, c, tip, 100, 0)

		cb := first.Transactions[0]
		tx := spend(wire.OutPoint{Hash: cb.TxHash()}, cb.TxOut[0].Value, 0)
		sig, err := script.SignatureScript(tx, 0, pkScript, script.SigHashAll, key, true)
		if err != nil {
			t.Fatal(err)
		}
		tx.TxIn[0].SignatureScript = sig
		if prefill {
			if err := script.VerifyInput(tx, 0, pkScript, script.StandardVerifyFlags, cache); err != nil {
				t.Fatal(err)
			}
		}
		b, _ := makeBlock(t, tip, 0, tx)
		mustProcess(t, c, b)
		wantHits := uint64(0)
		if prefill {
			wantHits = 1
		}
		if cache.Hits() != wantHits || cache.Len() != 1 {
			t.Errorf("prefill=%v: %d hits, %d entries; want %d hits, 1 entry", prefill, cache.Hits(), cache.Len(), wantHits)
		}
		c.Close()
	}
}
