package grind

import (
	"encoding/binary"
	"errors"
	"math/big"
	"math/bits"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// Target is a 256-bit proof-of-work target as eight 32-bit words, least
// significant first. A block hash, read as a little-endian number, meets
// the target when it is at most the target, as consensus requires.
type Target [8]uint32

// ErrBadTarget means a target is negative, zero or not below 2^256.
var ErrBadTarget = errors.New("target out of range")

// NewTarget returns t as a Target; t must be positive and below 2^256.
func NewTarget(t *big.Int) (Target, error) {
	if t.Sign() <= 0 || t.BitLen() > 256 {
		return Target{}, ErrBadTarget
	}
	var be [32]byte
	t.FillBytes(be[:])
	var tg Target
	for i := range tg {
		tg[i] = binary.BigEndian.Uint32(be[32-4*(i+1):])
	}
	return tg, nil
}

// TargetFromBits returns the target a header's compact bits encode; bits
// that decode to a negative, zero or overflowing target are rejected.
func TargetFromBits(bits uint32) (Target, error) {
	t, negative, overflow := consensus.CompactToBig(bits)
	if negative || overflow {
		return Target{}, ErrBadTarget
	}
	return NewTarget(t)
}

// Big returns the target as a big.Int.
func (t *Target) Big() *big.Int {
	var be [32]byte
	for i, v := range t {
		binary.BigEndian.PutUint32(be[32-4*(i+1):], v)
	}
	return new(big.Int).SetBytes(be[:])
}

// Meets reports whether hash, read as a little-endian number, is at most t.
func (t *Target) Meets(hash wire.Hash) bool {
	for i := len(t) - 1; i >= 0; i-- {
		if v := binary.LittleEndian.Uint32(hash[4*i:]); v != t[i] {
			return v < t[i]
		}
	}
	return true
}

// meetsDigest is Meets for a hash still held as SHA-256 state words: the
// hash's little-endian word i is d[i] with its bytes reversed. The top word
// decides all but about one hash in 2^32 of a real target.
func (t *Target) meetsDigest(d *[8]uint32) bool {
	for i := len(t) - 1; i >= 0; i-- {
		if v := bits.ReverseBytes32(d[i]); v != t[i] {
			return v < t[i]
		}
	}
	return true
}
