package script

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// testKey returns a deterministic private key.
func testKey(n byte) *btcec.PrivateKey {
	var b [32]byte
	b[31] = n
	b[0] = 0x11
	k, _ := btcec.PrivKeyFromBytes(b[:])
	return k
}

// must returns a function that fails the test on a builder error.
func must(t *testing.T) func([]byte, error) []byte {
	return func(s []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func mustParse(t *testing.T, s string) []byte {
	t.Helper()
	b, err := ParseShortForm(s)
	if err != nil {
		t.Fatalf("ParseShortForm(%q): %v", s, err)
	}
	return b
}

func TestHash160(t *testing.T) {
	// HASH160 of the empty string.
	if got := hex.EncodeToString(Hash160(nil)); got != "b472a266d0bd89c13706a4132ccfb16f7c3b9fcb" {
		t.Errorf("Hash160(\"\") = %s", got)
	}
	// Bitcoin's genesis output key hashes to 62e907b15cbf27d5425399ebf6f0fb50ebb88f18.
	pk, _ := hex.DecodeString("04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f")
	if got := hex.EncodeToString(Hash160(pk)); got != "62e907b15cbf27d5425399ebf6f0fb50ebb88f18" {
		t.Errorf("Hash160(genesis key) = %s", got)
	}
}

func TestScriptTemplates(t *testing.T) {
	k1 := testKey(1).PubKey().SerializeCompressed()
	k2 := testKey(2).PubKey().SerializeUncompressed()
	k3 := testKey(3).PubKey().SerializeCompressed()
	k4 := testKey(4).PubKey().SerializeCompressed()
	h := Hash160(k1)

	p2pkh := must(t)(PayToPubKeyHashScript(h))
	p2sh := must(t)(PayToScriptHashScript(h))
	p2pk := must(t)(PayToPubKeyScript(k1))
	p2pkU := must(t)(PayToPubKeyScript(k2))
	ms2of3 := must(t)(MultiSigScript(2, [][]byte{k1, k2, k3}))
	ms1of4 := must(t)(MultiSigScript(1, [][]byte{k1, k2, k3, k4}))
	nullData := must(t)(NullDataScript(bytes.Repeat([]byte{0xaa}, 80)))
	emptyNull := must(t)(NullDataScript(nil))

	tests := []struct {
		name     string
		script   []byte
		class    ScriptClass
		standard bool
		reqSigs  int
	}{
		{"p2pkh", p2pkh, PubKeyHashTy, true, 1},
		{"p2sh", p2sh, ScriptHashTy, true, 1},
		{"p2pk compressed", p2pk, PubKeyTy, true, 1},
		{"p2pk uncompressed", p2pkU, PubKeyTy, true, 1},
		{"multisig 2 of 3", ms2of3, MultiSigTy, true, 2},
		{"multisig 1 of 4", ms1of4, MultiSigTy, false, 1},
		{"nulldata 80", nullData, NullDataTy, true, 0},
		{"nulldata empty", emptyNull, NullDataTy, true, 0},
		{"nulldata 81", append([]byte{OP_RETURN, OP_PUSHDATA1, 81}, bytes.Repeat([]byte{1}, 81)...), NullDataTy, false, 0},
		{"nulldata two pushes", mustParse(t, "RETURN 0x04 0x01020304 0x02 0x0506"), NullDataTy, true, 0},
		{"nulldata with opcode", mustParse(t, "RETURN 0x01 0x01 DUP"), NonStandardTy, false, 0},
		{"nulldata truncated push", []byte{OP_RETURN, 0x05, 1}, NonStandardTy, false, 0},
		{"empty", nil, NonStandardTy, false, 0},
		{"op_true", []byte{OP_TRUE}, NonStandardTy, false, 0},
		{"p2pkh with extra byte", append(append([]byte{}, p2pkh...), OP_NOP), NonStandardTy, false, 0},
		{"p2pk bad prefix", append(append([]byte{33, 0x05}, k1[1:]...), OP_CHECKSIG), NonStandardTy, false, 0},
		{"p2pk hybrid", append(append([]byte{65, 0x06}, k2[1:]...), OP_CHECKSIG), PubKeyTy, true, 1},
		{"multisig m>n", mustParse(t, "3 0x21 0x"+hex.EncodeToString(k1)+" 0x21 0x"+hex.EncodeToString(k3)+" 2 CHECKMULTISIG"), NonStandardTy, false, 0},
		{"multisig count mismatch", mustParse(t, "1 0x21 0x"+hex.EncodeToString(k1)+" 2 CHECKMULTISIG"), NonStandardTy, false, 0},
		{"multisig 0 of 1", mustParse(t, "0 0x21 0x"+hex.EncodeToString(k1)+" 1 CHECKMULTISIG"), NonStandardTy, false, 0},
		{"multisig trailing", mustParse(t, "1 0x21 0x"+hex.EncodeToString(k1)+" 1 NOP CHECKMULTISIG"), NonStandardTy, false, 0},
		{"multisig pushdata1 key", mustParse(t, "1 0x4c 0x21 0x"+hex.EncodeToString(k1)+" 1 CHECKMULTISIG"), MultiSigTy, true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := GetScriptClass(tc.script); got != tc.class {
				t.Errorf("GetScriptClass = %v, want %v", got, tc.class)
			}
			info := ExtractScriptInfo(tc.script)
			if info.Class != tc.class {
				t.Errorf("ExtractScriptInfo class = %v, want %v", info.Class, tc.class)
			}
			if info.RequiredSigs != tc.reqSigs {
				t.Errorf("RequiredSigs = %d, want %d", info.RequiredSigs, tc.reqSigs)
			}
			if got := IsStandardScript(tc.script); got != tc.standard {
				t.Errorf("IsStandardScript = %v, want %v", got, tc.standard)
			}
		})
	}

	if info := ExtractScriptInfo(p2pkh); !bytes.Equal(info.Hash, h) {
		t.Errorf("p2pkh hash %x, want %x", info.Hash, h)
	}
	if info := ExtractScriptInfo(p2sh); !bytes.Equal(info.Hash, h) {
		t.Errorf("p2sh hash %x, want %x", info.Hash, h)
	}
	info := ExtractScriptInfo(ms2of3)
	if len(info.PubKeys) != 3 || !bytes.Equal(info.PubKeys[1], k2) {
		t.Errorf("multisig keys %x", info.PubKeys)
	}
	if info := ExtractScriptInfo(nullData); len(info.Data) != 1 || len(info.Data[0]) != 80 {
		t.Errorf("nulldata pushes %x", info.Data)
	}
	if !IsPayToPubKeyHash(p2pkh) || IsPayToPubKeyHash(p2sh) || !IsPayToScriptHash(p2sh) {
		t.Error("IsPayToPubKeyHash/IsPayToScriptHash disagree with the templates")
	}
}

func TestScriptClassString(t *testing.T) {
	want := map[ScriptClass]string{
		NonStandardTy: "nonstandard", PubKeyHashTy: "pubkeyhash", ScriptHashTy: "scripthash",
		PubKeyTy: "pubkey", MultiSigTy: "multisig", NullDataTy: "nulldata", ScriptClass(99): "nonstandard",
	}
	for c, s := range want {
		if c.String() != s {
			t.Errorf("%d.String() = %q, want %q", int(c), c.String(), s)
		}
	}
}

func TestBuilderErrors(t *testing.T) {
	k := testKey(1).PubKey().SerializeCompressed()
	if _, err := PayToPubKeyHashScript(make([]byte, 19)); err == nil {
		t.Error("P2PKH with a 19-byte hash accepted")
	}
	if _, err := PayToScriptHashScript(make([]byte, 21)); err == nil {
		t.Error("P2SH with a 21-byte hash accepted")
	}
	if _, err := PayToPubKeyScript(k[:32]); err == nil {
		t.Error("P2PK with a 32-byte key accepted")
	}
	if _, err := MultiSigScript(0, [][]byte{k}); err == nil {
		t.Error("0-of-1 multisig accepted")
	}
	if _, err := MultiSigScript(2, [][]byte{k}); err == nil {
		t.Error("2-of-1 multisig accepted")
	}
	if _, err := MultiSigScript(1, [][]byte{k[:5]}); err == nil {
		t.Error("multisig with a bad key accepted")
	}
	if _, err := NullDataScript(make([]byte, 81)); err == nil {
		t.Error("81-byte null data accepted")
	}
	if _, err := NewBuilder().AddData(make([]byte, 521)).Script(); err == nil {
		t.Error("521-byte push accepted")
	}
	b := NewBuilder()
	for i := 0; i < 21; i++ {
		b.AddData(make([]byte, 500))
	}
	if _, err := b.Script(); err == nil {
		t.Error("script above 10,000 bytes accepted")
	}
}

func TestBuilder(t *testing.T) {
	tests := []struct {
		name  string
		build func(*Builder)
		want  string
	}{
		{"empty data", func(b *Builder) { b.AddData(nil) }, "00"},
		{"small ints as data", func(b *Builder) { b.AddData([]byte{1}).AddData([]byte{16}).AddData([]byte{0x81}) }, "51604f"},
		{"byte 0 and 17", func(b *Builder) { b.AddData([]byte{0}).AddData([]byte{17}) }, "01000111"},
		{"75 bytes", func(b *Builder) { b.AddData(bytes.Repeat([]byte{0xab}, 75)) }, "4b" + hex.EncodeToString(bytes.Repeat([]byte{0xab}, 75))},
		{"76 bytes", func(b *Builder) { b.AddData(bytes.Repeat([]byte{0xab}, 76)) }, "4c4c" + hex.EncodeToString(bytes.Repeat([]byte{0xab}, 76))},
		{"256 bytes", func(b *Builder) { b.AddData(bytes.Repeat([]byte{0xab}, 256)) }, "4d0001" + hex.EncodeToString(bytes.Repeat([]byte{0xab}, 256))},
		{"ints", func(b *Builder) { b.AddInt64(0).AddInt64(-1).AddInt64(16).AddInt64(17).AddInt64(-2).AddInt64(128) }, "004f60011101820280 00"},
		{"bip34 heights", func(b *Builder) { b.AddInt64(1).AddInt64(127).AddInt64(255).AddInt64(500000) }, "51017f02ff000320a107"},
		{"ops", func(b *Builder) { b.AddOp(OP_DUP).AddOps(OP_HASH160, OP_EQUAL) }, "76a987"},
	}
	for _, tc := range tests {
		b := NewBuilder()
		tc.build(b)
		got, err := b.Script()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		want := stripSpaces(tc.want)
		if hex.EncodeToString(got) != want {
			t.Errorf("%s: got %x, want %s", tc.name, got, want)
		}
		if err := VerifyScript(got, []byte{OP_DEPTH}, VerifyMinimalData, nil); GetErrorCode(err) == ErrMinimalData {
			t.Errorf("%s: builder output is not minimal: %v", tc.name, err)
		}
	}
}

func stripSpaces(s string) string { return string(bytes.ReplaceAll([]byte(s), []byte(" "), nil)) }

func TestExtractPushes(t *testing.T) {
	got, err := ExtractPushes(mustParse(t, "0 1 -1 16 0x02 0xabcd"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "01", "81", "10", "abcd"}
	if len(got) != len(want) {
		t.Fatalf("got %d pushes, want %d", len(got), len(want))
	}
	for i := range want {
		if hex.EncodeToString(got[i]) != want[i] {
			t.Errorf("push %d = %x, want %s", i, got[i], want[i])
		}
	}
	if _, err := ExtractPushes([]byte{OP_1, OP_DUP}); err == nil {
		t.Error("non-push script accepted")
	}
	if _, err := ExtractPushes([]byte{0x02, 0x01}); err == nil {
		t.Error("truncated push accepted")
	}
}

func TestSigOpCount(t *testing.T) {
	k := hex.EncodeToString(testKey(1).PubKey().SerializeCompressed())
	redeem2of3 := "2 0x21 0x" + k + " 0x21 0x" + k + " 0x21 0x" + k + " 3 CHECKMULTISIG"
	tests := []struct {
		script          string
		legacy, precise int
	}{
		{"", 0, 0},
		{"DUP HASH160 0x14 0x0000000000000000000000000000000000000000 EQUALVERIFY CHECKSIG", 1, 1},
		{"CHECKSIG CHECKSIGVERIFY", 2, 2},
		{"CHECKMULTISIG", 20, 20},
		{redeem2of3, 20, 3},
		{"16 CHECKMULTISIGVERIFY", 20, 16},
		{"0 CHECKMULTISIG", 20, 20},              // OP_0 is not OP_1..OP_16
		{"1 CHECKMULTISIG CHECKSIG 0x4c", 21, 2}, // counting stops at the malformed push
		{"0x4c CHECKSIG", 0, 0},
		{"0x01 0xac", 0, 0}, // CHECKSIG byte inside a push
	}
	for _, tc := range tests {
		s := mustParse(t, tc.script)
		if got := GetSigOpCount(s, false); got != tc.legacy {
			t.Errorf("GetSigOpCount(%q, false) = %d, want %d", tc.script, got, tc.legacy)
		}
		if got := GetSigOpCount(s, true); got != tc.precise {
			t.Errorf("GetSigOpCount(%q, true) = %d, want %d", tc.script, got, tc.precise)
		}
	}

	redeem := mustParse(t, redeem2of3)
	p2sh := must(t)(PayToScriptHashScript(Hash160(redeem)))
	sigScript := must(t)(NewBuilder().AddOp(OP_0).AddData([]byte{1, 2}).AddData(redeem).Script())
	if got := GetP2SHSigOpCount(sigScript, p2sh); got != 3 {
		t.Errorf("P2SH sigops = %d, want 3", got)
	}
	if got := GetP2SHSigOpCount(append(append([]byte{}, sigScript...), OP_NOP), p2sh); got != 0 {
		t.Errorf("P2SH sigops with non-push scriptSig = %d, want 0", got)
	}
	if got := GetP2SHSigOpCount(sigScript, redeem); got != 0 {
		t.Errorf("sigops of a non-P2SH output = %d, want 0", got)
	}
	if got := GetP2SHSigOpCount(nil, p2sh); got != 0 {
		t.Errorf("sigops with empty scriptSig = %d, want 0", got)
	}
	if got := GetP2SHSigOpCount([]byte{0x05, 1}, p2sh); got != 0 {
		t.Errorf("sigops with malformed scriptSig = %d, want 0", got)
	}
}
