package script

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// loadJSONRows reads a Bitcoin Core test-vector file: a JSON array of rows.
func loadJSONRows(t *testing.T, name string) [][]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]json.RawMessage
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows
}

func TestSigHashVectors(t *testing.T) {
	rows := loadJSONRows(t, "sighash.json")
	ran := 0
	for i, row := range rows {
		if len(row) == 1 {
			continue // comment
		}
		if len(row) != 5 {
			t.Fatalf("row %d: %d fields", i, len(row))
		}
		var rawTx, rawScript, want string
		var idx int
		var hashType int32
		for j, dst := range []any{&rawTx, &rawScript, &idx, &hashType, &want} {
			if err := json.Unmarshal(row[j], dst); err != nil {
				t.Fatalf("row %d field %d: %v", i, j, err)
			}
		}
		txBytes, err := hex.DecodeString(rawTx)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		tx, err := wire.DecodeTx(txBytes)
		if err != nil {
			t.Fatalf("row %d: decode tx: %v", i, err)
		}
		scriptCode, err := hex.DecodeString(rawScript)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		got := CalcSignatureHash(scriptCode, SigHashType(uint32(hashType)), tx, idx)
		if got.String() != want {
			t.Errorf("row %d: sighash %s, want %s", i, got, want)
		}
		ran++
	}
	t.Logf("sighash.json: %d rows ran", ran)
	if ran != 500 {
		t.Fatalf("ran %d sighash rows, want 500", ran)
	}
}

// buildCreditingTx returns Core's crediting transaction for script tests.
func buildCreditingTx(pkScript []byte, amount int64) *wire.Tx {
	return &wire.Tx{
		Version: 1,
		TxIn: []*wire.TxIn{{
			PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript:  []byte{OP_0, OP_0},
			Sequence:         wire.MaxTxInSequenceNum,
		}},
		TxOut: []*wire.TxOut{{Value: amount, PkScript: pkScript}},
	}
}

// buildSpendingTx returns Core's spending transaction for script tests.
func buildSpendingTx(sigScript []byte, credit *wire.Tx) *wire.Tx {
	return &wire.Tx{
		Version: 1,
		TxIn: []*wire.TxIn{{
			PreviousOutPoint: wire.OutPoint{Hash: credit.TxHash(), Index: 0},
			SignatureScript:  sigScript,
			Sequence:         wire.MaxTxInSequenceNum,
		}},
		TxOut: []*wire.TxOut{{Value: credit.TxOut[0].Value}},
	}
}

// minScriptTestRows is the number of non-witness rows script_tests.json
// holds; fewer rows running means the test harness broke.
const minScriptTestRows = 1077

func TestScriptVectors(t *testing.T) {
	rows := loadJSONRows(t, "script_tests.json")
	ran, skippedWitness, comments := 0, 0, 0
	var okSigs, failSigs int
	for i, row := range rows {
		if len(row) == 1 {
			comments++
			continue
		}
		if len(row) > 0 && strings.HasPrefix(strings.TrimSpace(string(row[0])), "[") {
			skippedWitness++ // witness stack and amount
			continue
		}
		if len(row) < 4 {
			t.Fatalf("row %d: %d fields", i, len(row))
		}
		var f [4]string
		for j := range f {
			if err := json.Unmarshal(row[j], &f[j]); err != nil {
				t.Fatalf("row %d field %d: %v", i, j, err)
			}
		}
		sigStr, pkStr, flagStr, wantStr := f[0], f[1], f[2], f[3]
		if strings.Contains(flagStr, "WITNESS") || strings.Contains(flagStr, "TAPROOT") {
			skippedWitness++
			continue
		}
		comment := ""
		if len(row) > 4 {
			_ = json.Unmarshal(row[4], &comment)
		}
		name := sigStr + " | " + pkStr + " | " + flagStr
		sigScript, err := ParseShortForm(sigStr)
		if err != nil {
			t.Fatalf("row %d (%s): scriptSig: %v", i, name, err)
		}
		pkScript, err := ParseShortForm(pkStr)
		if err != nil {
			t.Fatalf("row %d (%s): scriptPubKey: %v", i, name, err)
		}
		flags, err := ParseFlags(flagStr)
		if err != nil {
			t.Fatalf("row %d (%s): flags: %v", i, name, err)
		}
		// As Core's harness does: CLEANSTACK implies P2SH (and WITNESS,
		// which legacy scripts do not see).
		if flags&VerifyCleanStack != 0 {
			flags |= VerifyP2SH
		}
		want, ok := ErrorCodeFromString(wantStr)
		if !ok {
			t.Fatalf("row %d (%s): unknown expected error %q", i, name, wantStr)
		}
		credit := buildCreditingTx(pkScript, 0)
		spend := buildSpendingTx(sigScript, credit)
		err = VerifyScript(sigScript, pkScript, flags, countChecker{NewTxSigChecker(spend, 0, nil), &okSigs, &failSigs})
		if got := GetErrorCode(err); got != want {
			t.Errorf("row %d: %s (%s): got %v (%v), want %s", i, name, comment, got, err, wantStr)
		}
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Errorf("row %d: error %v is not a *script.Error", i, err)
			}
		}
		ran++
	}
	t.Logf("script_tests.json: %d rows ran, %d skipped (witness/taproot), %d comment rows",
		ran, skippedWitness, comments)
	t.Logf("signature checks: %d valid, %d invalid", okSigs, failSigs)
	if okSigs < 40 {
		t.Errorf("only %d signatures verified; the signature checker looks broken", okSigs)
	}
	if ran < minScriptTestRows {
		t.Fatalf("only %d script test rows ran, want at least %d", ran, minScriptTestRows)
	}
}

// countChecker counts the outcomes of signature checks, so the vector test
// can tell that real signatures were verified.
type countChecker struct {
	*TxSigChecker
	ok, fail *int
}

func (c countChecker) CheckSig(sig, pk, scriptCode []byte) bool {
	r := c.TxSigChecker.CheckSig(sig, pk, scriptCode)
	if r {
		*c.ok++
	} else {
		*c.fail++
	}
	return r
}
