package script

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// p2pkhFixture is a signed P2PKH spend: a two-input, two-output
// transaction whose input 0 spends pkScript.
type p2pkhFixture struct {
	key       *btcec.PrivateKey
	tx        *wire.Tx
	pkScript  []byte
	sigScript []byte
}

func newP2PKHFixture(tb testing.TB, seed byte) *p2pkhFixture {
	tb.Helper()
	var kb [32]byte
	for i := range kb {
		kb[i] = seed + byte(i)*7 + 1
	}
	key, _ := btcec.PrivKeyFromBytes(kb[:])
	pkScript, err := PayToPubKeyHashScript(Hash160(key.PubKey().SerializeCompressed()))
	if err != nil {
		tb.Fatal(err)
	}
	tx := &wire.Tx{Version: 2, LockTime: 0}
	for i := 0; i < 2; i++ {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{
			PreviousOutPoint: wire.OutPoint{Hash: wire.DoubleSHA256([]byte{seed, byte(i)}), Index: uint32(i)},
			Sequence:         wire.MaxTxInSequenceNum,
		})
	}
	for i := 0; i < 2; i++ {
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: int64(1e8 * (i + 1)), PkScript: pkScript})
	}
	sigScript, err := SignatureScript(tx, 0, pkScript, SigHashAll, key, true)
	if err != nil {
		tb.Fatal(err)
	}
	tx.TxIn[0].SignatureScript = sigScript
	return &p2pkhFixture{key: key, tx: tx, pkScript: pkScript, sigScript: sigScript}
}

func BenchmarkP2PKHVerify(b *testing.B) {
	f := newP2PKHFixture(b, 1)
	if err := VerifyScript(f.sigScript, f.pkScript, StandardVerifyFlags, NewTxSigChecker(f.tx, 0, nil)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		checker := MakeTxSigChecker(f.tx, 0, nil)
		if err := VerifyScript(f.sigScript, f.pkScript, StandardVerifyFlags, &checker); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkECDSAVerifyBare(b *testing.B) {
	f := newP2PKHFixture(b, 1)
	pushes, err := ExtractPushes(f.sigScript)
	if err != nil {
		b.Fatal(err)
	}
	der := pushes[0][:len(pushes[0])-1]
	sig, err := ecdsa.ParseDERSignature(der)
	if err != nil {
		b.Fatal(err)
	}
	pk, err := btcec.ParsePubKey(pushes[1])
	if err != nil {
		b.Fatal(err)
	}
	hash := CalcSignatureHash(f.pkScript, SigHashAll, f.tx, 0)
	if !sig.Verify(hash[:], pk) {
		b.Fatal("signature does not verify")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if !sig.Verify(hash[:], pk) {
			b.Fatal("signature does not verify")
		}
	}
}

func BenchmarkCalcSignatureHash(b *testing.B) {
	f := newP2PKHFixture(b, 1)
	b.ReportAllocs()
	for b.Loop() {
		CalcSignatureHash(f.pkScript, SigHashAll, f.tx, 0)
	}
}
