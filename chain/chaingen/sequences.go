package chaingen

import (
	"bytes"
	"fmt"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// DefaultNow is the chain clock the standard sequences assume: well after
// the genesis time, so that no block they build is in the future except
// on purpose.
var DefaultNow = time.Unix(consensus.GenesisTime+1_000_000, 0)

// sequenceDefs are the standard sequences, in the order Sequences returns
// them.
var sequenceDefs = []struct {
	name  string
	build func(g *Generator)
}{
	{"ContextFree", seqContextFree},
	{"Contextual", seqContextual},
	{"Orphans", seqOrphans},
	{"Connect", seqConnect},
	{"Scripts", seqScripts},
	{"RelativeLocks", seqRelativeLocks},
	{"P2SHSigOps", seqP2SHSigOps},
	{"Reorg", seqReorg},
	{"Reorg150", seqReorg150},
	{"ReorgOntoInvalid", seqReorgOntoInvalid},
}

// Sequences builds the standard sequences for params (regtest), each to be
// run against a fresh chain whose clock is DefaultNow. Together they break
// every context-free, contextual and connection rule at least once, and
// cover chain selection: equal-work side chains, reorganisations (one of
// 150 blocks), and a reorganisation onto a branch that turns out invalid.
func Sequences(params *consensus.Params) (seqs []Sequence, err error) {
	name := ""
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chaingen: building sequence %s: %v", name, r)
		}
	}()
	for _, d := range sequenceDefs {
		name = d.name
		g := New(params, DefaultNow)
		d.build(g)
		seqs = append(seqs, g.Sequence(d.name))
	}
	return seqs, nil
}

// NameAt returns the name of the tip's ancestor at height h.
func (g *Generator) NameAt(h int32) string {
	for n := g.tip; n != nil; n = n.parent {
		if n.height == h {
			return n.name
		}
	}
	panic(fmt.Sprintf("chaingen: no block at height %d below %q", h, g.tip.name))
}

// mustScript returns the builder's script, panicking on a builder error.
func mustScript(b *script.Builder) []byte {
	s, err := b.Script()
	if err != nil {
		panic(err)
	}
	return s
}

// missingOut is an output no chain has.
var missingOut = SpendableOut{OutPoint: wire.OutPoint{Hash: wire.DoubleSHA256([]byte("chaingen: missing"))},
	Value: consensus.Coin, PkScript: OpTrueScript}

// withTx returns a copy of tx changed by fn (no re-signing: use only for
// transactions spending non-P2PKH outputs).
func withTx(tx *wire.Tx, fn func(tx *wire.Tx)) *wire.Tx {
	c := tx.Copy()
	fn(c)
	return c
}

