package script

import (
	"errors"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// spendTx returns a transaction with nIn inputs and nOut outputs.
func spendTx(nIn, nOut int) *wire.Tx {
	tx := &wire.Tx{Version: 2}
	for i := 0; i < nIn; i++ {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{
			PreviousOutPoint: wire.OutPoint{Hash: wire.DoubleSHA256([]byte{byte(i)}), Index: uint32(i)},
			Sequence:         wire.MaxTxInSequenceNum,
		})
	}
	for i := 0; i < nOut; i++ {
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: int64(1000 * (i + 1)), PkScript: []byte{OP_TRUE}})
	}
	return tx
}

func TestSignVerifyRoundTrip(t *testing.T) {
	k1, k2, k3 := testKey(1), testKey(2), testKey(3)
	pk1 := k1.PubKey().SerializeCompressed()
	pk2 := k2.PubKey().SerializeUncompressed()
	pk3 := k3.PubKey().SerializeCompressed()
	ms := must(t)(MultiSigScript(2, [][]byte{pk1, pk2, pk3}))

	hashTypes := []SigHashType{SigHashAll, SigHashNone, SigHashSingle,
		SigHashAll | SigHashAnyOneCanPay, SigHashNone | SigHashAnyOneCanPay, SigHashSingle | SigHashAnyOneCanPay}

	for _, ht := range hashTypes {
		t.Run(ht.String(), func(t *testing.T) {
			tx := spendTx(3, 3)
			const idx = 1

			// P2PKH, compressed and uncompressed.
			for _, compress := range []bool{true, false} {
				pub := k1.PubKey().SerializeUncompressed()
				if compress {
					pub = pk1
				}
				pkScript := must(t)(PayToPubKeyHashScript(Hash160(pub)))
				sigScript, err := SignatureScript(tx, idx, pkScript, ht, k1, compress)
				if err != nil {
					t.Fatal(err)
				}
				checkSpend(t, "p2pkh", tx, idx, sigScript, pkScript)
				tx.TxIn[idx].SignatureScript = sigScript
				if err := VerifyInput(tx, idx, pkScript, StandardVerifyFlags, nil); err != nil {
					t.Errorf("VerifyInput: %v", err)
				}
				if err := VerifyInput(tx, len(tx.TxIn), pkScript, StandardVerifyFlags, nil); err == nil {
					t.Error("VerifyInput accepted an index out of range")
				}
				tx.TxIn[idx].SignatureScript = nil
				// The same signature must fail for another input.
				err = VerifyScript(sigScript, pkScript, StandardVerifyFlags, NewTxSigChecker(tx, 0, nil))
				if GetErrorCode(err) != ErrNullFail {
					t.Errorf("p2pkh signature for the wrong input: %v, want NULLFAIL", err)
				}
			}

			// P2PK.
			p2pk := must(t)(PayToPubKeyScript(pk2))
			sig, err := RawTxInSignature(tx, idx, p2pk, ht, k2)
			if err != nil {
				t.Fatal(err)
			}
			if !IsLowDERSignature(sig) {
				t.Errorf("signature %x is not low-S strict DER", sig)
			}
			checkSpend(t, "p2pk", tx, idx, must(t)(NewBuilder().AddData(sig).Script()), p2pk)

			// Bare 2-of-3 multisig, keys 1 and 3.
			s1, _ := RawTxInSignature(tx, idx, ms, ht, k1)
			s3, _ := RawTxInSignature(tx, idx, ms, ht, k3)
			checkSpend(t, "multisig", tx, idx, must(t)(NewBuilder().AddOp(OP_0).AddData(s1).AddData(s3).Script()), ms)
			// Wrong order fails.
			err = VerifyScript(must(t)(NewBuilder().AddOp(OP_0).AddData(s3).AddData(s1).Script()), ms,
				MandatoryVerifyFlags, NewTxSigChecker(tx, idx, nil))
			if GetErrorCode(err) != ErrEvalFalse {
				t.Errorf("multisig with signatures out of order: %v, want EVAL_FALSE", err)
			}

			// P2SH-wrapped 2-of-3 multisig.
			p2sh := must(t)(PayToScriptHashScript(Hash160(ms)))
			s1, _ = RawTxInSignature(tx, idx, ms, ht, k1)
			s2, _ := RawTxInSignature(tx, idx, ms, ht, k2)
			checkSpend(t, "p2sh multisig", tx, idx,
				must(t)(NewBuilder().AddOp(OP_0).AddData(s1).AddData(s2).AddData(ms).Script()), p2sh)
		})
	}
}

