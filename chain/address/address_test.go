package address

import (
	"bytes"
	"errors"
	"math/rand"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/nodecoin/nodecoin/chain/script"
)

// TestNodecoinLeadingCharacters checks DESIGN.md §2: P2PKH addresses start
// with N on main and with n on test and regtest, and an address of one
// network is refused by the other.
func TestNodecoinLeadingCharacters(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	hashes := [][]byte{make([]byte, 20), bytes.Repeat([]byte{0xff}, 20)}
	for range 200 {
		h := make([]byte, 20)
		rng.Read(h)
		hashes = append(hashes, h)
	}
	nets := []struct {
		name        string
		p, other    Prefixes
		wantLeading byte
	}{
		{"main", nodecoinMainPrefixes, nodecoinTestPrefixes, 'N'},
		{"test", nodecoinTestPrefixes, nodecoinMainPrefixes, 'n'},
	}
	for _, net := range nets {
		t.Run(net.name, func(t *testing.T) {
			for _, h := range hashes {
				a, err := NewAddressPubKeyHash(h, net.p)
				if err != nil {
					t.Fatal(err)
				}
				s := a.String()
				if s[0] != net.wantLeading {
					t.Errorf("hash %x: address %q does not start with %c", h, s, net.wantLeading)
				}
				got, err := Decode(s, net.p)
				if err != nil {
					t.Fatalf("Decode(%q): %v", s, err)
				}
				if got != Address(a) {
					t.Errorf("Decode(%q) = %#v, want %#v", s, got, a)
				}
				if _, err := Decode(s, net.other); !errors.Is(err, ErrUnknownVersion) {
					t.Errorf("Decode(%q) with the other network's prefixes: err %v, want ErrUnknownVersion", s, err)
				}
				sh, err := NewAddressScriptHash(h, net.p)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := Decode(sh.String(), net.other); !errors.Is(err, ErrUnknownVersion) {
					t.Errorf("P2SH %q with the other network's prefixes: err %v, want ErrUnknownVersion", sh, err)
				}
			}
		})
	}
}

