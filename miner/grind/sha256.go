package grind

import (
	"encoding/binary"
	"math/bits"
)

// This file is a portable SHA-256 compression function written from FIPS
// 180-4, section 6.2.2, working on 32-bit words so that the grinder can keep
// the constant parts of its message blocks as words and skip byte handling.

// iv is SHA-256's initial hash value H(0): the first 32 bits of the
// fractional parts of the square roots of the first eight primes.
var iv = [8]uint32{
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
}

// k holds SHA-256's round constants: the first 32 bits of the fractional
// parts of the cube roots of the first 64 primes. TestConstants derives them.
var k = [64]uint32{
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

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

// SHA256Constants returns SHA-256's 64 round constants and its initial
// hash value, for internal/tools/shanigen, which writes them into the
// SHA-NI assembly.
func SHA256Constants() ([64]uint32, [8]uint32) { return k, iv }

// loadBlock reads a 64-byte message block into the first sixteen words of w.
func loadBlock(w *[64]uint32, p []byte) {
	_ = p[63]
	for i := 0; i < 16; i++ {
		w[i] = binary.BigEndian.Uint32(p[4*i:])
	}
}
