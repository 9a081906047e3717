package miner

import (
	"bytes"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// TestTemplateCoinbasePartsMineABlock builds templates at heights whose
// BIP34 pushes differ in length (OP_n, one byte, two bytes), fills the
// extranonce between coinb1 and coinb2, checks the coinbase's layout and
// has the chain accept the solved blocks, two of them paying two outputs.
func TestTemplateCoinbasePartsMineABlock(t *testing.T) {
	now := time.Unix(consensus.GenesisTime+1e6, 0)
	c := regtestChain(t, func() time.Time { return now })
	payA, _ := script.PayToPubKeyHashScript(bytes.Repeat([]byte{1}, 20))
	payB, _ := script.PayToPubKeyHashScript(bytes.Repeat([]byte{2}, 20))
	tag := []byte("/nodecoin/")
	for i := range 130 {
		tmpl, err := NewTemplate(c, nil, 8, now)
		if err != nil {
			t.Fatal(err)
		}
		outs := []*wire.TxOut{{Value: tmpl.Value, PkScript: payA}}
		if i%2 == 1 {
			outs = []*wire.TxOut{{Value: tmpl.Value - 1000, PkScript: payA}, {Value: 1000, PkScript: payB}}
		}
		cb1, cb2, err := tmpl.CoinbaseParts(outs, tag)
		if err != nil {
			t.Fatal(err)
		}
		en := []byte{0xde, 0xad, 0xbe, 0xef, 0, 0, 0, byte(i)}
		raw := append(append(append([]byte(nil), cb1...), en...), cb2...)
		cb, err := wire.DecodeTx(raw)
		if err != nil {
			t.Fatalf("height %d: coinbase does not decode: %v", tmpl.Height, err)
		}
		height, _ := script.NewBuilder().AddInt64(int64(tmpl.Height)).Script()
		wantSig := append(append(append(append([]byte(nil), height...), 8), en...), tag...)
		if got := cb.TxIn[0].SignatureScript; !bytes.Equal(got, wantSig) {
			t.Fatalf("height %d: scriptSig %x, want %x", tmpl.Height, got, wantSig)
		}
		if !bytes.HasSuffix(cb1, append(height, 8)) {
			t.Fatalf("height %d: coinb1 %x does not end with the height push and the extranonce push", tmpl.Height, cb1)
		}
		b := tmpl.Block(cb, tmpl.Header.Version, tmpl.Header.Timestamp, 0)
		if root, _ := wire.MerkleRoot(b.TxHashes()); root != b.Header.MerkleRoot {
			t.Fatal("merkle root from the branch differs from the block's")
		}
		if !Solve(&b.Header, 1<<20) {
			t.Fatal("regtest block not solved")
		}
		if _, err := c.ProcessBlock(b); err != nil {
			t.Fatalf("block at height %d: %v", tmpl.Height, err)
		}
		now = now.Add(time.Minute)
	}
	if got := c.Best().Height; got != 130 {
		t.Fatalf("height %d, want 130", got)
	}
}

func TestTemplateRefusesBadArguments(t *testing.T) {
	c := regtestChain(t, nil)
	for _, n := range []int{0, 76} {
		if _, err := NewTemplate(c, nil, n, time.Now()); err == nil {
			t.Errorf("extranonce of %d bytes accepted", n)
		}
	}
	tmpl, err := NewTemplate(c, nil, 8, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tmpl.CoinbaseParts(nil, nil); err == nil {
		t.Error("coinbase without outputs accepted")
	}
	if _, _, err := tmpl.CoinbaseParts([]*wire.TxOut{{Value: 1, PkScript: []byte{script.OP_TRUE}}},
		make([]byte, MaxCoinbaseTag+1)); err == nil {
		t.Error("overlong tag accepted")
	}
}
