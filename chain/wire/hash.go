package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// HashSize is the length in bytes of a Hash.
const HashSize = 32

// Hash is a SHA-256d digest in internal byte order, the order in which it is
// serialized. Humans and RPC see it byte-reversed (see String).
type Hash [HashSize]byte

// ZeroHash is the all-zero hash, the previous-block hash of a genesis block and
// the outpoint hash of a coinbase input.
var ZeroHash Hash

// String returns the hash in display order: the bytes reversed, in lower-case
// hex, as Bitcoin Core shows block hashes and txids.
func (h Hash) String() string {
	var r [HashSize]byte
	for i := range h {
		r[i] = h[HashSize-1-i]
	}
	return hex.EncodeToString(r[:])
}

// IsZero reports whether every byte of h is zero.
func (h Hash) IsZero() bool { return h == ZeroHash }

// MarshalText encodes the hash in display order, so JSON shows it as Bitcoin
// Core does.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes a hash given in display order.
func (h *Hash) UnmarshalText(text []byte) error {
	v, err := NewHashFromStr(string(text))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// NewHashFromStr parses a 64-digit hex string in display order (as printed by
// String) into a Hash.
func NewHashFromStr(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*HashSize {
		return h, fmt.Errorf("hash %q: want %d hex digits, got %d", s, 2*HashSize, len(s))
	}
	var b [HashSize]byte
	if _, err := hex.Decode(b[:], []byte(s)); err != nil {
		return h, fmt.Errorf("hash %q: %w", s, err)
	}
	for i := range b {
		h[i] = b[HashSize-1-i]
	}
	return h, nil
}

// DoubleSHA256 returns SHA-256(SHA-256(b)), Bitcoin's hash for block headers,
// transactions and merkle nodes.
func DoubleSHA256(b []byte) Hash {
	first := sha256.Sum256(b)
	return Hash(sha256.Sum256(first[:]))
}