// seqContextFree breaks each rule that needs no context: proof of work,
// merkle root and its mutation, size, coinbase placement and script
// length, transaction sanity and the legacy sigop limit.
func seqContextFree(g *Generator) {
	g.Chain("m", 102)

	g.NextBlock("high-hash", HighHash())
	g.Reject(consensus.ErrHighHash)
	g.NextBlock("target-above-limit", SetBits(0x2100ffff))
	g.Reject(consensus.ErrBadTarget)
	g.NextBlock("bad-merkle-root", AddTxs(g.SpendTx(g.SpendableCoinbases(1)[0], 0)), BadMerkleRoot())
	g.Reject(consensus.ErrBadMerkleRoot)

	// [cb tx1 tx2] and [cb tx1 tx2 tx2] share a merkle root (CVE-2012-2459),
	// and so a header; and a twin with a different tx2 has the same header
	// but a root that does not match. Neither may poison the honest block.
	out := g.SpendableCoinbases(1)[0]
	tx1 := g.SpendTx(out, 1000)
	tx2 := g.SpendTx(g.OutputOf(tx1, 0), 1000)
	g.NextBlock("b1", AddTxs(tx1, tx2))
	g.Derive("b1-duplicated-tx", "b1", func(b *wire.Block) { b.Transactions = append(b.Transactions, b.Transactions[2]) })
	g.Submit("b1-duplicated-tx", Rejected, consensus.ErrMutatedMerkle)
	g.Derive("b1-other-tx", "b1", func(b *wire.Block) { b.Transactions[2].TxOut[0].Value-- })
	g.Submit("b1-other-tx", Rejected, consensus.ErrBadMerkleRoot)
	g.AcceptTip()
	g.ExpectSpent(out.OutPoint, g.OutputOf(tx1, 0).OutPoint)
	g.ExpectUnspent(g.OutputOf(tx2, 0).OutPoint)
	g.Submit("b1-duplicated-tx", Duplicate, 0)

	g.NextBlock("size-max+1", PadTo(consensus.MaxBlockSize+1))
	g.Reject(consensus.ErrBlockLength)
	g.NextBlock("size-max", PadTo(consensus.MaxBlockSize))
	g.AcceptTip()
	g.NextBlock("no-txs", SetTxs(func([]*wire.Tx) []*wire.Tx { return nil }))
	g.Reject(consensus.ErrBlockLength)

	out = g.SpendableCoinbases(1)[0]
	g.NextBlock("no-coinbase", SetTxs(func([]*wire.Tx) []*wire.Tx { return []*wire.Tx{g.SpendTx(out, 0)} }))
	g.Reject(consensus.ErrFirstTxNotCoinbase)
	g.NextBlock("coinbase-second", SetTxs(func(txs []*wire.Tx) []*wire.Tx { return []*wire.Tx{g.SpendTx(out, 0), txs[0]} }))
	g.Reject(consensus.ErrFirstTxNotCoinbase)
	g.NextBlock("two-coinbases", SetTxs(func(txs []*wire.Tx) []*wire.Tx {
		cb2 := txs[0].Copy()
		cb2.TxIn[0].SignatureScript = append(cb2.TxIn[0].SignatureScript, script.OP_TRUE)
		cb2.TxOut[0].Value = 0
		return append(txs, cb2)
	}))
	g.Reject(consensus.ErrMultipleCoinbases)

	h := int64(g.TipHeight() + 1)
	bip34 := consensus.BIP34HeightScript(h)
	pad := func(n int) []byte {
		return append(append([]byte(nil), bip34...), bytes.Repeat([]byte{script.OP_0}, n-len(bip34))...)
	}
	g.NextBlock("cb-script-1", CoinbaseScript([]byte{script.OP_TRUE}))
	g.Reject(consensus.ErrBadCoinbaseScriptLen)
	g.NextBlock("cb-script-101", CoinbaseScript(pad(101)))
	g.Reject(consensus.ErrBadCoinbaseScriptLen)
	g.NextBlock("cb-script-100", CoinbaseScript(pad(100)))
	g.AcceptTip()
	if bip34 = consensus.BIP34HeightScript(h + 1); len(bip34) != 2 {
		panic("height script is not 2 bytes")
	}
	g.NextBlock("cb-script-2", CoinbaseScript(bip34))
	g.AcceptTip()

	out = g.SpendableCoinbases(1)[0]
	opTrue := func(v int64) *wire.TxOut { return &wire.TxOut{Value: v, PkScript: OpTrueScript} }
	g.NextBlock("tx-no-inputs", AddTxs(&wire.Tx{Version: 1, TxOut: []*wire.TxOut{opTrue(1)}}))
	g.Reject(consensus.ErrNoTxInputs)
	g.NextBlock("tx-no-outputs", AddTxs(g.CreateTx([]SpendableOut{out})))
	g.Reject(consensus.ErrNoTxOutputs)
	g.NextBlock("tx-negative-output", AddTxs(g.CreateTx([]SpendableOut{out}, opTrue(-1), opTrue(out.Value))))
	g.Reject(consensus.ErrNegativeTxOut)
	g.NextBlock("tx-output-over-max", AddTxs(g.CreateTx([]SpendableOut{out}, opTrue(consensus.MaxMoney+1))))
	g.Reject(consensus.ErrTxOutTooLarge)
	g.NextBlock("tx-outputs-over-max", AddTxs(g.CreateTx([]SpendableOut{out}, opTrue(consensus.MaxMoney), opTrue(1))))
	g.Reject(consensus.ErrTxOutTotalTooLarge)
	g.NextBlock("tx-duplicate-inputs", AddTxs(g.CreateTx([]SpendableOut{out, out}, opTrue(out.Value))))
	g.Reject(consensus.ErrDuplicateTxInputs)
	null := SpendableOut{OutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex}, PkScript: OpTrueScript}
	g.NextBlock("tx-null-prevout", AddTxs(g.CreateTx([]SpendableOut{out, null}, opTrue(out.Value))))
	g.Reject(consensus.ErrNullPrevOut)

	g.NextBlock("sigops-max", AddSigOps(consensus.MaxBlockSigOps))
	g.AcceptTip()
	g.NextBlock("sigops-max+1", AddSigOps(consensus.MaxBlockSigOps+1))
	g.Reject(consensus.ErrTooManySigOps)
	// The limit is for the block: the coinbase's and a transaction's add up.
	split := g.CreateTx([]SpendableOut{out}, opTrue(out.Value),
		&wire.TxOut{PkScript: bytes.Repeat([]byte{script.OP_CHECKSIG}, 1)})
	g.NextBlock("sigops-max+1-split", AddSigOps(consensus.MaxBlockSigOps), AddTxs(split))
	g.Reject(consensus.ErrTooManySigOps)
	g.NextBlock("after", AddTxs(split))
	g.AcceptTip()
}