func TestConstructorErrors(t *testing.T) {
	tests := []struct {
		name    string
		f       func() error
		wantErr error
	}{
		{"p2pkh short hash", func() error { _, err := NewAddressPubKeyHash(make([]byte, 19), nodecoinMainPrefixes); return err }, ErrInvalidLength},
		{"p2pkh long hash", func() error { _, err := NewAddressPubKeyHash(make([]byte, 21), nodecoinMainPrefixes); return err }, ErrInvalidLength},
		{"p2pkh nil hash", func() error { _, err := NewAddressPubKeyHash(nil, nodecoinMainPrefixes); return err }, ErrInvalidLength},
		{"p2sh short hash", func() error { _, err := NewAddressScriptHash(make([]byte, 19), nodecoinMainPrefixes); return err }, ErrInvalidLength},
		{"p2pkh zero prefixes", func() error { _, err := NewAddressPubKeyHash(make([]byte, 20), Prefixes{}); return err }, ErrInvalidPrefixes},
		{"p2sh zero prefixes", func() error { _, err := NewAddressScriptHash(make([]byte, 20), Prefixes{}); return err }, ErrInvalidPrefixes},
		{"redeem script too large", func() error {
			_, err := NewAddressScriptHashFromScript(make([]byte, script.MaxScriptElementSize+1), nodecoinMainPrefixes)
			return err
		}, ErrScriptTooLarge},
		{"redeem script at the limit", func() error {
			_, err := NewAddressScriptHashFromScript(make([]byte, script.MaxScriptElementSize), nodecoinMainPrefixes)
			return err
		}, nil},
		{"decode with zero prefixes", func() error { _, err := Decode("1111111111111111111114oLvT2", Prefixes{}); return err }, ErrInvalidPrefixes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.f(); !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// Key 1's public key (the generator) and its Bitcoin addresses.
const (
	genCompressed   = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
	genUncompressed = "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798" +
		"483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
	genAddrCompressed   = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"
	genAddrUncompressed = "1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm"
)

func TestNewAddressPubKeyHashFromPubKey(t *testing.T) {
	hybrid := mustHex(t, genUncompressed)
	hybrid[0] = 0x06 // the generator's y is even
	// x = 5: 5^3 + 7 is not a square mod p, so no point has this x.
	offCurve := make([]byte, 33)
	offCurve[0], offCurve[32] = 0x02, 0x05
	badPrefix := mustHex(t, genCompressed)
	badPrefix[0] = 0x05
	tests := []struct {
		name    string
		pub     []byte
		want    string
		wantErr error
	}{
		{"compressed", mustHex(t, genCompressed), genAddrCompressed, nil},
		{"uncompressed", mustHex(t, genUncompressed), genAddrUncompressed, nil},
		{"hybrid", hybrid, "", ErrInvalidKey},
		{"not on curve", offCurve, "", ErrInvalidKey},
		{"bad format byte", badPrefix, "", ErrInvalidKey},
		{"short", mustHex(t, genCompressed)[:32], "", ErrInvalidKey},
		{"empty", nil, "", ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := NewAddressPubKeyHashFromPubKey(tt.pub, BitcoinMainPrefixes)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := a.String(); got != tt.want {
				t.Errorf("address %q, want %q", got, tt.want)
			}
			if !bytes.Equal(a.Hash160(), script.Hash160(tt.pub)) {
				t.Errorf("Hash160 %x, want %x", a.Hash160(), script.Hash160(tt.pub))
			}
		})
	}
}

func TestScriptHashFromScript(t *testing.T) {
	redeem := []byte{0x51} // OP_TRUE
	a, err := NewAddressScriptHashFromScript(redeem, nodecoinTestPrefixes)
	if err != nil {
		t.Fatal(err)
	}
	h := script.Hash160(redeem)
	if !bytes.Equal(a.Hash160(), h) {
		t.Errorf("Hash160 = %x, want %x", a.Hash160(), h)
	}
	want := append(append([]byte{0xa9, 0x14}, h...), 0x87)
	if !bytes.Equal(a.ScriptPubKey(), want) {
		t.Errorf("ScriptPubKey = %x, want %x", a.ScriptPubKey(), want)
	}
	if a.Version() != nodecoinTestPrefixes.ScriptHash || !a.IsForPrefixes(nodecoinTestPrefixes) || a.IsForPrefixes(nodecoinMainPrefixes) {
		t.Errorf("version 0x%02x, IsForPrefixes wrong", a.Version())
	}
	got, err := Decode(a.String(), nodecoinTestPrefixes)
	if err != nil || got != Address(a) {
		t.Errorf("Decode(%q) = %v, %v; want %v", a, got, err, a)
	}
	// Hash160 hands out a copy.
	a.Hash160()[0] ^= 0xff
	if !bytes.Equal(a.Hash160(), h) {
		t.Error("changing Hash160's result changed the address")
	}
}

func TestDecodeErrors(t *testing.T) {
	p := nodecoinMainPrefixes
	good := CheckEncode(p.PubKeyHash, make([]byte, 20))
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"empty", "", ErrInvalidFormat},
		{"invalid character", "N0", ErrInvalidCharacter},
		{"bad checksum", good[:len(good)-1] + "z", ErrChecksum},
		{"short P2PKH payload", CheckEncode(p.PubKeyHash, make([]byte, 19)), ErrInvalidLength},
		{"long P2PKH payload", CheckEncode(p.PubKeyHash, make([]byte, 21)), ErrInvalidLength},
		{"short P2SH payload", CheckEncode(p.ScriptHash, make([]byte, 19)), ErrInvalidLength},
		{"empty payload", CheckEncode(p.PubKeyHash, nil), ErrInvalidLength},
		{"WIF version", CheckEncode(p.WIF, make([]byte, 20)), ErrUnknownVersion},
		{"bitcoin address", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", ErrUnknownVersion},
		{"test network address", CheckEncode(nodecoinTestPrefixes.PubKeyHash, make([]byte, 20)), ErrUnknownVersion},
		{"too long", strings.Repeat("N", MaxDecodeLen+1), ErrTooLong},
	}
	if good[len(good)-1] == 'z' {
		t.Fatal("test needs a different checksum character")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Decode(tt.in, p)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Decode(%q) = %v, err %v; want %v", tt.in, a, err, tt.wantErr)
			}
			if err != nil && a != nil {
				t.Errorf("Decode(%q) returned %v with an error", tt.in, a)
			}
		})
	}
	// Core's DecodeBase58 skips surrounding whitespace; so do addresses.
	if a, err := Decode(" \t"+good+"\n", p); err != nil || a.String() != good {
		t.Errorf("Decode with surrounding whitespace = %v, %v; want %s", a, err, good)
	}
}

