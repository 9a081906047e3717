package consensus

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// Helpers that build transactions and blocks for the tests.

func outpoint(n byte, index uint32) wire.OutPoint {
	var h wire.Hash
	h[0], h[31] = n, 0x5a
	return wire.OutPoint{Hash: h, Index: index}
}

// spendTx returns a transaction spending the given outpoints into one
// output of value 1,000 to OP_TRUE.
func spendTx(ops ...wire.OutPoint) *wire.Tx {
	tx := &wire.Tx{Version: 2, TxOut: []*wire.TxOut{{Value: 1000, PkScript: []byte{0x51}}}}
	for _, op := range ops {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: op,
			SignatureScript: []byte{0x51}, Sequence: wire.MaxTxInSequenceNum})
	}
	return tx
}

// coinbaseTx returns a coinbase for the height with the given script suffix.
func coinbaseTx(height int64, suffix ...byte) *wire.Tx {
	script := append(BIP34HeightScript(height), suffix...)
	if len(script) < 2 {
		script = append(script, 0x00)
	}
	return &wire.Tx{
		Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: script, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: 50 * Coin, PkScript: []byte{0x51}}},
	}
}

// solvedBlock builds a block of txs with the right merkle root, solved at
// regtest difficulty.
func solvedBlock(t testing.TB, txs ...*wire.Tx) *wire.Block {
	t.Helper()
	blk := &wire.Block{
		Header: wire.BlockHeader{Version: 4, PrevBlock: RegTestParams.GenesisHash,
			Timestamp: GenesisTime + 60, Bits: RegTestPowLimitBits},
		Transactions: txs,
	}
	blk.Header.MerkleRoot, _ = wire.MerkleRoot(blk.TxHashes())
	if !SolveHeader(&blk.Header, RegTestParams.PowLimit) {
		t.Fatal("could not solve block")
	}
	return blk
}

func resolve(t testing.TB, blk *wire.Block) *wire.Block {
	t.Helper()
	blk.Header.Nonce = 0
	if !SolveHeader(&blk.Header, RegTestParams.PowLimit) {
		t.Fatal("could not solve block")
	}
	return blk
}

func wantKind(t *testing.T, name string, err error, want ErrorKind) {
	t.Helper()
	if want == 0 {
		if err != nil {
			t.Errorf("%s: unexpected error %v", name, err)
		}
		return
	}
	kind, ok := IsRuleError(err)
	if !ok || kind != want {
		t.Errorf("%s: got %v, want kind %v", name, err, want)
	}
}