// seqContextual breaks the rules checked against the parent: bits, time
// (median and future), version, BIP34 height and transaction finality.
func seqContextual(g *Generator) {
	g.Chain("m", 102)

	g.NextBlock("bad-bits", SetBits(consensus.RegTestPowLimitBits-1))
	g.Reject(consensus.ErrBadDiffBits)

	mtp := g.MedianTimePast(g.Tip())
	g.NextBlock("time-at-median", SetTime(uint32(mtp)))
	g.Reject(consensus.ErrTimeTooOld)
	g.NextBlock("time-below-median", SetTime(uint32(mtp-1)))
	g.Reject(consensus.ErrTimeTooOld)
	g.NextBlock("time-median+1", SetTime(uint32(mtp+1)))
	g.AcceptTip()
	future := g.Now().Unix() + consensus.MaxFutureBlockTime
	g.NextBlock("time-too-new", SetTime(uint32(future+1)))
	g.Reject(consensus.ErrTimeTooNew)

	g.NextBlock("version-3", SetVersion(3))
	g.Reject(consensus.ErrBadVersion)
	g.NextBlock("version-negative", SetVersion(-1))
	g.Reject(consensus.ErrBadVersion)
	g.NextBlock("version-bip9", SetVersion(0x20000000))
	g.AcceptTip()

	h := int64(g.TipHeight() + 1)
	g.NextBlock("bip34-wrong-height", CoinbaseScript(append(consensus.BIP34HeightScript(h+1), script.OP_1)))
	g.Reject(consensus.ErrBadCoinbaseHeight)
	if h >= 0x80 || h <= 16 {
		panic("height does not fit the non-minimal push test")
	}
	g.NextBlock("bip34-non-minimal", CoinbaseScript([]byte{script.OP_PUSHDATA1, 1, byte(h), script.OP_1}))
	g.Reject(consensus.ErrBadCoinbaseHeight)
	g.Submit("bip34-wrong-height", KnownInvalid, 0)
	g.ExpectInvalid("bip34-wrong-height")

	// Lock times: by height, the block's height must exceed it; by time,
	// the parent's median time past must (BIP113).
	out := g.SpendableCoinbases(1)[0]
	lock := func(lt uint32, seq uint32) *wire.Tx {
		return withTx(g.SpendTx(out, 0), func(tx *wire.Tx) { tx.LockTime, tx.TxIn[0].Sequence = lt, seq })
	}
	h = int64(g.TipHeight() + 1)
	g.NextBlock("locktime-height", AddTxs(lock(uint32(h), 0)))
	g.Reject(consensus.ErrNonFinalTx)
	mtp = g.MedianTimePast(g.Tip())
	g.NextBlock("locktime-time", AddTxs(lock(uint32(mtp), 0)))
	g.Reject(consensus.ErrNonFinalTx)
	g.NextBlock("locktime-height-1", AddTxs(lock(uint32(h-1), 0)))
	g.AcceptTip()
	out = g.SpendableCoinbases(1)[0]
	mtp = g.MedianTimePast(g.Tip())
	g.NextBlock("locktime-time-1", AddTxs(lock(uint32(mtp-1), 0)))
	g.AcceptTip()
	out = g.SpendableCoinbases(1)[0]
	g.NextBlock("locktime-final-sequence", AddTxs(lock(uint32(h+1000), wire.MaxTxInSequenceNum)))
	g.AcceptTip()

	// At the limit of the future (last: later blocks would be beyond it).
	g.NextBlock("time-max-future", SetTime(uint32(future)))
	g.AcceptTip()
}

