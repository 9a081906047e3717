package consensus

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// Bitcoin Core's script verification flags that nodecoin has, by Core's
// names; the full set the tx_valid/tx_invalid tests start from.
var legacyFlagNames = []string{
	"P2SH", "STRICTENC", "DERSIG", "LOW_S", "SIGPUSHONLY", "MINIMALDATA", "NULLDUMMY",
	"DISCOURAGE_UPGRADABLE_NOPS", "CLEANSTACK", "MINIMALIF", "NULLFAIL",
	"CHECKLOCKTIMEVERIFY", "CHECKSEQUENCEVERIFY", "CONST_SCRIPTCODE",
}

// witnessOnlyFlags are Core's flags that concern only segwit and taproot.
var witnessOnlyFlags = map[string]bool{
	"WITNESS": true, "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM": true, "WITNESS_PUBKEYTYPE": true,
	"TAPROOT": true, "DISCOURAGE_UPGRADABLE_TAPROOT_VERSION": true,
	"DISCOURAGE_OP_SUCCESS": true, "DISCOURAGE_UPGRADABLE_PUBKEYTYPE": true,
}

// txVector is one test row of tx_valid.json or tx_invalid.json.
type txVector struct {
	index    int // position in the file
	prevouts map[wire.OutPoint][]byte
	rawTx    []byte
	flags    string
	text     string
}

// loadTxVectors reads the rows of a Core transaction test file, skipping
// comments.
func loadTxVectors(t *testing.T, name string) []txVector {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]json.RawMessage
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []txVector
	for i, row := range rows {
		var first []json.RawMessage
		if len(row) == 0 || json.Unmarshal(row[0], &first) != nil {
			continue // a comment: ["text"]
		}
		if len(row) != 3 {
			t.Fatalf("%s row %d: %d elements", name, i, len(row))
		}
		v := txVector{index: i, prevouts: map[wire.OutPoint][]byte{}, text: string(row[1])}
		var txHex string
		if err := json.Unmarshal(row[1], &txHex); err != nil {
			t.Fatalf("%s row %d: transaction: %v", name, i, err)
		}
		if err := json.Unmarshal(row[2], &v.flags); err != nil {
			t.Fatalf("%s row %d: flags: %v", name, i, err)
		}
		if v.rawTx, err = hex.DecodeString(txHex); err != nil {
			t.Fatalf("%s row %d: transaction hex: %v", name, i, err)
		}
		for _, in := range first {
			var fields []any
			if err := json.Unmarshal(in, &fields); err != nil || len(fields) < 3 || len(fields) > 4 {
				t.Fatalf("%s row %d: bad prevout %s", name, i, in)
			}
			hashStr, ok1 := fields[0].(string)
			idx, ok2 := fields[1].(float64)
			asm, ok3 := fields[2].(string)
			if !ok1 || !ok2 || !ok3 {
				t.Fatalf("%s row %d: bad prevout %s", name, i, in)
			}
			h, err := wire.NewHashFromStr(hashStr)
			if err != nil {
				t.Fatalf("%s row %d: %v", name, i, err)
			}
			pk, err := script.ParseShortForm(asm)
			if err != nil {
				t.Fatalf("%s row %d: prevout script %q: %v", name, i, asm, err)
			}
			// Core reads the index as an int and casts it: -1 is 0xffffffff.
			v.prevouts[wire.OutPoint{Hash: h, Index: uint32(int64(idx))}] = pk
		}
		out = append(out, v)
	}
	return out
}

// hasWitnessData reports whether the raw transaction uses the segwit
// serialization (marker 0x00 and flag 0x01 after the version).
func hasWitnessData(raw []byte) bool {
	return len(raw) > 6 && raw[4] == 0x00 && raw[5] == 0x01
}

// parseFlagNames splits Core's flag list into nodecoin's flags, and
// reports whether it names a witness-only flag. "BADTX" and "NONE" name no
// flags.
func parseFlagNames(t *testing.T, s string) (flags script.Flags, witness bool) {
	t.Helper()
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "" || name == "NONE" || name == "BADTX":
			continue
		case witnessOnlyFlags[name]:
			witness = true
			continue
		}
		f, err := script.ParseFlags(name)
		if err != nil {
			t.Fatalf("flag %q: %v", name, err)
		}
		flags |= f
	}
	return flags, witness
}

