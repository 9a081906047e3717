package consensus

import (
	"crypto/sha256"
	"encoding/binary"
	"math/big"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// TargetFromBits decodes bits into a proof-of-work target and checks that
// it is usable: not negative, not overflowed, not zero and not above
// powLimit (no limit is applied when powLimit is nil). Failures are
// *RuleError of kind ErrBadTarget.
func TargetFromBits(bits uint32, powLimit *big.Int) (*big.Int, error) {
	target, negative, overflow := CompactToBig(bits)
	switch {
	case negative:
		return nil, ruleError(ErrBadTarget, "high-hash", "bits %08x encode a negative target", bits)
	case overflow:
		return nil, ruleError(ErrBadTarget, "high-hash", "bits %08x encode a target above 2^256", bits)
	case target.Sign() == 0:
		return nil, ruleError(ErrBadTarget, "high-hash", "bits %08x encode a zero target", bits)
	case powLimit != nil && target.Cmp(powLimit) > 0:
		return nil, ruleError(ErrBadTarget, "high-hash",
			"bits %08x encode a target above the proof-of-work limit %064x", bits, powLimit)
	}
	return target, nil
}

// CheckProofOfWork checks that bits encode a valid target no higher than
// powLimit and that hash, read as a little-endian 256-bit number, does not
// exceed it, as Bitcoin Core's CheckProofOfWork. It returns a *RuleError of
// kind ErrBadTarget or ErrHighHash.
func CheckProofOfWork(hash wire.Hash, bits uint32, powLimit *big.Int) error {
	target, err := TargetFromBits(bits, powLimit)
	if err != nil {
		return err
	}
	if HashToBig(hash).Cmp(target) > 0 {
		return ruleError(ErrHighHash, "high-hash",
			"block hash %s is above the target %064x of bits %08x", hash, target, bits)
	}
	return nil
}

// SolveHeader grinds h.Nonce from 0 upward until the header's hash meets the
// target of h.Bits, and reports whether it found such a nonce. It returns
// false, leaving h unchanged, when the bits are not a valid target no higher
// than powLimit (nil: no limit) or when no nonce of the 2^32 works; the caller
// then changes another field (time, coinbase) and tries again. It is a
// simple single-threaded grinder for genesis blocks, tests and regtest, where
// the target is easy.
func SolveHeader(h *wire.BlockHeader, powLimit *big.Int) bool {
	if h == nil {
		return false
	}
	target, err := TargetFromBits(h.Bits, powLimit)
	if err != nil {
		return false
	}
	var tgt [wire.HashSize]byte // big-endian
	target.FillBytes(tgt[:])
	buf := h.Bytes()
	for n := uint64(0); n <= 0xffffffff; n++ {
		binary.LittleEndian.PutUint32(buf[76:], uint32(n))
		first := sha256.Sum256(buf[:])
		hash := sha256.Sum256(first[:])
		if hashAtMost(&hash, &tgt) {
			h.Nonce = uint32(n)
			return true
		}
	}
	return false
}

// hashAtMost reports whether the little-endian hash is at most the
// big-endian target.
func hashAtMost(hash, target *[wire.HashSize]byte) bool {
	for i := 0; i < wire.HashSize; i++ {
		hb, tb := hash[wire.HashSize-1-i], target[i]
		if hb != tb {
			return hb < tb
		}
	}
	return true
}

// powLimitFromBits decodes a network's proof-of-work limit. The bits are
// constants of this package; TestParams checks that each is a valid target.
func powLimitFromBits(bits uint32) *big.Int {
	target, _, _ := CompactToBig(bits)
	return target
}