// seqOrphans submits children before their parents, including a parent
// that turns out invalid.
func seqOrphans(g *Generator) {
	g.Chain("m", 2)
	g.NextBlock("o1")
	g.NextBlock("o2")
	g.NextBlock("o3")
	g.Submit("o3", Orphan, 0)
	g.Submit("o2", Orphan, 0)
	g.Submit("o3", Duplicate, 0)
	g.Submit("o1", MainChain, 0)
	g.ExpectTip("o3")
	g.Submit("o2", Duplicate, 0)

	g.NextBlock("p1", CoinbaseValue(1))
	g.NextBlock("p2")
	g.Submit("p2", Orphan, 0)
	g.Submit("p1", Rejected, consensus.ErrBadCoinbaseValue)
	g.ExpectInvalid("p1")
	g.Submit("p2", KnownInvalid, 0)
	g.SetTip("o3")
	g.NextBlock("o4")
	g.AcceptTip()
}

// seqConnect breaks the rules checked when a block is connected: missing
// and double spends, spends inside a block, coinbase maturity, values and
// the coinbase amount.
func seqConnect(g *Generator) {
	g.Chain("m", 110)

	g.NextBlock("missing-output", AddTxs(g.SpendTx(missingOut, 0)))
	g.Reject(consensus.ErrMissingOrSpent)

	out := g.SpendableCoinbases(1)[0]
	g.NextBlock("double-spend-in-block", AddTxs(g.SpendTx(out, 0), g.SpendTx(out, 1)))
	g.Reject(consensus.ErrMissingOrSpent)
	g.NextBlock("c1", AddTxs(g.SpendTx(out, 1000)))
	g.AcceptTip()
	g.ExpectSpent(out.OutPoint)
	g.NextBlock("double-spend-across-blocks", AddTxs(g.SpendTx(out, 2000)))
	g.Reject(consensus.ErrMissingOrSpent)

	out = g.SpendableCoinbases(1)[0]
	first := g.SpendTx(out, 1000)
	second := g.SpendTx(g.OutputOf(first, 0), 1000)
	g.NextBlock("spend-of-later-output", AddTxs(second, first))
	g.Reject(consensus.ErrMissingOrSpent)
	g.NextBlock("spend-of-earlier-output", AddTxs(first, second))
	g.AcceptTip()
	g.ExpectSpent(out.OutPoint, g.OutputOf(first, 0).OutPoint)
	g.ExpectUnspent(g.OutputOf(second, 0).OutPoint)

	g.NextBlock("spend-own-coinbase", func(t *Template) { t.AddTx(g.SpendTx(g.OutputOf(t.Coinbase(), 0), 0)) })
	g.Reject(consensus.ErrPrematureCoinbaseSpend)
	next := g.TipHeight() + 1
	young := g.CoinbaseOut(g.NameAt(next - int32(g.Params().CoinbaseMaturity) + 1))
	old := g.CoinbaseOut(g.NameAt(next - int32(g.Params().CoinbaseMaturity)))
	g.NextBlock("coinbase-maturity-99", AddTxs(g.SpendTx(young, 0)))
	g.Reject(consensus.ErrPrematureCoinbaseSpend)
	g.NextBlock("coinbase-maturity-100", AddTxs(g.SpendTx(old, 0)))
	g.AcceptTip()
	g.ExpectSpent(old.OutPoint)
	g.ExpectUnspent(young.OutPoint)

	out = g.SpendableCoinbases(1)[0]
	g.NextBlock("outputs-above-inputs", AddTxs(g.SpendTx(out, -1)))
	g.Reject(consensus.ErrSpendTooHigh)
	g.NextBlock("coinbase-above-subsidy-and-fees", AddTxs(g.SpendTx(out, 5000)), CoinbaseValue(1))
	g.Reject(consensus.ErrBadCoinbaseValue)
	g.NextBlock("coinbase-above-subsidy", CoinbaseValue(1))
	g.Reject(consensus.ErrBadCoinbaseValue)
	g.NextBlock("coinbase-subsidy-and-fees", AddTxs(g.SpendTx(out, 5000)))
	g.AcceptTip()
	g.NextBlock("coinbase-below-subsidy", CoinbaseValue(-1))
	g.AcceptTip()
	g.Submit("coinbase-above-subsidy-and-fees", KnownInvalid, 0)
	g.Submit("c1", Duplicate, 0)
}

