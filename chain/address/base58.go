package address

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// alphabet is Bitcoin's Base58 alphabet: the digits and letters without 0, O,
// I and l.
const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// MaxDecodeLen is the longest Base58 text, not counting the leading and
// trailing whitespace that Base58Decode skips, that Base58Decode accepts. Base58
// conversion costs time quadratic in the length, so longer input is refused
// with ErrTooLong before any work is done. 512 characters carry about 374
// bytes, far more than any address, key or extended key needs.
const MaxDecodeLen = 512

// ChecksumSize is the length of the Base58Check checksum: the first bytes of
// the SHA-256d of the version byte and payload.
const ChecksumSize = 4

// Errors returned (wrapped, test with errors.Is) by the decoders of this
// package.
var (
	// ErrInvalidCharacter reports a character outside the Base58 alphabet.
	ErrInvalidCharacter = errors.New("invalid base58 character")
	// ErrTooLong reports Base58 text longer than MaxDecodeLen.
	ErrTooLong = errors.New("base58 text too long")
	// ErrInvalidFormat reports decoded data whose layout is wrong: too short
	// to hold a version byte and a checksum, or a WIF compression flag other
	// than 0x01.
	ErrInvalidFormat = errors.New("invalid format")
	// ErrChecksum reports a Base58Check checksum that does not match the data.
	ErrChecksum = errors.New("base58check checksum mismatch")
)

// decodeMap maps a character to its digit value, or to 0xff when the
// character is not in the alphabet.
var decodeMap = func() [256]byte {
	var m [256]byte
	for i := range m {
		m[i] = 0xff
	}
	for i := 0; i < len(alphabet); i++ {
		m[alphabet[i]] = byte(i)
	}
	return m
}()

// Digits are converted five at a time: 58^5 is the largest power of 58 that
// fits in 32 bits, so a chunk of five digits is one uint32 "big digit".
const (
	chunkDigits = 5
	chunkBase   = 58 * 58 * 58 * 58 * 58 // 656,356,768
)

// Base58Encode returns the Base58 encoding of b: one '1' for each leading zero
// byte, then the rest of b read as a big-endian number, in base 58. The empty
// slice encodes as the empty string. The cost grows with the square of
// len(b); Base58Encode is meant for short data such as keys and addresses.
func Base58Encode(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	num := b[zeros:]

	// The number as big-endian 32-bit limbs, the first one padded on the left.
	limbs := make([]uint32, (len(num)+3)/4)
	for i, c := range num {
		// Byte i (from the left) sits at bit position 8*(len(num)-1-i).
		pos := len(num) - 1 - i
		limb := len(limbs) - 1 - pos/4
		limbs[limb] |= uint32(c) << (8 * (pos % 4))
	}

	// Divide by 58^5 until nothing is left; each remainder gives five digits,
	// least significant first.
	digits := make([]byte, 0, len(num)*138/100+chunkDigits)
	for len(limbs) > 0 {
		var rem uint64
		for i, l := range limbs {
			cur := rem<<32 | uint64(l)
			limbs[i] = uint32(cur / chunkBase)
			rem = cur % chunkBase
		}
		for len(limbs) > 0 && limbs[0] == 0 {
			limbs = limbs[1:]
		}
		for k := 0; k < chunkDigits; k++ {
			digits = append(digits, byte(rem%58))
			rem /= 58
		}
	}
	// The last chunk may have produced high zero digits.
	for len(digits) > 0 && digits[len(digits)-1] == 0 {
		digits = digits[:len(digits)-1]
	}

	out := make([]byte, zeros+len(digits))
	for i := 0; i < zeros; i++ {
		out[i] = alphabet[0]
	}
	for i, d := range digits {
		out[len(out)-1-i] = alphabet[d]
	}
	return string(out)
}

// isSpace reports whether c is whitespace in the sense of Bitcoin Core's
// IsSpace (the C locale's isspace).
func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// trimSpace removes the leading and trailing whitespace that Base58Decode skips,
// returning the rest and the offset of its first byte in s.
func trimSpace(s string) (string, int) {
	start := 0
	for start < len(s) && isSpace(s[start]) {
		start++
	}
	end := len(s)
	for end > start && isSpace(s[end-1]) {
		end--
	}
	return s[start:end], start
}