// trimFlags drops CLEANSTACK when P2SH is absent, the combination
// VerifyScript refuses (Core's TrimFlags).
func trimFlags(f script.Flags) script.Flags {
	if f&script.VerifyP2SH == 0 {
		f &^= script.VerifyCleanStack
	}
	return f
}

// verifyTxScripts checks every input of tx against its prevout script
// under flags; it returns the first failure.
func verifyTxScripts(tx *wire.Tx, prevouts map[wire.OutPoint][]byte, flags script.Flags) error {
	for i, in := range tx.TxIn {
		pk, ok := prevouts[in.PreviousOutPoint]
		if !ok {
			return fmt.Errorf("input %d: no prevout script for %s", i, in.PreviousOutPoint)
		}
		if err := script.VerifyScript(in.SignatureScript, pk, flags, script.NewTxSigChecker(tx, i, nil)); err != nil {
			return fmt.Errorf("input %d: %w", i, err)
		}
	}
	return nil
}

// bitcoinMaxMoney is Bitcoin's MAX_MONEY, 21 million BTC.
const bitcoinMaxMoney = 21_000_000 * 100_000_000

// exceedsBitcoinMaxMoney reports whether an output of tx, or their sum, is
// above Bitcoin's MAX_MONEY while every output is within nodecoin's.
func exceedsBitcoinMaxMoney(tx *wire.Tx) bool {
	var sum int64
	over := false
	for _, out := range tx.TxOut {
		if out.Value < 0 || out.Value > MaxMoney {
			return false
		}
		sum += out.Value
		over = over || out.Value > bitcoinMaxMoney || sum > bitcoinMaxMoney
	}
	return over
}

// runnableTxVector is a row that nodecoin can run: no witness data, no
// witness-only flag, and a transaction that decodes.
type runnableTxVector struct {
	txVector
	tx          *wire.Tx
	parsedFlags script.Flags
}

// runnableTxVectors decodes the rows nodecoin can run and counts those
// skipped for witness data and for witness-only flags. A row that does not
// decode is an error (Core's files have none).
func runnableTxVectors(t *testing.T, rows []txVector) (out []runnableTxVector, skipWitnessData, skipWitnessFlags int) {
	t.Helper()
	for _, v := range rows {
		if hasWitnessData(v.rawTx) {
			skipWitnessData++
			continue
		}
		flags, witness := parseFlagNames(t, v.flags)
		if witness {
			skipWitnessFlags++
			continue
		}
		tx, err := wire.DecodeTx(v.rawTx)
		if err != nil {
			t.Errorf("row %d: decode: %v", v.index, err)
			continue
		}
		out = append(out, runnableTxVector{txVector: v, tx: tx, parsedFlags: flags})
	}
	return out, skipWitnessData, skipWitnessFlags
}

// TestTxValidVectors runs Bitcoin Core's tx_valid.json: each transaction
// must pass CheckTransactionSanity and verify under all of nodecoin's flags
// except the row's excluded ones, fail with any one excluded flag applied
// again, and still verify with any one more flag removed. Rows that name a witness-only flag or carry witness data are
// skipped.
func TestTxValidVectors(t *testing.T) {
	full, _ := parseFlagNames(t, strings.Join(legacyFlagNames, ","))
	rows := loadTxVectors(t, "tx_valid.json")
	runnable, skipWitnessData, skipWitnessFlags := runnableTxVectors(t, rows)
	ran := len(runnable)
	for _, r := range runnable {
		v, tx, excluded := r.txVector, r.tx, r.parsedFlags
		if err := CheckTransactionSanity(tx); err != nil {
			t.Errorf("row %d: CheckTransactionSanity: %v", v.index, err)
			continue
		}
		flags := trimFlags(full &^ excluded)
		if err := verifyTxScripts(tx, v.prevouts, flags); err != nil {
			t.Errorf("row %d (flags %v): %v", v.index, flags, err)
			continue
		}
		// The exclusions are minimal: applying any one excluded flag
		// again makes the transaction fail (Core's "too many flags unset").
		for _, name := range legacyFlagNames {
			f, _ := parseFlagNames(t, name)
			if excluded&f == 0 {
				continue
			}
			more := flags | f
			if more&script.VerifyCleanStack != 0 {
				more |= script.VerifyP2SH
			}
			if err := verifyTxScripts(tx, v.prevouts, more); err == nil {
				t.Errorf("row %d: still passes with excluded flag %s applied", v.index, name)
			}
		}
		// Removing a flag must not invalidate a valid transaction.
		for _, name := range legacyFlagNames {
			f, _ := parseFlagNames(t, name)
			fewer := trimFlags(flags &^ f)
			if err := verifyTxScripts(tx, v.prevouts, fewer); err != nil {
				t.Errorf("row %d: fails with %s also removed: %v", v.index, name, err)
			}
		}
	}
	t.Logf("tx_valid.json: %d rows ran, %d skipped for witness-only flags, %d for witness data",
		ran, skipWitnessFlags, skipWitnessData)
	const minRan = 92 // of 121 rows: 28 carry witness data, 1 names a witness flag
	if ran < minRan {
		t.Fatalf("only %d tx_valid rows ran, want at least %d", ran, minRan)
	}
}

