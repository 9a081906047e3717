package address

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bitcoin's version bytes, for Bitcoin Core's key_io vectors. Signet and
// regtest use the test network's.
var (
	BitcoinMainPrefixes = Prefixes{PubKeyHash: 0x00, ScriptHash: 0x05, WIF: 0x80}
	BitcoinTestPrefixes = Prefixes{PubKeyHash: 0x6f, ScriptHash: 0xc4, WIF: 0xef}
)

// nodecoin's version bytes (DESIGN.md §2); the network parameters own them,
// the tests repeat them.
var (
	nodecoinMainPrefixes = Prefixes{PubKeyHash: 0x35, ScriptHash: 0x38, WIF: 0xb5}
	nodecoinTestPrefixes = Prefixes{PubKeyHash: 0x70, ScriptHash: 0xc4, WIF: 0xf0}
)

func bitcoinChainPrefixes(t *testing.T, chain string) Prefixes {
	t.Helper()
	switch chain {
	case "main":
		return BitcoinMainPrefixes
	case "test", "signet", "regtest":
		return BitcoinTestPrefixes
	}
	t.Fatalf("unknown chain %q", chain)
	return Prefixes{}
}

func loadJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// TestBase58Vectors runs every row of Bitcoin Core's
// base58_encode_decode.json both ways.
func TestBase58Vectors(t *testing.T) {
	var rows [][]string
	loadJSON(t, "base58_encode_decode.json", &rows)
	if len(rows) < 14 {
		t.Fatalf("only %d rows in base58_encode_decode.json, want at least 14", len(rows))
	}
	for i, row := range rows {
		if len(row) != 2 {
			t.Fatalf("row %d: %d fields, want 2", i, len(row))
		}
		data := mustHex(t, row[0])
		if got := Base58Encode(data); got != row[1] {
			t.Errorf("row %d: Base58Encode(%s) = %q, want %q", i, row[0], got, row[1])
		}
		got, err := Base58Decode(row[1])
		if err != nil {
			t.Errorf("row %d: Base58Decode(%q): %v", i, row[1], err)
			continue
		}
		if !bytes.Equal(got, data) {
			t.Errorf("row %d: Base58Decode(%q) = %x, want %s", i, row[1], got, row[0])
		}
	}
	t.Logf("ran %d of %d rows", len(rows), len(rows))
}

type keyIOMeta struct {
	Chain        string `json:"chain"`
	IsPrivkey    bool   `json:"isPrivkey"`
	IsCompressed *bool  `json:"isCompressed"`
	TryCaseFlip  bool   `json:"tryCaseFlip"`
}

type keyIORow struct {
	Encoded string
	Hex     string
	Meta    keyIOMeta
}

func (r *keyIORow) UnmarshalJSON(b []byte) error {
	var fields []json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	if len(fields) != 3 {
		return errors.New("key_io_valid row without 3 fields")
	}
	if err := json.Unmarshal(fields[0], &r.Encoded); err != nil {
		return err
	}
	if err := json.Unmarshal(fields[1], &r.Hex); err != nil {
		return err
	}
	return json.Unmarshal(fields[2], &r.Meta)
}

// isWitnessProgram reports whether pkScript is a segwit output (a version
// opcode and one push of 2 to 40 bytes); nodecoin has none.
func isWitnessProgram(pkScript []byte) bool {
	if len(pkScript) < 4 || len(pkScript) > 42 {
		return false
	}
	v := pkScript[0]
	return (v == 0x00 || (v >= 0x51 && v <= 0x60)) && int(pkScript[1]) == len(pkScript)-2
}

// Rows of key_io_valid.json this package must run; the rest are segwit
// addresses.
const (
	wantValidAddressRows = 22
	wantValidKeyRows     = 16
)

// TestKeyIOValid runs Bitcoin Core's key_io_valid.json with Bitcoin's
// prefixes: every Base58 address and private key, skipping bech32/bech32m.
func TestKeyIOValid(t *testing.T) {
	var rows []keyIORow
	loadJSON(t, "key_io_valid.json", &rows)
	var addrRows, keyRows, skipped int
	for i, row := range rows {
		p := bitcoinChainPrefixes(t, row.Meta.Chain)
		want := mustHex(t, row.Hex)
		if row.Meta.IsPrivkey {
			keyRows++
			checkValidKeyRow(t, i, row, p, want)
			continue
		}
		if isWitnessProgram(want) {
			skipped++
			continue
		}
		addrRows++
		checkValidAddressRow(t, i, row, p, want)
	}
	t.Logf("key_io_valid.json: ran %d address and %d private key rows, skipped %d segwit rows (no segwit on nodecoin), of %d",
		addrRows, keyRows, skipped, len(rows))
	if addrRows < wantValidAddressRows || keyRows < wantValidKeyRows {
		t.Errorf("ran %d address and %d key rows, want at least %d and %d",
			addrRows, keyRows, wantValidAddressRows, wantValidKeyRows)
	}
	if addrRows+keyRows+skipped != len(rows) {
		t.Errorf("counted %d rows of %d", addrRows+keyRows+skipped, len(rows))
	}
}

