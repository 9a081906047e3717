package script

import (
	"crypto/sha256"

	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // Bitcoin's HASH160 needs RIPEMD-160.
)

// Hash160 returns RIPEMD-160(SHA-256(b)), the hash that P2PKH and P2SH
// scripts commit to.
func Hash160(b []byte) []byte {
	var out [20]byte
	hash160Into(&out, b)
	return out[:]
}

// hash160Into writes RIPEMD-160(SHA-256(b)) into out.
func hash160Into(out *[20]byte, b []byte) {
	s := sha256.Sum256(b)
	h := ripemd160.New()
	h.Write(s[:])
	h.Sum(out[:0])
}

// ripemd160Sum returns RIPEMD-160(b).
func ripemd160Sum(b []byte) []byte {
	h := ripemd160.New()
	h.Write(b)
	return h.Sum(nil)
}
