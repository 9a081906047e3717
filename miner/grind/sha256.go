package grind

import (
	"encoding/binary"
	"math/bits"

	"github.com/nodecoin/nodecoin/internal/sha256k"
)

// This file is a portable SHA-256 compression function written from FIPS
// 180-4, section 6.2.2, working on 32-bit words so that the grinder can keep
// the constant parts of its message blocks as words and skip byte handling.

// iv and k are SHA-256's initial hash value and round constants.
var iv, k = sha256k.IV, sha256k.K

// compress applies the SHA-256 compression function to state s with the
// message block whose sixteen big-endian words are w[0:16]; it overwrites
// w[16:64] with the rest of the message schedule.
func compress(s *[8]uint32, w *[64]uint32) {
	for i := 16; i < 64; i++ {
		x, y := w[i-2], w[i-15]
		s1 := bits.RotateLeft32(x, -17) ^ bits.RotateLeft32(x, -19) ^ (x >> 10)
		s0 := bits.RotateLeft32(y, -7) ^ bits.RotateLeft32(y, -18) ^ (y >> 3)
		w[i] = s1 + w[i-7] + s0 + w[i-16]
	}
	a, b, c, d, e, f, g, h := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
	for i := 0; i < 64; i++ {
		t1 := h + (bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)) +
			((e & f) ^ (^e & g)) + k[i] + w[i]
		t2 := (bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)) +
			((a & b) ^ (a & c) ^ (b & c))
		h, g, f, e, d, c, b, a = g, f, e, d+t1, c, b, a, t1+t2
	}
	s[0] += a
	s[1] += b
	s[2] += c
	s[3] += d
	s[4] += e
	s[5] += f
	s[6] += g
	s[7] += h
}

// round applies one SHA-256 round to s with kw, the round's constant plus
// its message word.
func round(s *[8]uint32, kw uint32) {
	a, b, c, d, e, f, g, h := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
	t1 := h + (bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)) +
		((e & f) ^ (^e & g)) + kw
	t2 := (bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)) +
		((a & b) ^ (a & c) ^ (b & c))
	*s = [8]uint32{t1 + t2, a, b, c, d + t1, e, f, g}
}

// loadBlock reads a 64-byte message block into the first sixteen words of w.
func loadBlock(w *[64]uint32, p []byte) {
	_ = p[63]
	for i := 0; i < 16; i++ {
		w[i] = binary.BigEndian.Uint32(p[4*i:])
	}
}