// seqScripts spends outputs whose scripts fail: OP_FALSE, P2PKH with a bad
// signature, CHECKLOCKTIMEVERIFY and CHECKSEQUENCEVERIFY.
func seqScripts(g *Generator) {
	g.Chain("m", 102)
	lockHeight := int64(g.TipHeight())
	cltv := mustScript(script.NewBuilder().AddInt64(lockHeight).
		AddOps(script.OP_CHECKLOCKTIMEVERIFY, script.OP_DROP, script.OP_TRUE))
	csv := mustScript(script.NewBuilder().AddInt64(2).
		AddOps(script.OP_CHECKSEQUENCEVERIFY, script.OP_DROP, script.OP_TRUE))
	out := g.SpendableCoinbases(1)[0]
	fund := g.CreateTx([]SpendableOut{out},
		&wire.TxOut{Value: consensus.Coin, PkScript: []byte{script.OP_FALSE}},
		&wire.TxOut{Value: consensus.Coin, PkScript: g.P2PKHScript()},
		&wire.TxOut{Value: consensus.Coin, PkScript: cltv},
		&wire.TxOut{Value: consensus.Coin, PkScript: OpTrueScript})
	g.NextBlock("fund", AddTxs(fund))
	g.AcceptTip()
	opFalse, p2pkh, cltvOut := g.OutputOf(fund, 0), g.OutputOf(fund, 1), g.OutputOf(fund, 2)

	g.NextBlock("spend-op-false", AddTxs(g.SpendTx(opFalse, 0)))
	g.Reject(consensus.ErrScriptFailed)
	badSig := g.SpendTx(p2pkh, 0)
	badSig.TxOut[0].Value -= 1000 // after signing: the signature no longer matches
	g.NextBlock("p2pkh-bad-signature", AddTxs(badSig))
	g.Reject(consensus.ErrScriptFailed)
	noSig := withTx(g.SpendTx(p2pkh, 0), func(tx *wire.Tx) { tx.TxIn[0].SignatureScript = nil })
	g.NextBlock("p2pkh-no-signature", AddTxs(noSig))
	g.Reject(consensus.ErrScriptFailed)
	g.NextBlock("p2pkh-good", AddTxs(g.SpendTx(p2pkh, 1000)))
	g.AcceptTip()
	g.ExpectSpent(p2pkh.OutPoint)

	spendCLTV := func(lt, seq uint32) *wire.Tx {
		return withTx(g.SpendTx(cltvOut, 0), func(tx *wire.Tx) { tx.LockTime, tx.TxIn[0].Sequence = lt, seq })
	}
	g.NextBlock("cltv-locktime-below", AddTxs(spendCLTV(uint32(lockHeight-1), 0)))
	g.Reject(consensus.ErrScriptFailed)
	g.NextBlock("cltv-final-sequence", AddTxs(spendCLTV(uint32(lockHeight), wire.MaxTxInSequenceNum)))
	g.Reject(consensus.ErrScriptFailed)
	g.NextBlock("cltv-time-for-height", AddTxs(spendCLTV(consensus.LockTimeThreshold, 0)))
	g.Reject(consensus.ErrScriptFailed)
	g.NextBlock("cltv-good", AddTxs(spendCLTV(uint32(lockHeight), 0)))
	g.AcceptTip()
	g.ExpectSpent(cltvOut.OutPoint)

	// CSV needs a fresh output: the relative lock counts from its block.
	out = g.SpendableCoinbases(1)[0]
	csvFund := g.CreateTx([]SpendableOut{out}, &wire.TxOut{Value: out.Value - 1000, PkScript: csv})
	g.NextBlock("csv-fund", AddTxs(csvFund))
	g.AcceptTip()
	csvOut := g.OutputOf(csvFund, 0)
	spendCSV := func(version int32, seq uint32) *wire.Tx {
		return withTx(g.SpendTx(csvOut, 0), func(tx *wire.Tx) { tx.Version, tx.TxIn[0].Sequence = version, seq })
	}
	g.NextBlock("csv-version-1", AddTxs(spendCSV(1, 2)))
	g.Reject(consensus.ErrScriptFailed)
	g.NextBlock("csv-sequence-below", AddTxs(spendCSV(2, 1)))
	g.Reject(consensus.ErrScriptFailed)
	g.NextBlock("csv-sequence-disabled", AddTxs(spendCSV(2, 2|consensus.SequenceLockTimeDisabled)))
	g.Reject(consensus.ErrScriptFailed)
	// The script is satisfied, but BIP68 wants the output 2 blocks deep.
	g.NextBlock("csv-bip68-not-met", AddTxs(spendCSV(2, 2)))
	g.Reject(consensus.ErrSequenceLockNotMet)
	g.NextBlock("csv-wait")
	g.AcceptTip()
	g.NextBlock("csv-good", AddTxs(spendCSV(2, 2)))
	g.AcceptTip()
	g.ExpectSpent(csvOut.OutPoint)
}