// checkSpend verifies a spend under the standard flags, with and without a
// signature cache, and checks that tampering with the transaction breaks it.
func checkSpend(t *testing.T, what string, tx *wire.Tx, idx int, sigScript, pkScript []byte) {
	t.Helper()
	if err := VerifyScript(sigScript, pkScript, StandardVerifyFlags, NewTxSigChecker(tx, idx, nil)); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	cache := newMapCache()
	for i := 0; i < 2; i++ {
		if err := VerifyScript(sigScript, pkScript, StandardVerifyFlags, NewTxSigChecker(tx, idx, cache)); err != nil {
			t.Fatalf("%s with cache (pass %d): %v", what, i, err)
		}
	}
	if cache.hits == 0 {
		t.Errorf("%s: signature cache never hit", what)
	}
	// Changing what every hash type signs (this input's outpoint) must
	// invalidate the signature.
	saved := tx.TxIn[idx].PreviousOutPoint.Index
	tx.TxIn[idx].PreviousOutPoint.Index ^= 0x100
	err := VerifyScript(sigScript, pkScript, MandatoryVerifyFlags, NewTxSigChecker(tx, idx, nil))
	tx.TxIn[idx].PreviousOutPoint.Index = saved
	if err == nil {
		t.Errorf("%s: signature still valid after the outpoint changed", what)
	}
}

// mapCache is a trivial SigCache for tests.
type mapCache struct {
	mu   sync.Mutex
	m    map[string]bool
	hits int
}

func newMapCache() *mapCache { return &mapCache{m: make(map[string]bool)} }

func cacheKey(h wire.Hash, sig, pk []byte) string {
	return string(h[:]) + string(sig) + "|" + string(pk)
}

func (c *mapCache) Exists(h wire.Hash, sig, pk []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	ok := c.m[cacheKey(h, sig, pk)]
	if ok {
		c.hits++
	}
	return ok
}

func (c *mapCache) Add(h wire.Hash, sig, pk []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[cacheKey(h, sig, pk)] = true
}

func TestRawTxInSignatureErrors(t *testing.T) {
	tx := spendTx(2, 1)
	k := testKey(1)
	if _, err := RawTxInSignature(tx, 2, nil, SigHashAll, k); err == nil {
		t.Error("signing a missing input succeeded")
	}
	if _, err := RawTxInSignature(tx, 1, nil, SigHashSingle, k); err == nil {
		t.Error("SIGHASH_SINGLE without a matching output succeeded")
	}
	if _, err := RawTxInSignature(tx, 0, nil, 0x100, k); err == nil {
		t.Error("hash type above a byte accepted")
	}
}

func TestSigHashQuirks(t *testing.T) {
	tx := spendTx(2, 1)
	one := wire.Hash{1}
	if h := CalcSignatureHash(nil, SigHashSingle, tx, 1); h != one {
		t.Errorf("SIGHASH_SINGLE without output: %s, want 1", h)
	}
	if h := CalcSignatureHash(nil, SigHashAll, tx, 5); h != one {
		t.Errorf("input out of range: %s, want 1", h)
	}
	// OP_CODESEPARATORs are removed from the script code.
	a := CalcSignatureHash([]byte{OP_1, OP_CODESEPARATOR, OP_2, OP_CODESEPARATOR}, SigHashAll, tx, 0)
	b := CalcSignatureHash([]byte{OP_1, OP_2}, SigHashAll, tx, 0)
	if a != b {
		t.Error("OP_CODESEPARATOR not removed from the script code")
	}
	// ...but not inside pushes.
	c := CalcSignatureHash([]byte{0x01, OP_CODESEPARATOR}, SigHashAll, tx, 0)
	d := CalcSignatureHash(nil, SigHashAll, tx, 0)
	if c == d {
		t.Error("OP_CODESEPARATOR byte inside a push was removed")
	}
}