// Base58Decode returns the bytes that s encodes in Base58. As Bitcoin Core's
// DecodeBase58 does, it skips leading and trailing whitespace and fails on any
// other character outside the alphabet (ErrInvalidCharacter, with its byte
// offset in s); the empty or all-whitespace string decodes to an empty slice.
// Text longer than MaxDecodeLen after trimming fails with ErrTooLong.
// Decoding is exact: Base58Encode(Base58Decode(s)) gives back s without its surrounding
// whitespace.
func Base58Decode(s string) ([]byte, error) {
	text, offset := trimSpace(s)
	if len(text) > MaxDecodeLen {
		return nil, fmt.Errorf("base58: %w: %d characters, limit %d", ErrTooLong, len(text), MaxDecodeLen)
	}
	zeros := 0
	for zeros < len(text) && text[zeros] == alphabet[0] {
		zeros++
	}

	// The number as little-endian 32-bit limbs, multiplied up chunk by chunk.
	limbs := make([]uint32, 0, (len(text)-zeros)*3/16+1)
	for i := zeros; i < len(text); {
		var acc, mul uint64 = 0, 1
		for k := 0; k < chunkDigits && i < len(text); k, i = k+1, i+1 {
			d := decodeMap[text[i]]
			if d == 0xff {
				return nil, fmt.Errorf("base58: %w %q at offset %d", ErrInvalidCharacter, text[i], offset+i)
			}
			acc = acc*58 + uint64(d)
			mul *= 58
		}
		carry := acc
		for j, l := range limbs {
			t := uint64(l)*mul + carry
			limbs[j] = uint32(t)
			carry = t >> 32
		}
		if carry != 0 {
			limbs = append(limbs, uint32(carry))
		}
	}

	num := make([]byte, 0, 4*len(limbs))
	for j := len(limbs) - 1; j >= 0; j-- {
		l := limbs[j]
		num = append(num, byte(l>>24), byte(l>>16), byte(l>>8), byte(l))
	}
	// Limbs carry no leading zeros but their top bytes may be zero.
	num = bytes.TrimLeft(num, "\x00")

	out := make([]byte, zeros+len(num))
	copy(out[zeros:], num)
	return out, nil
}

// checksum returns the Base58Check checksum of data.
func checksum(data []byte) [ChecksumSize]byte {
	h := wire.DoubleSHA256(data)
	var c [ChecksumSize]byte
	copy(c[:], h[:ChecksumSize])
	return c
}

// CheckEncode returns the Base58Check encoding of version followed by
// payload: Base58 of version || payload || checksum, where the checksum is the
// first four bytes of SHA-256d(version || payload).
func CheckEncode(version byte, payload []byte) string {
	b := make([]byte, 0, 1+len(payload)+ChecksumSize)
	b = append(b, version)
	b = append(b, payload...)
	c := checksum(b)
	b = append(b, c[:]...)
	return Base58Encode(b)
}

// CheckDecode decodes Base58Check text made by CheckEncode and returns its
// version byte and payload. Besides the errors of Base58Decode it fails with
// ErrInvalidFormat when the data is too short to hold a version byte and a
// checksum, and with ErrChecksum when the checksum does not match.
func CheckDecode(s string) (version byte, payload []byte, err error) {
	b, err := Base58Decode(s)
	if err != nil {
		return 0, nil, err
	}
	if len(b) < 1+ChecksumSize {
		return 0, nil, fmt.Errorf("base58check: %w: %d bytes, need at least %d", ErrInvalidFormat, len(b), 1+ChecksumSize)
	}
	data, sum := b[:len(b)-ChecksumSize], b[len(b)-ChecksumSize:]
	if want := checksum(data); !bytes.Equal(sum, want[:]) {
		return 0, nil, fmt.Errorf("base58check: %w", ErrChecksum)
	}
	return data[0], data[1:], nil
}
