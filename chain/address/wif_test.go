package address

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// curveOrder is n, the order of secp256k1, big-endian.
const curveOrder = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"

// Well-known Bitcoin main-network WIF forms of private key 1.
const (
	key1Compressed   = "KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn"
	key1Uncompressed = "5HpHagT65TZzG1PH3CSu63k8DbpvD8s5ip4nEB3kEsreAnchuDf"
)

func TestWIFKnown(t *testing.T) {
	one := make([]byte, 32)
	one[31] = 1
	for _, tt := range []struct {
		s        string
		compress bool
	}{{key1Compressed, true}, {key1Uncompressed, false}} {
		w, err := DecodeWIF(tt.s, BitcoinMainPrefixes)
		if err != nil {
			t.Fatalf("DecodeWIF(%q): %v", tt.s, err)
		}
		if !bytes.Equal(w.PrivKey.Serialize(), one) || w.CompressPubKey != tt.compress || w.Version != 0x80 {
			t.Errorf("DecodeWIF(%q) = key %x compress %v version %#x", tt.s, w.PrivKey.Serialize(), w.CompressPubKey, w.Version)
		}
		if got := w.Encode(); got != tt.s {
			t.Errorf("Encode = %q, want %q", got, tt.s)
		}
		wantLen := 65
		if tt.compress {
			wantLen = 33
		}
		if got := len(w.SerializePubKey()); got != wantLen {
			t.Errorf("SerializePubKey length %d, want %d", got, wantLen)
		}
	}
}

func TestDecodeWIFErrors(t *testing.T) {
	p := nodecoinMainPrefixes
	n := mustHex(t, curveOrder)
	nMinus1 := mustHex(t, curveOrder)
	nMinus1[31]--
	key := func(b []byte, suffix ...byte) string {
		return CheckEncode(p.WIF, append(append([]byte{}, b...), suffix...))
	}
	one := make([]byte, 32)
	one[31] = 1
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"key 1", key(one), nil},
		{"key 1 compressed", key(one, 0x01), nil},
		{"key n-1", key(nMinus1), nil},
		{"key n-1 compressed", key(nMinus1, 0x01), nil},
		{"key 0", key(make([]byte, 32)), ErrInvalidKey},
		{"key 0 compressed", key(make([]byte, 32), 0x01), ErrInvalidKey},
		{"key n", key(n), ErrInvalidKey},
		{"key 2^256-1", key(bytes.Repeat([]byte{0xff}, 32), 0x01), ErrInvalidKey},
		{"flag 0x00", key(one, 0x00), ErrInvalidFormat},
		{"flag 0x02", key(one, 0x02), ErrInvalidFormat},
		{"31 bytes", key(one[1:]), ErrInvalidLength},
		{"34 bytes", key(one, 0x01, 0x01), ErrInvalidLength},
		{"empty payload", key(nil), ErrInvalidLength},
		{"test network key", CheckEncode(nodecoinTestPrefixes.WIF, append(append([]byte{}, one...), 0x01)), ErrUnknownVersion},
		{"bitcoin key", key1Compressed, ErrUnknownVersion},
		{"address", CheckEncode(p.PubKeyHash, make([]byte, 20)), ErrUnknownVersion},
		{"bad checksum", key(one)[:10] + "1" + key(one)[11:], ErrChecksum},
		{"invalid character", "0" + key(one), ErrInvalidCharacter},
		{"too short", "11", ErrInvalidFormat},
		{"too long", strings.Repeat("T", MaxDecodeLen+1), ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := DecodeWIF(tt.in, p)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("DecodeWIF: %v", err)
				}
				if got := w.Encode(); got != tt.in {
					t.Errorf("Encode = %q, want %q", got, tt.in)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if w != nil {
				t.Errorf("returned a key with an error")
			}
			// The secret must not leak into error messages.
			if len(tt.in) > 8 && strings.Contains(err.Error(), tt.in) {
				t.Errorf("error %q quotes the input", err)
			}
		})
	}
}

func TestNewWIF(t *testing.T) {
	var zero btcec.PrivateKey
	tests := []struct {
		name    string
		key     *btcec.PrivateKey
		wantErr error
	}{
		{"nil", nil, ErrInvalidKey},
		{"zero", &zero, ErrInvalidKey},
		{"random", mustNewKey(t), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, net := range []Prefixes{nodecoinMainPrefixes, nodecoinTestPrefixes} {
				for _, compress := range []bool{false, true} {
					w, err := NewWIF(tt.key, compress, net)
					if !errors.Is(err, tt.wantErr) {
						t.Fatalf("err = %v, want %v", err, tt.wantErr)
					}
					if err != nil {
						continue
					}
					got, err := DecodeWIF(w.Encode(), net)
					if err != nil {
						t.Fatal(err)
					}
					if !got.PrivKey.Key.Equals(&tt.key.Key) || got.CompressPubKey != compress || !got.IsForPrefixes(net) {
						t.Errorf("round trip changed the key")
					}
					other := nodecoinTestPrefixes
					if net == other {
						other = nodecoinMainPrefixes
					}
					if got.IsForPrefixes(other) {
						t.Errorf("IsForPrefixes true for the other network")
					}
					if _, err := DecodeWIF(w.Encode(), other); !errors.Is(err, ErrUnknownVersion) {
						t.Errorf("other network: err %v, want ErrUnknownVersion", err)
					}
				}
			}
		})
	}
}

func mustNewKey(t *testing.T) *btcec.PrivateKey {
	t.Helper()
	k, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