func TestFindAndDelete(t *testing.T) {
	tests := []struct {
		script, pattern, want string
		n                     int
	}{
		{"0x02 0x0302 0x02 0x0302", "0x02 0x0302", "", 2},
		{"0x02 0x0302 1 0x02 0x0302", "0x02 0x0302", "1", 2},
		{"0x03 0x020302", "0x02 0x0302", "0x03 0x020302", 0},     // inside a push
		{"0x02 0x0302 0x02 0x03", "0x02 0x0302", "0x02 0x03", 1}, // malformed tail kept
		{"0x00 0x00 1", "0x00", "1", 2},                          // an empty signature deletes OP_0s
		{"0x01 0x02 0xff", "0x01 0x02", "0xff", 1},
		{"0x02 0x0201 0x02", "0x02 0x0201", "0x02", 1},
	}
	for _, tc := range tests {
		s, p, w := mustParse(t, tc.script), mustParse(t, tc.pattern), mustParse(t, tc.want)
		got, n := findAndDelete(s, p)
		if n != tc.n || string(got) != string(w) {
			t.Errorf("findAndDelete(%s, %s) = %x, %d; want %x, %d", tc.script, tc.pattern, got, n, w, tc.n)
		}
	}
}

func TestLockTimeChecks(t *testing.T) {
	cltv := func(n int64) []byte {
		return must(t)(NewBuilder().AddInt64(n).AddOp(OP_CHECKLOCKTIMEVERIFY).Script())
	}
	csv := func(n int64) []byte {
		return must(t)(NewBuilder().AddInt64(n).AddOp(OP_CHECKSEQUENCEVERIFY).Script())
	}
	tests := []struct {
		name     string
		pkScript []byte
		version  int32
		lockTime uint32
		sequence uint32
		flags    Flags
		want     ErrorCode
	}{
		{"cltv height ok", cltv(100), 1, 100, 0, MandatoryVerifyFlags, ErrOK},
		{"cltv height too early", cltv(101), 1, 100, 0, MandatoryVerifyFlags, ErrUnsatisfiedLockTime},
		{"cltv final input", cltv(100), 1, 100, wire.MaxTxInSequenceNum, MandatoryVerifyFlags, ErrUnsatisfiedLockTime},
		{"cltv kind mismatch", cltv(100), 1, 500000000, 0, MandatoryVerifyFlags, ErrUnsatisfiedLockTime},
		{"cltv time ok", cltv(500000001), 1, 500000002, 0, MandatoryVerifyFlags, ErrOK},
		{"cltv negative", cltv(-1), 1, 100, 0, MandatoryVerifyFlags, ErrNegativeLockTime},
		{"cltv 5-byte operand", cltv(0xffffffff), 1, 0xffffffff, 0, MandatoryVerifyFlags, ErrOK},
		{"cltv off is NOP2", cltv(1000), 1, 0, 0, 0, ErrOK},
		{"cltv off discouraged", cltv(1000), 1, 0, 0, VerifyDiscourageUpgradableNops, ErrOK},
		{"cltv empty stack", []byte{OP_CHECKLOCKTIMEVERIFY}, 1, 0, 0, MandatoryVerifyFlags, ErrInvalidStackOperation},
		{"csv blocks ok", csv(10), 2, 0, 10, MandatoryVerifyFlags, ErrOK},
		{"csv blocks too early", csv(11), 2, 0, 10, MandatoryVerifyFlags, ErrUnsatisfiedLockTime},
		{"csv version 1", csv(10), 1, 0, 10, MandatoryVerifyFlags, ErrUnsatisfiedLockTime},
		{"csv negative version is large unsigned", csv(10), -1, 0, 10, MandatoryVerifyFlags, ErrOK},
		{"csv input disabled", csv(10), 2, 0, 10 | SequenceLockTimeDisabled, MandatoryVerifyFlags, ErrUnsatisfiedLockTime},
		{"csv operand disabled is NOP", csv(1 << 31), 1, 0, 0, MandatoryVerifyFlags, ErrOK},
		{"csv kind mismatch", csv(10), 2, 0, 10 | SequenceLockTimeIsSeconds, MandatoryVerifyFlags, ErrUnsatisfiedLockTime},
		{"csv seconds ok", csv(5 | SequenceLockTimeIsSeconds), 2, 0, 6 | SequenceLockTimeIsSeconds, MandatoryVerifyFlags, ErrOK},
		{"csv masked bits ignored", csv(10 | 1<<20), 2, 0, 10, MandatoryVerifyFlags, ErrOK},
		{"csv negative", csv(-1), 2, 0, 10, MandatoryVerifyFlags, ErrNegativeLockTime},
		{"csv off is NOP3", csv(1000), 1, 0, 0, 0, ErrOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := spendTx(1, 1)
			tx.Version, tx.LockTime, tx.TxIn[0].Sequence = tc.version, tc.lockTime, tc.sequence
			err := VerifyScript(nil, tc.pkScript, tc.flags, NewTxSigChecker(tx, 0, nil))
			if got := GetErrorCode(err); got != tc.want {
				t.Errorf("got %v (%v), want %v", got, err, tc.want)
			}
		})
	}
}

