package address

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// seedStrings adds every string of the test vectors, plus some edge cases, to
// a fuzz corpus whose arguments are (string) or (string, extra...).
func seedStrings(f *testing.F, extra ...any) {
	f.Helper()
	seeds := []string{
		"", " ", "1", "11111", "z", "0", "l", "\x00", " \t skip \n", "1 1",
		"1111111111111111111114oLvT2", key1Compressed, key1Uncompressed,
		genAddrCompressed, genAddrUncompressed,
	}
	for _, name := range []string{"base58_encode_decode.json", "key_io_valid.json", "key_io_invalid.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		var rows [][]any
		if err := json.Unmarshal(b, &rows); err != nil {
			f.Fatal(err)
		}
		for _, row := range rows {
			i := 0
			if name == "base58_encode_decode.json" {
				i = 1
			}
			if s, ok := row[i].(string); ok {
				seeds = append(seeds, s)
			}
		}
	}
	for _, s := range seeds {
		f.Add(append([]any{s}, extra...)...)
	}
}

// FuzzBase58Decode checks that Decode never panics, that what it accepts
// re-encodes to the input without its surrounding whitespace, and that any
// data (the input's bytes) survives Base58Encode then Base58Decode.
func FuzzBase58Decode(f *testing.F) {
	seedStrings(f)
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Base58Decode(s)
		if err == nil {
			trimmed, _ := trimSpace(s)
			if got := Base58Encode(b); got != trimmed {
				t.Errorf("Base58Encode(Base58Decode(%q)) = %q", s, got)
			}
		}
		data := []byte(s)
		enc := Base58Encode(data)
		if len(enc) > MaxDecodeLen {
			return
		}
		got, err := Base58Decode(enc)
		if err != nil {
			t.Fatalf("Base58Decode(Base58Encode(%x)): %v", data, err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("Base58Decode(Base58Encode(%x)) = %x", data, got)
		}
	})
}

// FuzzCheckDecode checks that CheckDecode never panics, that what it accepts
// re-encodes to the trimmed input, and that CheckEncode output decodes back.
func FuzzCheckDecode(f *testing.F) {
	seedStrings(f, byte(0x35))
	f.Fuzz(func(t *testing.T, s string, version byte) {
		v, payload, err := CheckDecode(s)
		if err == nil {
			trimmed, _ := trimSpace(s)
			if got := CheckEncode(v, payload); got != trimmed {
				t.Errorf("CheckEncode(CheckDecode(%q)) = %q", s, got)
			}
		}
		enc := CheckEncode(version, []byte(s))
		if len(enc) > MaxDecodeLen {
			return
		}
		v, payload, err = CheckDecode(enc)
		if err != nil {
			t.Fatalf("CheckDecode(CheckEncode(%#x, %x)): %v", version, s, err)
		}
		if v != version || !bytes.Equal(payload, []byte(s)) {
			t.Errorf("CheckDecode(CheckEncode(%#x, %x)) = %#x, %x", version, s, v, payload)
		}
	})
}

var fuzzNetworks = []Prefixes{nodecoinMainPrefixes, nodecoinTestPrefixes, BitcoinMainPrefixes, BitcoinTestPrefixes}

// FuzzDecodeAddress checks that Decode never panics and that an accepted
// address is consistent: it re-encodes to the trimmed input, belongs to the
// network, and its script maps back to it.
func FuzzDecodeAddress(f *testing.F) {
	seedStrings(f, uint8(0))
	for i := range fuzzNetworks {
		f.Add(CheckEncode(fuzzNetworks[i].ScriptHash, make([]byte, 20)), uint8(i))
		f.Add(CheckEncode(fuzzNetworks[i].PubKeyHash, bytes.Repeat([]byte{0xff}, 20)), uint8(i))
	}
	f.Fuzz(func(t *testing.T, s string, net uint8) {
		p := fuzzNetworks[int(net)%len(fuzzNetworks)]
		a, err := Decode(s, p)
		if err != nil {
			if a != nil {
				t.Errorf("Base58Decode(%q) returned %v with error %v", s, a, err)
			}
			return
		}
		trimmed, _ := trimSpace(s)
		if a.String() != trimmed {
			t.Errorf("Base58Decode(%q).String() = %q", s, a.String())
		}
		if !a.IsForPrefixes(p) {
			t.Errorf("Base58Decode(%q) gives an address not for its prefixes", s)
		}
		if len(a.Hash160()) != Hash160Size {
			t.Errorf("Hash160 of %d bytes", len(a.Hash160()))
		}
		b, ok := FromScript(a.ScriptPubKey(), p)
		if !ok || b != a {
			t.Errorf("FromScript(ScriptPubKey of %q) = %v, %v", s, b, ok)
		}
	})
}

// FuzzDecodeWIF checks that DecodeWIF never panics and that an accepted key
// is in range and re-encodes to the trimmed input.
func FuzzDecodeWIF(f *testing.F) {
	seedStrings(f, uint8(2))
	one := make([]byte, 32)
	one[31] = 1
	for i := range fuzzNetworks {
		f.Add(CheckEncode(fuzzNetworks[i].WIF, append(append([]byte{}, one...), 0x01)), uint8(i))
		f.Add(CheckEncode(fuzzNetworks[i].WIF, mustHex(f, curveOrder)), uint8(i))
	}
	f.Fuzz(func(t *testing.T, s string, net uint8) {
		p := fuzzNetworks[int(net)%len(fuzzNetworks)]
		w, err := DecodeWIF(s, p)
		if err != nil {
			if w != nil {
				t.Errorf("DecodeWIF returned a key with error %v", err)
			}
			return
		}
		if w.PrivKey.Key.IsZero() {
			t.Errorf("DecodeWIF(%q) accepted the zero key", s)
		}
		trimmed, _ := trimSpace(s)
		if got := w.Encode(); got != trimmed {
			t.Errorf("DecodeWIF(%q).Encode() = %q", s, got)
		}
		if !w.IsForPrefixes(p) {
			t.Errorf("DecodeWIF(%q) gives a key not for its prefixes", s)
		}
	})
}