// TestTxInvalidVectors runs Bitcoin Core's tx_invalid.json: rows flagged
// BADTX must fail CheckTransactionSanity; the others must pass it and then
// fail script verification of some input under the row's flags, pass with
// any one of those flags removed, and still fail under all of nodecoin's
// flags. Rows that need a witness-only flag or
// carry witness data are skipped. Bitcoin's MAX_MONEY rows are checked
// against nodecoin's larger MaxMoney (see exceedsBitcoinMaxMoney).
func TestTxInvalidVectors(t *testing.T) {
	full, _ := parseFlagNames(t, strings.Join(legacyFlagNames, ","))
	rows := loadTxVectors(t, "tx_invalid.json")
	badTx, scaledMoney := 0, 0
	runnable, skipWitnessData, skipWitnessFlags := runnableTxVectors(t, rows)
	ran := len(runnable)
	for _, r := range runnable {
		v, tx, flags := r.txVector, r.tx, r.parsedFlags
		sanity := CheckTransactionSanity(tx)
		if v.flags == "BADTX" {
			badTx++
			if sanity == nil && exceedsBitcoinMaxMoney(tx) {
				// Invalid in Bitcoin for amounts above 21 million BTC,
				// which nodecoin's ten times larger MaxMoney allows. The
				// same transaction with every amount scaled by ten must
				// fail here the same way.
				scaledMoney++
				scaled := tx.Copy()
				for _, out := range scaled.TxOut {
					out.Value *= 10
				}
				kind, _ := IsRuleError(CheckTransactionSanity(scaled))
				if kind != ErrTxOutTooLarge && kind != ErrTxOutTotalTooLarge {
					t.Errorf("row %d: with amounts scaled to nodecoin's MaxMoney: %v, want a money-range error", v.index, kind)
				}
				continue
			}
			if sanity == nil {
				t.Errorf("row %d: BADTX row passes CheckTransactionSanity", v.index)
			}
			continue
		}
		if sanity != nil {
			t.Errorf("row %d: fails CheckTransactionSanity (%v) but is not marked BADTX", v.index, sanity)
			continue
		}
		if err := verifyTxScripts(tx, v.prevouts, flags); err == nil {
			t.Errorf("row %d: passes with flags %v: %s", v.index, flags, v.text)
		}
		// The flags are minimal: without any one of them the transaction
		// passes (Core's "too many flags set").
		for _, name := range legacyFlagNames {
			f, _ := parseFlagNames(t, name)
			if flags&f == 0 {
				continue
			}
			if err := verifyTxScripts(tx, v.prevouts, trimFlags(flags&^f)); err != nil {
				t.Errorf("row %d: still fails with flag %s removed: %v", v.index, name, err)
			}
		}
		// Adding flags must not validate an invalid transaction.
		if err := verifyTxScripts(tx, v.prevouts, full); err == nil {
			t.Errorf("row %d: passes with all flags", v.index)
		}
	}
	t.Logf("tx_invalid.json: %d rows ran (%d of them BADTX, %d of those checked with amounts scaled to nodecoin's MaxMoney), "+
		"%d skipped for witness-only flags, %d for witness data",
		ran, badTx, scaledMoney, skipWitnessFlags, skipWitnessData)
	const minRan = 78 // of 93 rows: 13 carry witness data, 2 name witness flags
	if ran < minRan {
		t.Fatalf("only %d tx_invalid rows ran, want at least %d", ran, minRan)
	}
}