func TestCheckTransactionSanity(t *testing.T) {
	many := make([]wire.OutPoint, 20)
	for i := range many {
		many[i] = outpoint(byte(i), uint32(i))
	}
	manyDup := append(append([]wire.OutPoint(nil), many...), many[13])

	tests := []struct {
		name   string
		tx     func() *wire.Tx
		kind   ErrorKind
		reason string
	}{
		{"valid spend", func() *wire.Tx { return spendTx(outpoint(1, 0)) }, 0, ""},
		{"valid many inputs", func() *wire.Tx { return spendTx(many...) }, 0, ""},
		{"valid coinbase", func() *wire.Tx { return coinbaseTx(1000) }, 0, ""},
		{"no inputs", func() *wire.Tx { tx := spendTx(); return tx }, ErrNoTxInputs, "bad-txns-vin-empty"},
		{"no outputs", func() *wire.Tx {
			tx := spendTx(outpoint(1, 0))
			tx.TxOut = nil
			return tx
		}, ErrNoTxOutputs, "bad-txns-vout-empty"},
		{"oversize", func() *wire.Tx {
			tx := spendTx(outpoint(1, 0))
			tx.TxOut[0].PkScript = make([]byte, MaxBlockSize)
			return tx
		}, ErrTxTooBig, "bad-txns-oversize"},
		{"largest allowed size", func() *wire.Tx {
			tx := spendTx(outpoint(1, 0))
			tx.TxOut[0].PkScript = make([]byte, MaxBlockSize-tx.SerializeSize())
			tx.TxOut[0].PkScript = tx.TxOut[0].PkScript[:len(tx.TxOut[0].PkScript)-(tx.SerializeSize()-MaxBlockSize)]
			if tx.SerializeSize() != MaxBlockSize {
				t.Fatalf("built a %d-byte transaction", tx.SerializeSize())
			}
			return tx
		}, 0, ""},
		{"negative output", func() *wire.Tx {
			tx := spendTx(outpoint(1, 0))
			tx.TxOut[0].Value = -1
			return tx
		}, ErrNegativeTxOut, "bad-txns-vout-negative"},
		{"output above MaxMoney", func() *wire.Tx {
			tx := spendTx(outpoint(1, 0))
			tx.TxOut[0].Value = MaxMoney + 1
			return tx
		}, ErrTxOutTooLarge, "bad-txns-vout-toolarge"},
		{"output of MaxMoney", func() *wire.Tx {
			tx := spendTx(outpoint(1, 0))
			tx.TxOut[0].Value = MaxMoney
			return tx
		}, 0, ""},
		{"outputs sum above MaxMoney", func() *wire.Tx {
			tx := spendTx(outpoint(1, 0))
			tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: MaxMoney, PkScript: []byte{0x51}})
			return tx
		}, ErrTxOutTotalTooLarge, "bad-txns-txouttotal-toolarge"},
		{"duplicate inputs", func() *wire.Tx { return spendTx(outpoint(1, 0), outpoint(1, 0)) },
			ErrDuplicateTxInputs, "bad-txns-inputs-duplicate"},
		{"duplicate among many inputs", func() *wire.Tx { return spendTx(manyDup...) },
			ErrDuplicateTxInputs, "bad-txns-inputs-duplicate"},
		{"same hash, other index", func() *wire.Tx { return spendTx(outpoint(1, 0), outpoint(1, 1)) }, 0, ""},
		{"coinbase script 1 byte", func() *wire.Tx {
			tx := coinbaseTx(1)
			tx.TxIn[0].SignatureScript = []byte{0x51}
			return tx
		}, ErrBadCoinbaseScriptLen, "bad-cb-length"},
		{"coinbase script 2 bytes", func() *wire.Tx {
			tx := coinbaseTx(1)
			tx.TxIn[0].SignatureScript = []byte{0x51, 0x00}
			return tx
		}, 0, ""},
		{"coinbase script 100 bytes", func() *wire.Tx {
			tx := coinbaseTx(1)
			tx.TxIn[0].SignatureScript = make([]byte, 100)
			return tx
		}, 0, ""},
		{"coinbase script 101 bytes", func() *wire.Tx {
			tx := coinbaseTx(1)
			tx.TxIn[0].SignatureScript = make([]byte, 101)
			return tx
		}, ErrBadCoinbaseScriptLen, "bad-cb-length"},
		{"null prevout in a non-coinbase", func() *wire.Tx {
			return spendTx(outpoint(1, 0), wire.OutPoint{Index: wire.MaxPrevOutIndex})
		}, ErrNullPrevOut, "bad-txns-prevout-null"},
		{"nil transaction", func() *wire.Tx { return nil }, ErrMalformed, "bad-txns-malformed"},
		{"nil input", func() *wire.Tx {
			tx := spendTx(outpoint(1, 0))
			tx.TxIn = append(tx.TxIn, nil)
			return tx
		}, ErrMalformed, "bad-txns-malformed"},
		{"nil output", func() *wire.Tx {
			tx := spendTx(outpoint(1, 0))
			tx.TxOut = append(tx.TxOut, nil)
			return tx
		}, ErrMalformed, "bad-txns-malformed"},
	}
	for _, tc := range tests {
		err := CheckTransactionSanity(tc.tx())
		wantKind(t, tc.name, err, tc.kind)
		if re, ok := err.(*RuleError); ok && re.Reason != tc.reason {
			t.Errorf("%s: reason %q, want %q", tc.name, re.Reason, tc.reason)
		}
	}
}

