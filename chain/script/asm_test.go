package script

import (
	"encoding/hex"
	"strings"
	"testing"
)

func TestDisasmString(t *testing.T) {
	k := testKey(1)
	pk := k.PubKey().SerializeCompressed()
	h := Hash160(pk)
	tx := spendTx(1, 1)
	p2pkh := must(t)(PayToPubKeyHashScript(h))
	sig, err := RawTxInSignature(tx, 0, p2pkh, SigHashSingle|SigHashAnyOneCanPay, k)
	if err != nil {
		t.Fatal(err)
	}
	sigScript := must(t)(NewBuilder().AddData(sig).AddData(pk).Script())

	tests := []struct {
		name    string
		script  []byte
		sighash bool
		want    string
		wantErr bool
	}{
		{"p2pkh", p2pkh, false, "OP_DUP OP_HASH160 " + hex.EncodeToString(h) + " OP_EQUALVERIFY OP_CHECKSIG", false},
		{"small numbers", []byte{OP_0, OP_1, OP_1NEGATE, OP_16}, false, "0 1 -1 16", false},
		{"short pushes as numbers", mustParse(t, "0x02 0x0001 0x01 0x80 0x04 0xffffffff 0x01 0x00"), false, "256 0 -2147483647 0", false},
		{"5-byte push as hex", mustParse(t, "0x05 0x0102030405"), false, "0102030405", false},
		{"pushdata1 short", mustParse(t, "0x4c 0x02 0x0100"), false, "1", false},
		{"unknown opcodes", []byte{OP_CHECKSIGADD, 0xbb, OP_INVALIDOPCODE, OP_RESERVED, OP_NOP2, OP_NOP3}, false,
			"OP_CHECKSIGADD OP_UNKNOWN OP_INVALIDOPCODE OP_RESERVED OP_CHECKLOCKTIMEVERIFY OP_CHECKSEQUENCEVERIFY", false},
		{"truncated push", []byte{OP_1, 0x05, 0x01}, false, "1 [error]", true},
		{"only truncated push", []byte{OP_PUSHDATA2, 0x01}, false, "[error]", true},
		{"empty", nil, false, "", false},
		{"signature plain", sigScript, false, hex.EncodeToString(sig) + " " + hex.EncodeToString(pk), false},
		{"signature decoded", sigScript, true, hex.EncodeToString(sig[:len(sig)-1]) + "[SINGLE|ANYONECANPAY] " + hex.EncodeToString(pk), false},
		{"op_return not decoded", append([]byte{OP_RETURN}, sigScript...), true, "OP_RETURN " + hex.EncodeToString(sig) + " " + hex.EncodeToString(pk), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			var err error
			if tc.sighash {
				got, err = DisasmStringSigHash(tc.script)
			} else {
				got, err = DisasmString(tc.script)
			}
			if (err != nil) != tc.wantErr {
				t.Errorf("error %v, want error %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestParseShortForm(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"", "", false},
		{"  \t\n ", "", false},
		{"0 1 -1 16 17 -2", "00514f6001110182", false},
		{"1000 -1000 2147483647", "02e80302e88304ffffff7f", false},
		{"4294967295 -4294967295", "05ffffffff0005ffffffff80", false},
		{"4294967296", "", true},
		{"-4294967296", "", true},
		{"0x4c 0x01 0x07", "4c0107", false},
		{"0x", "", true},
		{"0xabc", "", true},
		{"0xzz", "", true},
		{"'Az' ''", "02417a00", false},
		{"DUP OP_DUP HASH160 OP_HASH160", "7676a9a9", false},
		{"NOP2 CHECKLOCKTIMEVERIFY OP_NOP3 CHECKSEQUENCEVERIFY", "b1b1b2b2", false},
		{"RESERVED OP_RESERVED NOP10", "5050b9", false},
		{"OP_0 OP_TRUE OP_FALSE OP_16 OP_1NEGATE", "0051006 04f", false},
		{"FOO", "", true},
		{"dup", "", true},
		{"-", "", true},
	}
	for _, tc := range tests {
		got, err := ParseShortForm(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseShortForm(%q) error %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if want := strings.ReplaceAll(tc.want, " ", ""); err == nil && hex.EncodeToString(got) != want {
			t.Errorf("ParseShortForm(%q) = %x, want %s", tc.in, got, want)
		}
	}
}

func TestTokenizer(t *testing.T) {
	script := mustParse(t, "0 0x4c 0x02 0xabcd 0x4d 0x0300 0x010203 0x4e 0x01000000 0xff DUP 0x02 0x01")
	want := []struct {
		op   byte
		data string
	}{
		{OP_0, ""}, {OP_PUSHDATA1, "abcd"}, {OP_PUSHDATA2, "010203"}, {OP_PUSHDATA4, "ff"}, {OP_DUP, ""},
	}
	tok := MakeTokenizer(script)
	i := 0
	for tok.Next() {
		if i >= len(want) {
			t.Fatalf("extra operation %x", tok.Opcode())
		}
		if tok.Opcode() != want[i].op || hex.EncodeToString(tok.Data()) != want[i].data {
			t.Errorf("op %d = %x %x, want %x %s", i, tok.Opcode(), tok.Data(), want[i].op, want[i].data)
		}
		i++
	}
	if i != len(want) {
		t.Errorf("%d operations, want %d", i, len(want))
	}
	if tok.Err() == nil || GetErrorCode(tok.Err()) != ErrBadOpcode || tok.Done() {
		t.Errorf("truncated push: err %v", tok.Err())
	}
	ops, err := ParseScript(script)
	if err == nil || len(ops) != len(want) {
		t.Errorf("ParseScript: %d ops, err %v", len(ops), err)
	}
	for _, bad := range [][]byte{{OP_PUSHDATA1}, {OP_PUSHDATA2, 1}, {OP_PUSHDATA4, 1, 0, 0}, {OP_PUSHDATA4, 0xff, 0xff, 0xff, 0xff, 1}, {0x4b}} {
		if IsPushOnly(bad) {
			t.Errorf("IsPushOnly(%x) accepted a malformed script", bad)
		}
	}
	if !IsPushOnly([]byte{OP_RESERVED, OP_16, OP_1NEGATE}) || IsPushOnly([]byte{OP_NOP}) || !IsPushOnly(nil) {
		t.Error("IsPushOnly classification")
	}
}

func TestOpcodeNames(t *testing.T) {
	for op, want := range map[byte]string{
		OP_0: "0", OP_1NEGATE: "-1", OP_1: "1", OP_16: "16", OP_DUP: "OP_DUP", OP_NOP1: "OP_NOP1",
		OP_CHECKMULTISIGVERIFY: "OP_CHECKMULTISIGVERIFY", 0x20: "OP_UNKNOWN", 0xc0: "OP_UNKNOWN",
		OP_PUSHDATA4: "OP_PUSHDATA4",
	} {
		if got := OpcodeName(op); got != want {
			t.Errorf("OpcodeName(0x%02x) = %q, want %q", op, got, want)
		}
	}
	for n := 0; n <= 16; n++ {
		op := SmallIntOpcode(n)
		if !IsSmallInt(op) || SmallIntValue(op) != n {
			t.Errorf("small int %d: opcode 0x%02x", n, op)
		}
	}
	if SmallIntOpcode(17) != OP_INVALIDOPCODE || IsSmallInt(OP_1NEGATE) {
		t.Error("small int bounds")
	}
}
