package consensus

import (
	"math/big"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// Compact ("bits") encoding of 256-bit targets, as Bitcoin Core's
// arith_uint256::SetCompact and GetCompact: the top byte is a base-256
// exponent (the length in bytes), bit 23 is a sign bit and the low 23 bits
// are the mantissa.
const (
	compactSignBit  = 0x00800000
	compactMantissa = 0x007fffff
)

var (
	// oneLsh256 is 2^256.
	oneLsh256 = new(big.Int).Lsh(big.NewInt(1), 256)
	// mask256 is 2^256 - 1.
	mask256 = new(big.Int).Sub(oneLsh256, big.NewInt(1))
)

// CompactToBig decodes compact bits into a target exactly as Bitcoin Core's
// arith_uint256::SetCompact does. The target is the magnitude, truncated to
// 256 bits as Core's fixed-width integer is; negative reports that the sign
// bit was set with a non-zero mantissa, and overflow that the value does not
// fit in 256 bits. A valid proof-of-work target is neither negative nor
// overflowed, and is not zero.
func CompactToBig(bits uint32) (target *big.Int, negative, overflow bool) {
	size := bits >> 24
	word := bits & compactMantissa
	target = new(big.Int)
	if size <= 3 {
		// As in Core, the shifted mantissa is what the sign and overflow
		// tests below see: 0x00923456 is zero, not negative zero.
		word >>= 8 * (3 - size)
		target.SetUint64(uint64(word))
	} else {
		target.SetUint64(uint64(word))
		target.Lsh(target, uint(8*(size-3)))
		if target.BitLen() > 256 {
			target.And(target, mask256)
		}
	}
	negative = word != 0 && bits&compactSignBit != 0
	overflow = word != 0 && (size > 34 ||
		(word > 0xff && size > 33) ||
		(word > 0xffff && size > 32))
	return target, negative, overflow
}

// BigToCompact encodes n in compact form exactly as Bitcoin Core's
// arith_uint256::GetCompact does, keeping the three most significant bytes
// and setting the sign bit when n is negative and the mantissa is not zero.
// Magnitudes of 2^256 and above are first truncated to 256 bits, as Core's
// fixed-width integer would hold them.
func BigToCompact(n *big.Int) uint32 {
	if n == nil {
		return 0
	}
	negative := n.Sign() < 0
	v := new(big.Int).Abs(n)
	if v.BitLen() > 256 {
		v.And(v, mask256)
	}
	size := uint32((v.BitLen() + 7) / 8)
	var compact uint32
	if size <= 3 {
		compact = uint32(v.Uint64() << (8 * (3 - size)))
	} else {
		compact = uint32(v.Rsh(v, uint(8*(size-3))).Uint64())
	}
	// The mantissa is signed: if its top bit would be set, move one byte
	// into the exponent instead.
	if compact&compactSignBit != 0 {
		compact >>= 8
		size++
	}
	compact |= size << 24
	if negative && compact&compactMantissa != 0 {
		compact |= compactSignBit
	}
	return compact
}

// HashToBig interprets a block hash, in internal byte order, as the
// little-endian 256-bit number that proof of work compares with the target.
func HashToBig(h wire.Hash) *big.Int {
	var be [wire.HashSize]byte
	for i := range h {
		be[i] = h[wire.HashSize-1-i]
	}
	return new(big.Int).SetBytes(be[:])
}

// BigToHash returns the 256-bit number n as a hash in internal byte order
// (little-endian), the inverse of HashToBig. Negative numbers and numbers of
// 2^256 and above are truncated to their low 256 bits of magnitude.
func BigToHash(n *big.Int) wire.Hash {
	var be [wire.HashSize]byte
	v := new(big.Int).Abs(n)
	v.And(v, mask256).FillBytes(be[:])
	var h wire.Hash
	for i := range be {
		h[i] = be[wire.HashSize-1-i]
	}
	return h
}

// CalcWork returns the expected number of hashes needed to find a block
// with the given bits: 2^256 / (target + 1), as Bitcoin Core's GetBlockProof.
// Bits that encode a negative, overflowed or zero target give zero work.
func CalcWork(bits uint32) *big.Int {
	target, negative, overflow := CompactToBig(bits)
	if negative || overflow || target.Sign() == 0 {
		return new(big.Int)
	}
	denom := target.Add(target, big.NewInt(1))
	return new(big.Int).Quo(oneLsh256, denom)
}