func TestCheckBlockSanity(t *testing.T) {
	limit := RegTestParams.PowLimit
	spend := func(n byte) *wire.Tx { return spendTx(outpoint(n, 0)) }
	sigOpTx := func(n int) *wire.Tx {
		tx := spend(9)
		tx.TxOut[0].PkScript = bytes.Repeat([]byte{0xac}, n) // OP_CHECKSIG
		return tx
	}

	tests := []struct {
		name    string
		block   func() *wire.Block
		limit   *big.Int
		kind    ErrorKind
		reason  string
		mutated bool
	}{
		{"valid", func() *wire.Block { return solvedBlock(t, coinbaseTx(1), spend(1), spend(2)) }, limit, 0, "", false},
		{"valid coinbase only", func() *wire.Block { return solvedBlock(t, coinbaseTx(1)) }, limit, 0, "", false},
		{"bits above the limit", func() *wire.Block { return solvedBlock(t, coinbaseTx(1)) },
			MainNetParams.PowLimit, ErrBadTarget, "high-hash", false},
		{"negative bits", func() *wire.Block {
			blk := solvedBlock(t, coinbaseTx(1))
			blk.Header.Bits = 0x20ffffff
			return blk
		}, limit, ErrBadTarget, "high-hash", false},
		{"hash above target", func() *wire.Block {
			blk := solvedBlock(t, coinbaseTx(1))
			blk.Header.Bits = 0x1e00ffff
			for CheckProofOfWork(blk.BlockHash(), blk.Header.Bits, nil) == nil {
				blk.Header.Nonce++
			}
			return blk
		}, limit, ErrHighHash, "high-hash", false},
		{"merkle root mismatch", func() *wire.Block {
			blk := solvedBlock(t, coinbaseTx(1), spend(1))
			blk.Transactions[1] = spend(2)
			return blk
		}, limit, ErrBadMerkleRoot, "bad-txnmrklroot", true},
		{"mutated merkle tree (CVE-2012-2459)", func() *wire.Block {
			// [cb a b] and [cb a b b] have the same merkle root.
			blk := solvedBlock(t, coinbaseTx(1), spend(1), spend(2))
			blk.Transactions = append(blk.Transactions, blk.Transactions[2])
			return blk
		}, limit, ErrMutatedMerkle, "bad-txns-duplicate", true},
		{"mutated merkle tree, deeper level", func() *wire.Block {
			// [cb a b c d e] and [cb a b c d e d e] have the same root.
			txs := []*wire.Tx{coinbaseTx(1), spend(1), spend(2), spend(3), spend(4), spend(5)}
			blk := solvedBlock(t, txs...)
			blk.Transactions = append(blk.Transactions, txs[4], txs[5])
			return blk
		}, limit, ErrMutatedMerkle, "bad-txns-duplicate", true},
		{"no transactions", func() *wire.Block { return solvedBlock(t) }, limit, ErrBlockLength, "bad-blk-length", false},
		{"too many bytes", func() *wire.Block {
			big1, big2 := spend(1), spend(2)
			big1.TxOut[0].PkScript = make([]byte, 600_000)
			big2.TxOut[0].PkScript = make([]byte, 600_000)
			return solvedBlock(t, coinbaseTx(1), big1, big2)
		}, limit, ErrBlockLength, "bad-blk-length", false},
		{"first transaction not a coinbase", func() *wire.Block { return solvedBlock(t, spend(1), spend(2)) },
			limit, ErrFirstTxNotCoinbase, "bad-cb-missing", false},
		{"second coinbase", func() *wire.Block { return solvedBlock(t, coinbaseTx(1), spend(1), coinbaseTx(1, 0xee)) },
			limit, ErrMultipleCoinbases, "bad-cb-multiple", false},
		{"invalid transaction", func() *wire.Block {
			bad := spend(1)
			bad.TxOut[0].Value = -5
			return solvedBlock(t, coinbaseTx(1), bad)
		}, limit, ErrNegativeTxOut, "bad-txns-vout-negative", false},
		{"invalid coinbase", func() *wire.Block {
			cb := coinbaseTx(1)
			cb.TxIn[0].SignatureScript = make([]byte, 101)
			return solvedBlock(t, cb)
		}, limit, ErrBadCoinbaseScriptLen, "bad-cb-length", false},
		{"sigops at the limit", func() *wire.Block { return solvedBlock(t, coinbaseTx(1), sigOpTx(MaxBlockSigOps)) },
			limit, 0, "", false},
		{"sigops above the limit", func() *wire.Block { return solvedBlock(t, coinbaseTx(1), sigOpTx(MaxBlockSigOps+1)) },
			limit, ErrTooManySigOps, "bad-blk-sigops", false},
		{"multisig sigops count 20 each", func() *wire.Block {
			tx := spend(9)
			tx.TxOut[0].PkScript = bytes.Repeat([]byte{0x52, 0xae}, MaxBlockSigOps/20+1) // OP_2 CHECKMULTISIG
			return solvedBlock(t, coinbaseTx(1), tx)
		}, limit, ErrTooManySigOps, "bad-blk-sigops", false},
		{"sigops in signature scripts", func() *wire.Block {
			tx := spend(9)
			tx.TxIn[0].SignatureScript = bytes.Repeat([]byte{0xad}, MaxBlockSigOps+1) // CHECKSIGVERIFY
			return solvedBlock(t, coinbaseTx(1), tx)
		}, limit, ErrTooManySigOps, "bad-blk-sigops", false},
		{"nil block", func() *wire.Block { return nil }, limit, ErrMalformed, "bad-blk-malformed", false},
		{"nil transaction", func() *wire.Block {
			blk := solvedBlock(t, coinbaseTx(1))
			blk.Transactions = append(blk.Transactions, nil)
			return blk
		}, limit, ErrMalformed, "bad-blk-malformed", false},
	}
	for _, tc := range tests {
		err := CheckBlockSanity(tc.block(), tc.limit)
		wantKind(t, tc.name, err, tc.kind)
		if re, ok := err.(*RuleError); ok {
			if re.Reason != tc.reason {
				t.Errorf("%s: reason %q, want %q", tc.name, re.Reason, tc.reason)
			}
			if re.Mutated() != tc.mutated {
				t.Errorf("%s: Mutated() = %v, want %v", tc.name, re.Mutated(), tc.mutated)
			}
		}
	}
}