func TestEngineEdgeCases(t *testing.T) {
	k := testKey(7)
	pk := k.PubKey().SerializeCompressed()
	tests := []struct {
		name   string
		sig    []byte
		pk     []byte
		flags  Flags
		want   ErrorCode
		nilChk bool
	}{
		{"op_codeseparator under CONST_SCRIPTCODE", nil, []byte{OP_1, OP_CODESEPARATOR}, VerifyConstScriptCode, ErrOpCodeSeparator, false},
		{"op_codeseparator unexecuted", nil, mustParse(t, "1 0 IF CODESEPARATOR ENDIF"), VerifyConstScriptCode, ErrOpCodeSeparator, false},
		{"empty sig deletes OP_0 under CONST_SCRIPTCODE", mustParse(t, "0"), mustParse(t, "0x21 0x"+hexOf(pk)+" CHECKSIG 0 DROP NOT"), VerifyConstScriptCode, ErrSigFindAndDelete, false},
		{"empty sig without CONST_SCRIPTCODE", mustParse(t, "0"), mustParse(t, "0x21 0x"+hexOf(pk)+" CHECKSIG 0 DROP NOT"), 0, ErrOK, false},
		{"cleanstack needs p2sh", []byte{OP_1}, nil, VerifyCleanStack, ErrUnknown, false},
		{"cleanstack", []byte{OP_1, OP_1}, nil, VerifyCleanStack | VerifyP2SH, ErrCleanStack, false},
		{"sigpushonly", []byte{OP_1, OP_DUP}, nil, VerifySigPushOnly, ErrSigPushOnly, false},
		{"p2sh scriptSig not push-only", mustParse(t, "1 DUP DROP 0x01 0x51"), must(t)(PayToScriptHashScript(Hash160([]byte{OP_1}))), VerifyP2SH, ErrSigPushOnly, false},
		{"p2sh ok", mustParse(t, "0x01 0x51"), must(t)(PayToScriptHashScript(Hash160([]byte{OP_1}))), VerifyP2SH, ErrOK, false},
		{"p2sh redeem false", mustParse(t, "0x01 0x00"), must(t)(PayToScriptHashScript(Hash160([]byte{OP_0}))), VerifyP2SH, ErrEvalFalse, false},
		{"p2sh off", mustParse(t, "0x01 0x00"), must(t)(PayToScriptHashScript(Hash160([]byte{OP_0}))), 0, ErrOK, false},
		{"nil checker fails signatures", mustParse(t, "0x01 0x01"), mustParse(t, "0x21 0x"+hexOf(pk)+" CHECKSIG"), 0, ErrEvalFalse, true},
		{"nil checker fails cltv", nil, mustParse(t, "0 CHECKLOCKTIMEVERIFY"), VerifyCheckLockTimeVerify, ErrUnsatisfiedLockTime, true},
		{"stack size 1000 ok", nil, append(bytesOf(OP_1, 1000), OP_DROP), 0, ErrOK, false},
		{"stack size 1001", nil, bytesOf(OP_1, 1001), 0, ErrStackSize, false},
		{"altstack counts", nil, mustParse(t, "1 TOALTSTACK "+repeatWord("1", 999)+" 1"), 0, ErrStackSize, false},
		{"script size", nil, bytesOf(OP_NOP, MaxScriptSize+1), 0, ErrScriptSize, false},
		{"nested else", nil, mustParse(t, "0 IF 0 ELSE 1 IF ELSE 0 ENDIF ENDIF 1"), 0, ErrOK, false},
		{"else else", nil, mustParse(t, "1 IF 0 ELSE 1 ELSE 1 ENDIF"), 0, ErrOK, false},
		{"unbalanced", nil, mustParse(t, "1 IF 1"), 0, ErrUnbalancedConditional, false},
		{"roll", nil, mustParse(t, "1 2 3 2 ROLL 1 EQUALVERIFY 3 EQUALVERIFY 2 EQUAL"), 0, ErrOK, false},
		{"pick", nil, mustParse(t, "1 2 3 2 PICK 1 EQUALVERIFY 3 EQUALVERIFY 2 EQUALVERIFY 1 EQUAL"), 0, ErrOK, false},
		{"2rot", nil, mustParse(t, "1 2 3 4 5 6 2ROT 2 EQUALVERIFY 1 EQUALVERIFY 6 EQUALVERIFY 5 EQUALVERIFY 4 EQUALVERIFY 3 EQUAL"), 0, ErrOK, false},
		{"tuck", nil, mustParse(t, "1 2 TUCK 2 EQUALVERIFY 1 EQUALVERIFY 2 EQUAL"), 0, ErrOK, false},
		{"within", nil, mustParse(t, "5 0 10 WITHIN 10 0 10 WITHIN NOT BOOLAND"), 0, ErrOK, false},
		{"add overflow result usable", nil, mustParse(t, "0x04 0xffffff7f DUP ADD 0x05 0xfeffffff00 EQUAL"), 0, ErrOK, false},
		{"add 5-byte operand", nil, mustParse(t, "0x05 0xfeffffff00 1 ADD"), 0, ErrUnknown, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var chk SigChecker
			if !tc.nilChk {
				chk = NewTxSigChecker(spendTx(1, 1), 0, nil)
			}
			err := VerifyScript(tc.sig, tc.pk, tc.flags, chk)
			if got := GetErrorCode(err); got != tc.want {
				t.Errorf("got %v (%v), want %v", got, err, tc.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	err := VerifyScript(nil, []byte{OP_0}, 0, nil)
	var se *Error
	if !errors.As(err, &se) || se.Code != ErrEvalFalse {
		t.Fatalf("errors.As: %v", err)
	}
	wrapped := errors.Join(errors.New("input 3"), err)
	if GetErrorCode(wrapped) != ErrEvalFalse {
		t.Errorf("GetErrorCode through a wrapper = %v", GetErrorCode(wrapped))
	}
	if !errors.Is(wrapped, &Error{Code: ErrEvalFalse}) || errors.Is(wrapped, &Error{Code: ErrVerify}) {
		t.Error("errors.Is does not compare codes")
	}
	if GetErrorCode(nil) != ErrOK || GetErrorCode(errors.New("x")) != ErrUnknown {
		t.Error("GetErrorCode of nil / foreign errors")
	}
	for c := ErrOK; c < numErrorCodes; c++ {
		back, ok := ErrorCodeFromString(c.String())
		if !ok || back != c {
			t.Errorf("ErrorCode %d: name %q does not round-trip", int(c), c.String())
		}
	}
	if ErrSigNullDummy.String() != "SIG_NULLDUMMY" || ErrorCode(-1).String() != "ErrorCode(-1)" {
		t.Error("ErrorCode names")
	}
}

func TestFlags(t *testing.T) {
	f, err := ParseFlags("P2SH,STRICTENC")
	if err != nil || f != VerifyP2SH|VerifyStrictEnc {
		t.Fatalf("ParseFlags: %v %v", f, err)
	}
	for _, s := range []string{"", "NONE"} {
		if f, err := ParseFlags(s); err != nil || f != 0 {
			t.Errorf("ParseFlags(%q) = %v, %v", s, f, err)
		}
	}
	for _, s := range []string{"P2SH,BOGUS", "WITNESS", "p2sh"} {
		if _, err := ParseFlags(s); err == nil {
			t.Errorf("ParseFlags(%q) accepted", s)
		}
	}
	all := Flags(1<<numFlags - 1)
	back, err := ParseFlags(all.String())
	if err != nil || back != all {
		t.Errorf("round trip of %s: %v %v", all, back, err)
	}
	if Flags(0).String() != "NONE" {
		t.Errorf("Flags(0).String() = %q", Flags(0).String())
	}
	want := "P2SH,STRICTENC,DERSIG,NULLDUMMY,CHECKLOCKTIMEVERIFY,CHECKSEQUENCEVERIFY"
	if MandatoryVerifyFlags.String() != want {
		t.Errorf("MandatoryVerifyFlags = %s, want %s", MandatoryVerifyFlags, want)
	}
	if !StandardVerifyFlags.Has(MandatoryVerifyFlags | VerifyLowS | VerifyCleanStack | VerifyConstScriptCode) {
		t.Errorf("StandardVerifyFlags = %s", StandardVerifyFlags)
	}
}

func TestHighSAcceptedWithoutLowS(t *testing.T) {
	k := testKey(9)
	pkScript := must(t)(PayToPubKeyScript(k.PubKey().SerializeCompressed()))
	tx := spendTx(1, 1)
	sig, err := RawTxInSignature(tx, 0, pkScript, SigHashAll, k)
	if err != nil {
		t.Fatal(err)
	}
	high := toHighS(t, sig)
	sigScript := must(t)(NewBuilder().AddData(high).Script())
	if err := VerifyScript(sigScript, pkScript, MandatoryVerifyFlags, NewTxSigChecker(tx, 0, nil)); err != nil {
		t.Errorf("high-S signature rejected under consensus flags: %v", err)
	}
	err = VerifyScript(sigScript, pkScript, StandardVerifyFlags, NewTxSigChecker(tx, 0, nil))
	if GetErrorCode(err) != ErrSigHighS {
		t.Errorf("high-S signature under LOW_S: %v, want SIG_HIGH_S", err)
	}
}

// toHighS rewrites a low-S DER signature (with hash type) to use N - S.
func toHighS(t *testing.T, sig []byte) []byte {
	t.Helper()
	lenR := int(sig[3])
	lenS := int(sig[5+lenR])
	var s btcec.ModNScalar
	s.SetByteSlice(sig[6+lenR : 6+lenR+lenS])
	s.Negate()
	sb := s.Bytes()
	sBytes := trimZeros(sb[:])
	if sBytes[0]&0x80 != 0 {
		sBytes = append([]byte{0}, sBytes...)
	}
	r := sig[4 : 4+lenR]
	out := []byte{0x30, byte(4 + len(r) + len(sBytes)), 0x02, byte(len(r))}
	out = append(out, r...)
	out = append(out, 0x02, byte(len(sBytes)))
	out = append(out, sBytes...)
	out = append(out, sig[len(sig)-1])
	if !IsValidSignatureEncoding(out) || IsLowDERSignature(out) {
		t.Fatalf("toHighS produced %x", out)
	}
	return out
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func bytesOf(op byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = op
	}
	return b
}

func repeatWord(w string, n int) string {
	out := make([]byte, 0, n*(len(w)+1))
	for i := 0; i < n; i++ {
		out = append(out, w...)
		out = append(out, ' ')
	}
	return string(out)
}
