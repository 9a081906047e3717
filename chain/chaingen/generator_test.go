package chaingen

import (
	"bytes"
	"testing"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

func ruleKind(err error) consensus.ErrorKind {
	k, _ := consensus.IsRuleError(err)
	return k
}

func TestDefaultBlocksAreValid(t *testing.T) {
	g := New(consensus.RegTestParams, DefaultNow)
	for i := 0; i < 20; i++ {
		name := "b" + string(rune('a'+i))
		b := g.NextBlock(name)
		if err := consensus.CheckBlockSanity(b, g.Params().PowLimit); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		parent := g.NameAt(g.TipHeight() - 1)
		if err := consensus.CheckBlockContext(b, int64(g.Height(name)), g.MedianTimePast(parent)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b.Header.PrevBlock != g.Hash(parent) || g.Height(name) != int32(i+1) {
			t.Fatalf("%s: wrong parent or height", name)
		}
	}
	// Siblings with the same content still differ.
	g.SetTip("ba")
	if g.NextBlock("other").BlockHash() == g.Hash("bb") {
		t.Fatal("two generated siblings are identical")
	}
}

func TestMutatorsBreakWhatTheySay(t *testing.T) {
	g := New(consensus.RegTestParams, DefaultNow)
	lim := g.Params().PowLimit
	if k := ruleKind(consensus.CheckBlockSanity(g.NextBlock("hh", HighHash()), lim)); k != consensus.ErrHighHash {
		t.Errorf("HighHash: %v", k)
	}
	if k := ruleKind(consensus.CheckBlockSanity(g.NextBlock("bm", BadMerkleRoot()), lim)); k != consensus.ErrBadMerkleRoot {
		t.Errorf("BadMerkleRoot: %v", k)
	}
	for _, size := range []int{300, 400, 70_000, consensus.MaxBlockSize, consensus.MaxBlockSize + 1} {
		b := g.NextBlock("pad"+string(rune(size)), PadTo(size))
		if b.SerializeSize() != size {
			t.Errorf("PadTo(%d) gave %d bytes", size, b.SerializeSize())
		}
	}
	b := g.NextBlock("sigops", AddSigOps(7))
	if n := consensus.CountLegacySigOps(b.Transactions[0]); n != 7 {
		t.Errorf("AddSigOps(7): %d sigops", n)
	}
}

func TestSpendableCoinbasesFollowTheBranch(t *testing.T) {
	g := New(consensus.RegTestParams, DefaultNow)
	g.Chain("m", 100)
	outs := g.SpendableCoinbases(1)
	if outs[0].OutPoint != g.CoinbaseOut("m1").OutPoint {
		t.Fatalf("first spendable output %v, want m1's coinbase", outs[0].OutPoint)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("two outputs handed out where one is mature")
			}
		}()
		g.SpendableCoinbases(2)
	}()
	g.NextBlock("spend", AddTxs(g.SpendTx(outs[0], 1000)))
	// The coinbase claims the fee.
	if v := g.Block("spend").Transactions[0].TxOut[0].Value; v != consensus.CalcBlockSubsidy(101, g.Params())+1000 {
		t.Errorf("coinbase value %d", v)
	}
	if got := g.SpendableCoinbases(1)[0]; got.OutPoint != g.CoinbaseOut("m2").OutPoint {
		t.Errorf("after spending m1's coinbase: got %v", got.OutPoint)
	}
	// On a branch without the spend, m1's coinbase is available again.
	g.SetTip("m100")
	g.NextBlock("other")
	if got := g.SpendableCoinbases(1)[0]; got.OutPoint != g.CoinbaseOut("m1").OutPoint {
		t.Errorf("on the other branch: got %v", got.OutPoint)
	}
}

func TestP2PKHSpendVerifies(t *testing.T) {
	g := New(consensus.RegTestParams, DefaultNow)
	in := SpendableOut{OutPoint: wire.OutPoint{Index: 3}, Value: 5000, PkScript: g.P2PKHScript()}
	tx := g.SpendTx(in, 100)
	checker := script.MakeTxSigChecker(tx, 0, nil)
	if err := script.VerifyScript(tx.TxIn[0].SignatureScript, in.PkScript, script.MandatoryVerifyFlags, &checker); err != nil {
		t.Fatal(err)
	}
	tx.TxOut[0].Value--
	checker = script.MakeTxSigChecker(tx, 0, nil)
	if script.VerifyScript(tx.TxIn[0].SignatureScript, in.PkScript, script.MandatoryVerifyFlags, &checker) == nil {
		t.Fatal("signature still verifies after the transaction changed")
	}
	op := SpendableOut{Value: 1, PkScript: OpTrueScript}
	if s := g.SpendTx(op, 0).TxIn[0].SignatureScript; len(s) != 0 {
		t.Fatalf("OP_TRUE spend has signature script %x", s)
	}
}

func TestStepsAndMisuse(t *testing.T) {
	g := New(consensus.RegTestParams, DefaultNow)
	g.Chain("m", 2)
	g.NextBlock("bad", CoinbaseValue(1))
	g.Reject(consensus.ErrBadCoinbaseValue)
	if g.Tip() != "m2" {
		t.Fatalf("tip after Reject is %s", g.Tip())
	}
	seq := g.Sequence("s")
	if len(seq.Steps) != 3 {
		t.Fatalf("%d steps", len(seq.Steps))
	}
	last := seq.Steps[2]
	if last.Expect != Rejected || last.Kind != consensus.ErrBadCoinbaseValue || last.TipName != "m2" || last.TipHeight != 2 {
		t.Fatalf("step %+v", last)
	}
	for _, f := range []func(){
		func() { g.NextBlock("m1") },
		func() { g.SetTip("nope") },
		func() { New(consensus.RegTestParams, DefaultNow).ExpectTip(GenesisName) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("misuse did not panic")
				}
			}()
			f()
		}()
	}
}

func TestSequencesBuild(t *testing.T) {
	seqs, err := Sequences(consensus.RegTestParams)
	if err != nil {
		t.Fatal(err)
	}
	kinds := make(map[consensus.ErrorKind]bool)
	names := make(map[string]bool)
	for _, s := range seqs {
		if names[s.Name] || len(s.Steps) == 0 {
			t.Errorf("sequence %q repeated or empty", s.Name)
		}
		names[s.Name] = true
		for _, st := range s.Steps {
			if st.Expect == Rejected {
				kinds[st.Kind] = true
			}
			if !bytes.Equal(st.Block.Serialize(), st.Block.Serialize()) {
				t.Fatal("unstable serialization")
			}
		}
	}
	// Every rule kind a block can break in the chain is exercised, except
	// those no well-formed block reaches (nil pointers, transactions too
	// big for a block, money-range failures of already-valid outputs).
	unreachable := map[consensus.ErrorKind]bool{consensus.ErrMalformed: true, consensus.ErrTxTooBig: true,
		consensus.ErrInputValuesOutOfRange: true, consensus.ErrFeeOutOfRange: true}
	for k := consensus.ErrMalformed; k <= consensus.ErrScriptFailed; k++ {
		if !kinds[k] && !unreachable[k] {
			t.Errorf("no sequence rejects a block with %v", k)
		}
	}
}