func TestCheckBlockSanityTxDetail(t *testing.T) {
	bad := spendTx(outpoint(1, 0), outpoint(1, 0))
	blk := solvedBlock(t, coinbaseTx(1), bad)
	err := CheckBlockSanity(blk, RegTestParams.PowLimit)
	re, ok := err.(*RuleError)
	if !ok || re.Kind != ErrDuplicateTxInputs {
		t.Fatalf("got %v", err)
	}
	if !bytes.Contains([]byte(re.Detail), []byte(bad.TxHash().String())) {
		t.Errorf("detail %q does not name the transaction", re.Detail)
	}
}

func TestCountP2SHSigOps(t *testing.T) {
	redeem := []byte{0x52, 0x53, 0xae} // 2 3 CHECKMULTISIG: 3 accurate sigops
	p2sh := append([]byte{0xa9, 0x14}, make([]byte, 20)...)
	p2sh = append(p2sh, 0x87)
	tx := spendTx(outpoint(1, 0), outpoint(2, 0))
	tx.TxIn[0].SignatureScript = append([]byte{0x00, byte(len(redeem))}, redeem...)
	tx.TxIn[1].SignatureScript = append([]byte{byte(len(redeem))}, redeem...)
	tests := []struct {
		name  string
		tx    *wire.Tx
		coins []SpentCoin
		want  int
		kind  ErrorKind
	}{
		{"two P2SH inputs", tx, []SpentCoin{{PkScript: p2sh}, {PkScript: p2sh}}, 6, 0},
		{"one P2SH input", tx, []SpentCoin{{PkScript: p2sh}, {PkScript: []byte{0x51}}}, 3, 0},
		{"no P2SH input", tx, []SpentCoin{{PkScript: redeem}, {PkScript: []byte{0x51}}}, 0, 0},
		{"coinbase", coinbaseTx(5), nil, 0, 0},
		{"wrong coin count", tx, []SpentCoin{{PkScript: p2sh}}, 0, ErrMissingOrSpent},
		{"nil tx", nil, nil, 0, ErrMalformed},
	}
	for _, tc := range tests {
		got, err := CountP2SHSigOps(tc.tx, tc.coins)
		wantKind(t, tc.name, err, tc.kind)
		if got != tc.want {
			t.Errorf("%s: %d sigops, want %d", tc.name, got, tc.want)
		}
	}
	// Legacy counting does not look inside pushes: the redeem scripts'
	// CHECKMULTISIGs do not count, an output's bare one counts 20.
	if n := CountLegacySigOps(tx); n != 0 {
		t.Errorf("legacy sigops %d, want 0", n)
	}
	bare := spendTx(outpoint(3, 0))
	bare.TxIn[0].SignatureScript = []byte{0xac}
	bare.TxOut[0].PkScript = redeem
	if n := CountLegacySigOps(bare); n != 21 {
		t.Errorf("legacy sigops %d, want 21", n)
	}
	if n := CountLegacySigOps(nil); n != 0 {
		t.Errorf("CountLegacySigOps(nil) = %d", n)
	}
}

// benchBlock builds a block of n typical P2PKH-sized transactions.
func benchBlock(b *testing.B, n int) *wire.Block {
	txs := []*wire.Tx{coinbaseTx(1)}
	for i := 1; i < n; i++ {
		tx := &wire.Tx{Version: 2}
		tx.TxIn = []*wire.TxIn{{PreviousOutPoint: outpoint(byte(i), uint32(i)),
			SignatureScript: make([]byte, 107), Sequence: wire.MaxTxInSequenceNum}}
		pk := append([]byte{0x76, 0xa9, 0x14}, make([]byte, 20)...)
		pk = append(pk, 0x88, 0xac)
		tx.TxOut = []*wire.TxOut{{Value: int64(i), PkScript: pk}, {Value: 1, PkScript: pk}}
		txs = append(txs, tx)
	}
	return solvedBlock(b, txs...)
}

func BenchmarkCheckBlockSanity(b *testing.B) {
	blk := benchBlock(b, 4000) // about 900 kB
	b.SetBytes(int64(blk.SerializeSize()))
	if err := CheckBlockSanity(blk, RegTestParams.PowLimit); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := CheckBlockSanity(blk, RegTestParams.PowLimit); err != nil {
			b.Fatal(err)
		}
	}
}