func checkValidKeyRow(t *testing.T, i int, row keyIORow, p Prefixes, wantKey []byte) {
	t.Helper()
	w, err := DecodeWIF(row.Encoded, p)
	if err != nil {
		t.Errorf("row %d: DecodeWIF(%q): %v", i, row.Encoded, err)
		return
	}
	if got := w.PrivKey.Serialize(); !bytes.Equal(got, wantKey) {
		t.Errorf("row %d: key %x, want %x", i, got, wantKey)
	}
	if row.Meta.IsCompressed == nil {
		t.Errorf("row %d: private key row without isCompressed", i)
	} else if w.CompressPubKey != *row.Meta.IsCompressed {
		t.Errorf("row %d: CompressPubKey = %v, want %v", i, w.CompressPubKey, *row.Meta.IsCompressed)
	}
	if !w.IsForPrefixes(p) {
		t.Errorf("row %d: IsForPrefixes false for its own chain", i)
	}
	if got := w.Encode(); got != row.Encoded {
		t.Errorf("row %d: Encode = %q, want %q", i, got, row.Encoded)
	}
	// Rebuilt from the bare key, it encodes the same.
	w2, err := NewWIF(w.PrivKey, w.CompressPubKey, p)
	if err != nil {
		t.Errorf("row %d: NewWIF: %v", i, err)
	} else if got := w2.Encode(); got != row.Encoded {
		t.Errorf("row %d: NewWIF(...).Encode = %q, want %q", i, got, row.Encoded)
	}
	// A private key is no address.
	if a, err := Decode(row.Encoded, p); err == nil {
		t.Errorf("row %d: private key %q decoded as address %v", i, row.Encoded, a)
	}
}

func checkValidAddressRow(t *testing.T, i int, row keyIORow, p Prefixes, wantScript []byte) {
	t.Helper()
	a, err := Decode(row.Encoded, p)
	if err != nil {
		t.Errorf("row %d: Decode(%q): %v", i, row.Encoded, err)
		return
	}
	if got := a.ScriptPubKey(); !bytes.Equal(got, wantScript) {
		t.Errorf("row %d: ScriptPubKey = %x, want %x", i, got, wantScript)
	}
	if got := a.String(); got != row.Encoded {
		t.Errorf("row %d: String = %q, want %q", i, got, row.Encoded)
	}
	if !a.IsForPrefixes(p) {
		t.Errorf("row %d: IsForPrefixes false for its own chain", i)
	}
	b, ok := FromScript(wantScript, p)
	if !ok {
		t.Errorf("row %d: FromScript(%x) found no address", i, wantScript)
	} else {
		if got := b.String(); got != row.Encoded {
			t.Errorf("row %d: FromScript(%x) = %q, want %q", i, wantScript, got, row.Encoded)
		}
		if b != a {
			t.Errorf("row %d: FromScript gives %#v, Decode %#v", i, b, a)
		}
	}
	// The other Bitcoin network refuses it.
	other := BitcoinTestPrefixes
	if p == BitcoinTestPrefixes {
		other = BitcoinMainPrefixes
	}
	if _, err := Decode(row.Encoded, other); !errors.Is(err, ErrUnknownVersion) {
		t.Errorf("row %d: Decode with the other network's prefixes: err %v, want ErrUnknownVersion", i, err)
	}
	if a.IsForPrefixes(other) {
		t.Errorf("row %d: IsForPrefixes true for the other network", i)
	}
	// An address is no private key.
	if _, err := DecodeWIF(row.Encoded, p); err == nil {
		t.Errorf("row %d: address %q decoded as a private key", i, row.Encoded)
	}
}

// nodecoinValidInKeyIOInvalid lists the strings of key_io_invalid.json that
// are invalid for Bitcoin but valid for nodecoin: Core's vectors include
// Base58Check data with version bytes Bitcoin does not use, and 0x35 is
// nodecoin main's P2PKH version.
var nodecoinValidInKeyIOInvalid = map[string]string{
	"NYamy7tcPQTzoU5iyQojD3sqhiz7zxkvn8": "nodecoin-main address",
}

// TestKeyIOInvalid checks that no string of Bitcoin Core's
// key_io_invalid.json decodes as an address or a private key with Bitcoin's
// prefixes (main, and test which signet and regtest share), and that with
// nodecoin's prefixes only the known exceptions do.
func TestKeyIOInvalid(t *testing.T) {
	var rows [][]string
	loadJSON(t, "key_io_invalid.json", &rows)
	const wantRows = 70
	nets := []struct {
		name string
		p    Prefixes
	}{
		{"bitcoin-main", BitcoinMainPrefixes},
		{"bitcoin-test", BitcoinTestPrefixes},
		{"nodecoin-main", nodecoinMainPrefixes},
		{"nodecoin-test", nodecoinTestPrefixes},
	}
	ran := 0
	for i, row := range rows {
		if len(row) < 1 {
			t.Fatalf("row %d is empty", i)
		}
		s := row[0]
		var valid []string
		for _, net := range nets {
			if _, err := Decode(s, net.p); err == nil {
				valid = append(valid, net.name+" address")
			}
			if _, err := DecodeWIF(s, net.p); err == nil {
				valid = append(valid, net.name+" private key")
			}
		}
		want := nodecoinValidInKeyIOInvalid[s]
		if got := strings.Join(valid, ", "); got != want {
			t.Errorf("row %d: %q decodes as [%s], want [%s]", i, s, got, want)
		}
		ran++
	}
	t.Logf("key_io_invalid.json: ran %d of %d rows, skipped none", ran, len(rows))
	if ran < wantRows {
		t.Errorf("ran %d rows, want at least %d", ran, wantRows)
	}
}
