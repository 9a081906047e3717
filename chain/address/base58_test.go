package address

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestBase58Encode(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"nil", nil, ""},
		{"one zero", []byte{0}, "1"},
		{"zeros then value", []byte{0, 0, 1}, "112"},
		{"57", []byte{57}, "z"},
		{"58", []byte{58}, "21"},
		{"limb boundary", []byte{1, 0, 0, 0, 0}, "7YXq9H"},
		{"all ones 4 bytes", []byte{0xff, 0xff, 0xff, 0xff}, "7YXq9G"},
		{"58^5", []byte{0x27, 0x1f, 0x35, 0xa0}, "211111"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Base58Encode(tt.in); got != tt.want {
				t.Errorf("Base58Encode(%x) = %q, want %q", tt.in, got, tt.want)
			}
			got, err := Base58Decode(tt.want)
			if err != nil {
				t.Fatalf("Base58Decode(%q): %v", tt.want, err)
			}
			if !bytes.Equal(got, tt.in) {
				t.Errorf("Base58Decode(%q) = %x, want %x", tt.want, got, tt.in)
			}
		})
	}
}

// TestBase58DecodeEdges covers Bitcoin Core's DecodeBase58 behaviour that the
// JSON vectors do not: whitespace, bad characters, and the length limit.
func TestBase58DecodeEdges(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []byte
		wantErr error
	}{
		// Core's base58 test: surrounding whitespace of every kind is skipped.
		{"surrounding whitespace", " \t\n\v\f\r skip \r\f\v\n\t ", []byte{0x97, 0x1a, 0x55}, nil},
		{"only whitespace", " \t\r\n", []byte{}, nil},
		{"empty", "", []byte{}, nil},
		{"leading ones kept after whitespace", "  112 ", []byte{0, 0, 1}, nil},
		{"inner space", "1 1", nil, ErrInvalidCharacter},
		{"inner space after digits", "sk ip", nil, ErrInvalidCharacter},
		{"invalid word", "invalid", nil, ErrInvalidCharacter},
		{"zero digit", "10", nil, ErrInvalidCharacter},
		{"capital O", "O", nil, ErrInvalidCharacter},
		{"capital I", "I", nil, ErrInvalidCharacter},
		{"small l", "l", nil, ErrInvalidCharacter},
		{"NUL", "\x00", nil, ErrInvalidCharacter},
		{"trailing NUL", "skip\x00", nil, ErrInvalidCharacter},
		{"NUL then text", "\x00skip", nil, ErrInvalidCharacter},
		{"non-ASCII", "sk\u00e9p", nil, ErrInvalidCharacter},
		{"unicode space is not skipped", "\u00a0skip", nil, ErrInvalidCharacter},
		{"longest accepted", strings.Repeat("1", MaxDecodeLen), make([]byte, MaxDecodeLen), nil},
		{"too long", strings.Repeat("2", MaxDecodeLen+1), nil, ErrTooLong},
		{"whitespace not counted", strings.Repeat(" ", 2*MaxDecodeLen) + "2g", []byte("a"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Base58Decode(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Base58Decode(%q) err = %v, want %v", tt.in, err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("Base58Decode(%q) returned %x with an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Base58Decode(%q): %v", tt.in, err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("Base58Decode(%q) = %x, want %x", tt.in, got, tt.want)
			}
		})
	}
}

func TestBase58InvalidCharacterOffset(t *testing.T) {
	_, err := Base58Decode("  abc0")
	if !errors.Is(err, ErrInvalidCharacter) || !strings.Contains(err.Error(), "offset 5") {
		t.Errorf("err = %v, want ErrInvalidCharacter at offset 5", err)
	}
}

func TestCheckEncodeDecode(t *testing.T) {
	tests := []struct {
		name    string
		version byte
		payload []byte
		want    string
	}{
		// The well-known Bitcoin address of the all-zero hash.
		{"zero hash P2PKH", 0x00, make([]byte, 20), "1111111111111111111114oLvT2"},
		{"empty payload", 0x35, nil, ""},
		{"nodecoin main", 0x35, bytes.Repeat([]byte{0xab}, 20), ""},
		{"long payload", 0xff, bytes.Repeat([]byte{0x01}, 200), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := CheckEncode(tt.version, tt.payload)
			if tt.want != "" && s != tt.want {
				t.Errorf("CheckEncode = %q, want %q", s, tt.want)
			}
			v, p, err := CheckDecode(s)
			if err != nil {
				t.Fatalf("CheckDecode(%q): %v", s, err)
			}
			if v != tt.version || !bytes.Equal(p, tt.payload) {
				t.Errorf("CheckDecode(%q) = %#x %x, want %#x %x", s, v, p, tt.version, tt.payload)
			}
		})
	}
}

func TestCheckDecodeErrors(t *testing.T) {
	good := CheckEncode(0x00, make([]byte, 20))
	// Change the last character: the checksum no longer matches.
	last := good[len(good)-1]
	swapped := byte('3')
	if last == swapped {
		swapped = '4'
	}
	badSum := good[:len(good)-1] + string(swapped)
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"empty", "", ErrInvalidFormat},
		{"four zero bytes", "1111", ErrInvalidFormat},
		{"four bytes", Base58Encode([]byte{1, 2, 3, 4}), ErrInvalidFormat},
		{"bad checksum", badSum, ErrChecksum},
		{"checksum of other data", Base58Encode(append([]byte{0, 1}, make([]byte, 4)...)), ErrChecksum},
		{"invalid character", good + "0", ErrInvalidCharacter},
		{"too long", strings.Repeat("z", MaxDecodeLen+1), ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := CheckDecode(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("CheckDecode(%q) err = %v, want %v", tt.in, err, tt.wantErr)
			}
		})
	}
}