// seqRelativeLocks checks BIP68 sequence locks by height and by time on
// plain outputs, up to the first block that meets each.
func seqRelativeLocks(g *Generator) {
	g.Chain("m", 102)
	out := g.SpendableCoinbases(1)[0]
	fund := g.CreateTx([]SpendableOut{out},
		&wire.TxOut{Value: consensus.Coin, PkScript: OpTrueScript},
		&wire.TxOut{Value: consensus.Coin, PkScript: OpTrueScript},
		&wire.TxOut{Value: consensus.Coin, PkScript: OpTrueScript})
	g.NextBlock("fund", AddTxs(fund))
	g.AcceptTip()
	fundHeight := g.TipHeight()
	relative := func(i int, version int32, seq uint32) *wire.Tx {
		return withTx(g.SpendTx(g.OutputOf(fund, i), 0), func(tx *wire.Tx) { tx.Version, tx.TxIn[0].Sequence = version, seq })
	}
	// Version 1 transactions have no relative locks.
	g.NextBlock("version-1-unlocked", AddTxs(relative(0, 1, 5)))
	g.AcceptTip()

	// By height: 5 blocks means a height above fundHeight+4.
	byHeight := relative(1, 2, 5)
	for i := 0; g.TipHeight()+1 <= fundHeight+4; i++ {
		g.NextBlock(fmt.Sprintf("height-lock-early-%d", i), AddTxs(byHeight))
		g.Reject(consensus.ErrSequenceLockNotMet)
		g.NextBlock(fmt.Sprintf("height-wait-%d", i))
		g.AcceptTip()
	}
	g.NextBlock("height-lock-met", AddTxs(byHeight))
	g.AcceptTip()

	// By time: 2 units of 512 s after the median time past of the block
	// before the output's block.
	byTime := relative(2, 2, consensus.SequenceLockTimeIsSeconds|2)
	minTime := g.MedianTimePast(g.NameAt(fundHeight-1)) + 2<<consensus.SequenceLockTimeGranularity - 1
	for i := 0; g.MedianTimePast(g.Tip()) <= minTime; i++ {
		g.NextBlock(fmt.Sprintf("time-lock-early-%d", i), AddTxs(byTime))
		g.Reject(consensus.ErrSequenceLockNotMet)
		g.NextBlock(fmt.Sprintf("time-wait-%d", i))
		g.AcceptTip()
	}
	g.NextBlock("time-lock-met", AddTxs(byTime))
	g.AcceptTip()
}

