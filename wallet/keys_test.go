package wallet

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/nodecoin/nodecoin/chain/address"
)

type bip32Vector struct {
	Name  string `json:"name"`
	Seed  string `json:"seed"`
	Steps []struct {
		Path string `json:"path"`
		Xpub string `json:"xpub"`
		Xprv string `json:"xprv"`
	} `json:"steps"`
}

// encodeExtended gives the Base58Check text of a 78-byte BIP32
// serialization; CheckEncode takes the first version byte separately.
func encodeExtended(b []byte) string { return address.CheckEncode(b[0], b[1:]) }

func TestBIP32Vectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/bip32_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors []bip32Vector
	if err := json.Unmarshal(raw, &vectors); err != nil {
		t.Fatal(err)
	}
	if len(vectors) < 2 {
		t.Fatalf("only %d vectors", len(vectors))
	}
	for _, v := range vectors {
		seed, err := hex.DecodeString(v.Seed)
		if err != nil {
			t.Fatal(err)
		}
		master, err := NewMaster(seed)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		for _, s := range v.Steps {
			t.Run(v.Name+" "+s.Path, func(t *testing.T) {
				path, err := ParsePath(strings.ReplaceAll(s.Path, "H", "'"))
				if err != nil {
					t.Fatal(err)
				}
				k, err := master.DerivePath(path)
				if err != nil {
					t.Fatal(err)
				}
				if got := encodeExtended(k.SerializePrivate(0x0488ADE4)); got != s.Xprv {
					t.Errorf("xprv\n got %s\nwant %s", got, s.Xprv)
				}
				if got := encodeExtended(k.SerializePublic(0x0488B21E)); got != s.Xpub {
					t.Errorf("xpub\n got %s\nwant %s", got, s.Xpub)
				}
				// The fields separately, from the decoded expectation.
				_, payload, err := address.CheckDecode(s.Xprv)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(payload[12:44], k.ChainCode()) {
					t.Errorf("chain code %x, want %x", k.ChainCode(), payload[12:44])
				}
				if want := payload[45:77]; !bytes.Equal(want, k.PrivKey().Serialize()) {
					t.Errorf("private key differs")
				}
				if int(k.Depth()) != len(path) {
					t.Errorf("depth %d, want %d", k.Depth(), len(path))
				}
			})
		}
	}
}

func TestNewMasterSeedLength(t *testing.T) {
	for _, n := range []int{0, 15, 65, 100} {
		if _, err := NewMaster(make([]byte, n)); !errors.Is(err, ErrInvalidSeed) {
			t.Errorf("seed of %d bytes: err %v, want ErrInvalidSeed", n, err)
		}
	}
	for _, n := range []int{16, 32, 64} {
		if _, err := NewMaster(bytes.Repeat([]byte{7}, n)); err != nil {
			t.Errorf("seed of %d bytes: %v", n, err)
		}
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		in   string
		want []uint32
		ok   bool
	}{
		{"m", []uint32{}, true},
		{"m/0'/1/2h/3H", []uint32{HardenedKeyStart, 1, HardenedKeyStart + 2, HardenedKeyStart + 3}, true},
		{"m/2147483647'", []uint32{0xffffffff}, true},
		{"m/2147483648", nil, false},
		{"m/-1", nil, false},
		{"m/", nil, false},
		{"0/1", nil, false},
		{"", nil, false},
		{"m/1x", nil, false},
	}
	for _, tt := range tests {
		got, err := ParsePath(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("%q: err %v", tt.in, err)
			continue
		}
		if tt.ok && fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%q: %v, want %v", tt.in, got, tt.want)
		}
		if tt.ok && tt.in == "m/0'/1/2h/3H" && FormatPath(got) != "m/0'/1/2'/3'" {
			t.Errorf("FormatPath %s", FormatPath(got))
		}
	}
	if got := FormatPath(AccountPath(CoinTypeMain, BranchChange)); got != "m/44'/9633'/0'/1'" {
		t.Errorf("account path %s", got)
	}
}

func TestExtendedKeyRedacted(t *testing.T) {
	k, err := NewMaster(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	secret := hex.EncodeToString(k.PrivKey().Serialize())
	var logBuf bytes.Buffer
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("key", "k", k)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k), logBuf.String()} {
		if strings.Contains(s, secret) || !strings.Contains(s, "redacted") {
			t.Errorf("formatted key not redacted: %s", s)
		}
	}
}
