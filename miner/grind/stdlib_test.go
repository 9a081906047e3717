package grind

import (
	"math/rand/v2"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// TestStdlibPathMatchesPortable checks the crypto/sha256 midstate path
// against the portable one and wire.DoubleSHA256 on random headers.
func TestStdlibPathMatchesPortable(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for range 300 {
		var h wire.BlockHeader
		h.Version = int32(rng.Uint32())
		for i := range h.PrevBlock {
			h.PrevBlock[i], h.MerkleRoot[i] = byte(rng.Uint32()), byte(rng.Uint32())
		}
		h.Timestamp, h.Bits = rng.Uint32(), rng.Uint32()
		b := h.Bytes()
		std := newStdHasher(&b)
		j := NewJob(&h)
		for range 4 {
			nonce := rng.Uint32()
			var d [8]uint32
			std.digest(nonce, &d)
			h.Nonce = nonce
			full := h.Bytes()
			if got, want := digestHash(&d), wire.DoubleSHA256(full[:]); got != want || j.Hash(nonce) != want {
				t.Fatalf("nonce %d: stdlib %s, portable %s, want %s", nonce, got, j.Hash(nonce), want)
			}
		}
	}
}

// BenchmarkGrindHashStdlib is one nonce through the crypto/sha256
// midstate path (SHA extensions where the CPU has them).
func BenchmarkGrindHashStdlib(b *testing.B) {
	var h wire.BlockHeader
	hb := h.Bytes()
	std := newStdHasher(&hb)
	var d [8]uint32
	n := uint32(0)
	for b.Loop() {
		n++
		std.digest(n, &d)
	}
}