// seqP2SHSigOps checks the block sigop limit where it counts the redeem
// scripts of P2SH spends, which only the connection of a block reveals.
func seqP2SHSigOps(g *Generator) {
	g.Chain("m", 102)
	// 199 OP_CHECKMULTISIG not executed: 3,980 sigops by the P2SH count,
	// 201 counted operations, and a script that succeeds.
	redeem := append([]byte{script.OP_0, script.OP_IF}, bytes.Repeat([]byte{script.OP_CHECKMULTISIG}, 199)...)
	redeem = append(redeem, script.OP_ENDIF, script.OP_TRUE)
	perInput := script.GetSigOpCount(redeem, true)
	p2sh, err := script.PayToScriptHashScript(script.Hash160(redeem))
	if err != nil {
		panic(err)
	}
	const inputs = 5
	out := g.SpendableCoinbases(1)[0]
	var outs []*wire.TxOut
	for i := 0; i < inputs; i++ {
		outs = append(outs, &wire.TxOut{Value: consensus.Coin, PkScript: p2sh})
	}
	fund := g.CreateTx([]SpendableOut{out}, outs...)
	g.NextBlock("fund", AddTxs(fund))
	g.AcceptTip()
	var ins []SpendableOut
	for i := 0; i < inputs; i++ {
		ins = append(ins, g.OutputOf(fund, i))
	}
	spend := g.CreateTx(ins, &wire.TxOut{Value: inputs*consensus.Coin - 1000, PkScript: OpTrueScript})
	for _, in := range spend.TxIn {
		in.SignatureScript = script.AppendMinimalPush(nil, redeem)
	}
	legacy := consensus.MaxBlockSigOps - inputs*perInput
	if legacy <= 0 || script.GetP2SHSigOpCount(spend.TxIn[0].SignatureScript, p2sh) != perInput {
		panic("unexpected P2SH sigop count")
	}
	g.NextBlock("p2sh-sigops-max+1", AddSigOps(legacy+1), AddTxs(spend))
	g.Reject(consensus.ErrTooManySigOps)
	g.NextBlock("p2sh-sigops-max", AddSigOps(legacy), AddTxs(spend))
	g.AcceptTip()
	g.ExpectSpent(ins[0].OutPoint, ins[inputs-1].OutPoint)
}

// seqReorg checks chain selection between two branches: equal work keeps
// the first-seen tip, more work reorganises, and the coin set follows.
func seqReorg(g *Generator) {
	g.Chain("m", 102)
	outs := g.SpendableCoinbases(3)
	txA := g.SpendTx(outs[0], 1000)
	g.NextBlock("a1", AddTxs(txA))
	g.AcceptTip()
	// a2 spends an output a2 itself creates: undone in the right order.
	outC := outs[2]
	chain1 := g.SpendTx(outC, 1000)
	chain2 := g.SpendTx(g.OutputOf(chain1, 0), 1000)
	g.NextBlock("a2", AddTxs(chain1, chain2))
	g.AcceptTip()
	g.ExpectSpent(outs[0].OutPoint, outC.OutPoint, g.OutputOf(chain1, 0).OutPoint)
	g.ExpectUnspent(g.OutputOf(chain2, 0).OutPoint)

	g.SetTip("m102")
	txB := g.SpendTx(outs[1], 1000)
	g.NextBlock("b1", AddTxs(txB))
	g.AcceptSide()
	g.NextBlock("b2")
	g.AcceptSide() // equal work: the first seen stays
	g.ExpectSpent(outs[0].OutPoint)
	g.ExpectUnspent(outs[1].OutPoint)
	g.NextBlock("b3")
	g.AcceptTip()
	g.ExpectUnspent(outs[0].OutPoint, g.CoinbaseOut("b1").OutPoint)
	g.ExpectSpent(outs[1].OutPoint, g.OutputOf(txA, 0).OutPoint, g.CoinbaseOut("a1").OutPoint)
	g.ExpectUnspent(g.OutputOf(txB, 0).OutPoint, outC.OutPoint)
	g.ExpectSpent(g.OutputOf(chain1, 0).OutPoint, g.OutputOf(chain2, 0).OutPoint)

	g.SetTip("a2")
	g.NextBlock("a3")
	g.AcceptSide()
	g.NextBlock("a4")
	g.AcceptTip()
	g.ExpectSpent(outs[0].OutPoint, g.OutputOf(txB, 0).OutPoint, g.CoinbaseOut("b1").OutPoint)
	g.ExpectUnspent(outs[1].OutPoint, g.OutputOf(txA, 0).OutPoint, g.OutputOf(chain2, 0).OutPoint)
	g.ExpectSpent(outC.OutPoint, g.OutputOf(chain1, 0).OutPoint)
	g.Submit("b3", Duplicate, 0)
}

