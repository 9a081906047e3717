package script

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// fuzzSeedScripts returns a few dozen scripts from script_tests.json to
// seed the fuzzers.
func fuzzSeedScripts(f *testing.F) [][2][]byte {
	f.Helper()
	b, err := os.ReadFile("testdata/script_tests.json")
	if err != nil {
		f.Fatal(err)
	}
	var rows [][]json.RawMessage
	if err := json.Unmarshal(b, &rows); err != nil {
		f.Fatal(err)
	}
	var out [][2][]byte
	for i, row := range rows {
		if len(row) < 4 || i%13 != 0 || strings.HasPrefix(string(row[0]), "[") {
			continue
		}
		var sig, pk string
		if json.Unmarshal(row[0], &sig) != nil || json.Unmarshal(row[1], &pk) != nil {
			continue
		}
		s, err1 := ParseShortForm(sig)
		p, err2 := ParseShortForm(pk)
		if err1 == nil && err2 == nil {
			out = append(out, [2][]byte{s, p})
		}
	}
	return out
}

func FuzzDisasm(f *testing.F) {
	for _, s := range fuzzSeedScripts(f) {
		f.Add(s[0])
		f.Add(s[1])
	}
	f.Add([]byte{OP_PUSHDATA4, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{OP_PUSHDATA2, 0x01})
	f.Fuzz(func(t *testing.T, script []byte) {
		asm, err := DisasmString(script)
		tok := MakeTokenizer(script)
		n := 0
		for tok.Next() {
			n++
		}
		if (err == nil) != tok.Done() {
			t.Fatalf("DisasmString error %v but tokenizer done=%v", err, tok.Done())
		}
		if err != nil && !strings.HasSuffix(asm, "[error]") {
			t.Fatalf("asm %q of a malformed script lacks [error]", asm)
		}
		if _, err := DisasmStringSigHash(script); (err == nil) != tok.Done() {
			t.Fatal("DisasmStringSigHash disagrees with DisasmString")
		}
		ops, perr := ParseScript(script)
		if len(ops) != n || (perr == nil) != tok.Done() {
			t.Fatalf("ParseScript: %d ops (%v), tokenizer %d", len(ops), perr, n)
		}
		if IsPushOnly(script) && !tok.Done() {
			t.Fatal("IsPushOnly accepted a malformed script")
		}
		if legacy, precise := GetSigOpCount(script, false), GetSigOpCount(script, true); precise > legacy || precise < 0 {
			t.Fatalf("sigops precise %d > legacy %d", precise, legacy)
		}
		_ = GetP2SHSigOpCount(script, script)
		info := ExtractScriptInfo(script)
		if info.Class != GetScriptClass(script) {
			t.Fatalf("ExtractScriptInfo class %v, GetScriptClass %v", info.Class, GetScriptClass(script))
		}
		_ = IsStandardScript(script)
		_, _ = ExtractPushes(script)
		if err == nil {
			// Re-encoding every operation reproduces the script.
			var re []byte
			for _, op := range ops {
				switch {
				case op.Opcode < OP_PUSHDATA1:
					re = append(re, op.Opcode)
					re = append(re, op.Data...)
				case op.Opcode <= OP_PUSHDATA4:
					re = append(re, op.Opcode)
					n := len(op.Data)
					switch op.Opcode {
					case OP_PUSHDATA1:
						re = append(re, byte(n))
					case OP_PUSHDATA2:
						re = append(re, byte(n), byte(n>>8))
					default:
						re = append(re, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
					}
					re = append(re, op.Data...)
				default:
					re = append(re, op.Opcode)
				}
			}
			if string(re) != string(script) {
				t.Fatalf("re-encoding %x gave %x", script, re)
			}
		}
	})
}

func FuzzVerifyScript(f *testing.F) {
	for i, s := range fuzzSeedScripts(f) {
		f.Add(s[0], s[1], uint32(StandardVerifyFlags)>>uint(i%3))
	}
	f.Add([]byte{}, []byte{OP_1, OP_1, OP_CHECKMULTISIG}, uint32(0))
	f.Add([]byte{OP_0, OP_0}, []byte{OP_0, OP_CHECKSIG, OP_CODESEPARATOR}, uint32(MandatoryVerifyFlags))
	f.Fuzz(func(t *testing.T, sigScript, pkScript []byte, flags uint32) {
		fl := Flags(flags) & (1<<numFlags - 1)
		tx := spendTx(2, 1)
		tx.TxIn[0].SignatureScript = sigScript
		err := VerifyScript(sigScript, pkScript, fl, NewTxSigChecker(tx, 0, nil))
		if err != nil && GetErrorCode(err) == ErrOK {
			t.Fatalf("error %v without a code", err)
		}
		// The same inputs must give the same answer (pooled engines must
		// not leak state between runs).
		err2 := VerifyScript(sigScript, pkScript, fl, NewTxSigChecker(tx, 0, nil))
		if GetErrorCode(err) != GetErrorCode(err2) {
			t.Fatalf("non-deterministic result: %v then %v", err, err2)
		}
	})
}

func FuzzParseShortForm(f *testing.F) {
	f.Add("DUP HASH160 0x14 0x0000000000000000000000000000000000000000 EQUALVERIFY CHECKSIG")
	f.Add("'abc' 0x4c 0x01 0x07 -4294967295 NOP2")
	f.Fuzz(func(t *testing.T, s string) {
		script, err := ParseShortForm(s)
		if err != nil {
			return
		}
		_, _ = DisasmString(script)
	})
}