func TestFromScript(t *testing.T) {
	h := bytes.Repeat([]byte{0x42}, 20)
	p2pkh := append(append([]byte{0x76, 0xa9, 0x14}, h...), 0x88, 0xac)
	p2sh := append(append([]byte{0xa9, 0x14}, h...), 0x87)
	p2pk := append(append([]byte{0x21}, mustHex(t, genCompressed)...), 0xac)
	p2pkU := append(append([]byte{0x41}, mustHex(t, genUncompressed)...), 0xac)
	multisig := append(append([]byte{0x51, 0x21}, mustHex(t, genCompressed)...), 0x51, 0xae)
	pushdata1P2SH := append(append([]byte{0xa9, 0x4c, 0x14}, h...), 0x87)
	tests := []struct {
		name     string
		pkScript []byte
		p        Prefixes
		want     Address
	}{
		{"p2pkh", p2pkh, nodecoinMainPrefixes, AddressPubKeyHash{version: 0x35, hash: [20]byte(h)}},
		{"p2sh", p2sh, nodecoinMainPrefixes, AddressScriptHash{version: 0x38, hash: [20]byte(h)}},
		{"p2pkh test", p2pkh, nodecoinTestPrefixes, AddressPubKeyHash{version: 0x70, hash: [20]byte(h)}},
		{"p2pk compressed", p2pk, nodecoinMainPrefixes, nil},
		{"p2pk uncompressed", p2pkU, nodecoinMainPrefixes, nil},
		{"bare multisig", multisig, nodecoinMainPrefixes, nil},
		{"op_return", []byte{0x6a, 0x01, 0x00}, nodecoinMainPrefixes, nil},
		{"empty", nil, nodecoinMainPrefixes, nil},
		{"p2pkh with extra byte", append(append([]byte{}, p2pkh...), 0x00), nodecoinMainPrefixes, nil},
		{"p2pkh truncated", p2pkh[:24], nodecoinMainPrefixes, nil},
		{"p2sh truncated", p2sh[:22], nodecoinMainPrefixes, nil},
		{"p2sh with PUSHDATA1", pushdata1P2SH, nodecoinMainPrefixes, nil},
		{"zero prefixes", p2pkh, Prefixes{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FromScript(tt.pkScript, tt.p)
			if ok != (tt.want != nil) || got != tt.want {
				t.Fatalf("FromScript(%x) = %#v, %v; want %#v", tt.pkScript, got, ok, tt.want)
			}
			if ok && !bytes.Equal(got.ScriptPubKey(), tt.pkScript) {
				t.Errorf("ScriptPubKey = %x, want %x", got.ScriptPubKey(), tt.pkScript)
			}
		})
	}
}

// TestPubKeyAddressOfWIF ties the pieces together: the address of key 1's
// WIF is the generator's address.
func TestPubKeyAddressOfWIF(t *testing.T) {
	priv, _ := btcec.PrivKeyFromBytes([]byte{1})
	for _, tt := range []struct {
		compress bool
		want     string
	}{{true, genAddrCompressed}, {false, genAddrUncompressed}} {
		w, err := NewWIF(priv, tt.compress, BitcoinMainPrefixes)
		if err != nil {
			t.Fatal(err)
		}
		a, err := NewAddressPubKeyHashFromPubKey(w.SerializePubKey(), BitcoinMainPrefixes)
		if err != nil {
			t.Fatal(err)
		}
		if a.String() != tt.want {
			t.Errorf("compress=%v: address %s, want %s", tt.compress, a, tt.want)
		}
	}
}