// seqReorg150 reorganises 150 blocks deep, across the regtest halving.
func seqReorg150(g *Generator) {
	spendAt := int32(110)
	branch := func(prefix string, n int32, side bool) *wire.Tx {
		var spent *wire.Tx
		for i := int32(1); i <= n; i++ {
			var mods []Mutator
			if i == spendAt {
				spent = g.SpendTx(g.CoinbaseOut(prefix+"1"), 1000)
				mods = append(mods, AddTxs(spent))
			}
			if prefix == "a" && i == 150 {
				// The subsidy halves at 150: the old one is too much.
				g.NextBlock("a150-old-subsidy", CoinbaseValue(consensus.CalcBlockSubsidy(149, g.Params())-
					consensus.CalcBlockSubsidy(150, g.Params())))
				g.Reject(consensus.ErrBadCoinbaseValue)
			}
			g.NextBlock(fmt.Sprintf("%s%d", prefix, i), mods...)
			if side && i <= 150 {
				g.AcceptSide()
			} else {
				g.AcceptTip()
			}
		}
		return spent
	}
	txA := branch("a", 150, false)
	g.SetTip(GenesisName)
	txB := branch("b", 151, true)
	g.ExpectSpent(g.CoinbaseOut("a1").OutPoint, g.CoinbaseOut("a150").OutPoint, g.OutputOf(txA, 0).OutPoint,
		g.CoinbaseOut("b1").OutPoint)
	g.ExpectUnspent(g.CoinbaseOut("b2").OutPoint, g.CoinbaseOut("b151").OutPoint, g.OutputOf(txB, 0).OutPoint)
	g.SetTip("a150")
	g.NextBlock("a151")
	g.AcceptSide()
}

// seqReorgOntoInvalid makes a side chain with more work whose second block
// fails when connected: the chain must fall back to the old branch, mark
// the bad block and its descendants invalid, keep extending the old branch,
// and still accept a valid branch from below the bad block.
func seqReorgOntoInvalid(g *Generator) {
	g.Chain("m", 102)
	outs := g.SpendableCoinbases(2)
	txA := g.SpendTx(outs[0], 1000)
	g.NextBlock("a1", AddTxs(txA))
	g.AcceptTip()
	g.NextBlock("a2")
	g.AcceptTip()
	g.NextBlock("a3")
	g.AcceptTip()

	g.SetTip("m102")
	txS := g.SpendTx(outs[1], 1000)
	g.NextBlock("s1", AddTxs(txS))
	g.AcceptSide()
	g.NextBlock("s2", AddTxs(g.SpendTx(missingOut, 0)))
	g.AcceptSide()
	g.NextBlock("s3")
	g.AcceptSide()
	g.NextBlock("s4")
	g.Submit("s4", KnownInvalid, 0)
	g.ExpectTip("a3")
	g.ExpectInvalid("s2", "s3", "s4")
	g.ExpectNotInvalid("s1", "a1", "a3")
	g.ExpectSpent(outs[0].OutPoint, g.OutputOf(txS, 0).OutPoint)
	g.ExpectUnspent(outs[1].OutPoint, g.OutputOf(txA, 0).OutPoint)
	g.NextBlock("s5")
	g.Submit("s5", KnownInvalid, 0)
	g.Submit("s2", KnownInvalid, 0)

	g.SetTip("a3")
	g.NextBlock("a4")
	g.AcceptTip()

	g.SetTip("s1")
	for _, name := range []string{"t2", "t3", "t4"} {
		g.NextBlock(name)
		g.AcceptSide()
	}
	g.NextBlock("t5")
	g.AcceptTip()
	g.ExpectSpent(outs[1].OutPoint, g.OutputOf(txA, 0).OutPoint)
	g.ExpectUnspent(outs[0].OutPoint, g.OutputOf(txS, 0).OutPoint)
	g.ExpectNotInvalid("s1")
	g.ExpectInvalid("s2")
}
