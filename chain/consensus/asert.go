package consensus

import (
	"math/big"
	"math/bits"
)

// ASERTParams are the parameters of the aserti3-2d difficulty algorithm
// (absolutely scheduled exponentially rising targets, integer version,
// cubic 2^x approximation): the ideal block interval, the half-life, the
// highest target allowed, and the anchor block the schedule counts from.
//
// The target of the block after one at height h with timestamp t is
//
//	anchor target * 2^((t - AnchorParentTime - TargetSpacing*(h - AnchorHeight + 1)) / HalfLife)
//
// computed in fixed point with 16 fractional bits and clamped to
// [1, PowLimit]: every half-life the chain falls behind its schedule doubles
// the target, every half-life ahead halves it.
type ASERTParams struct {
	// TargetSpacing is the ideal block interval in seconds.
	TargetSpacing int64
	// HalfLife is the time in seconds by which the chain must fall behind
	// (or run ahead of) its schedule for the target to double (or halve).
	// A non-positive half-life disables adjustment: the anchor target is
	// returned, clamped to the limit.
	HalfLife int64
	// PowLimit is the highest (easiest) target allowed; nil means 2^256-1.
	PowLimit *big.Int
	// AnchorHeight is the height of the anchor block. Heights are unsigned
	// so that the published vectors, which cross 2^63, can be reproduced;
	// only differences of heights are used.
	AnchorHeight uint64
	// AnchorParentTime is the timestamp of the anchor block's parent.
	AnchorParentTime int64
	// AnchorBits is the compact target of the anchor block. It should be a
	// valid target (positive, not overflowed); the result is clamped to
	// [1, PowLimit] whatever it is.
	AnchorBits uint32
}

// asertRadixBits is the number of fractional bits of the fixed-point
// exponent.
const asertRadixBits = 16

// CalcASERTTarget returns the target required of the block that follows a
// block at the given height with the given timestamp. The arithmetic is
// integer-only and exact for all inputs: the exponent is computed without
// overflow, and schedules so far off that the result is certain to be
// clamped are clamped without being evaluated.
func CalcASERTTarget(p *ASERTParams, height uint64, timestamp int64) *big.Int {
	limit := p.PowLimit
	anchorTarget, _, _ := CompactToBig(p.AnchorBits)
	if anchorTarget.Sign() == 0 {
		return big.NewInt(1) // zero times any factor, raised to the minimum
	}
	if p.HalfLife <= 0 {
		return clampTarget(anchorTarget, limit)
	}

	// exponent = ((timestamp - parentTime) - spacing*(heightDiff+1)) * 2^16 / halfLife,
	// truncated toward zero. The height difference is taken modulo 2^64 and
	// read as signed, which is exact while the heights are within 2^63 of
	// each other.
	heightDiff := int64(height - p.AnchorHeight)
	num := new(big.Int).SetInt64(heightDiff)
	num.Add(num, big.NewInt(1))
	num.Mul(num, big.NewInt(p.TargetSpacing))
	num.Sub(new(big.Int).Sub(big.NewInt(timestamp), big.NewInt(p.AnchorParentTime)), num)
	num.Lsh(num, asertRadixBits)
	exp := num.Quo(num, big.NewInt(p.HalfLife))

	// An exponent this large means at least 2^46 doublings or halvings:
	// far beyond any 256-bit target.
	if !exp.IsInt64() || exp.Int64() > 1<<62 || exp.Int64() < -(1<<62) {
		if exp.Sign() > 0 {
			return clampTarget(oneLsh256, limit)
		}
		return big.NewInt(1)
	}
	e := exp.Int64()
	shifts := e >> asertRadixBits // floor division
	frac := uint64(e) & (1<<asertRadixBits - 1)

	// factor = 2^16 * 2^(frac/2^16), approximated by
	// 2^16 + ((195766423245049*f + 971821376*f^2 + 5127*f^3 + 2^47) >> 48),
	// summed in 128 bits.
	hi, lo := bits.Mul64(195766423245049, frac)
	var carry uint64
	lo, carry = bits.Add64(lo, 971821376*frac*frac, 0)
	hi += carry
	lo, carry = bits.Add64(lo, 5127*frac*frac*frac, 0)
	hi += carry
	lo, carry = bits.Add64(lo, 1<<47, 0)
	hi += carry
	factor := uint64(1<<asertRadixBits) + (hi<<16 | lo>>48)

	next := new(big.Int).Mul(anchorTarget, new(big.Int).SetUint64(factor))
	shift := shifts - asertRadixBits
	switch {
	case shift > 512:
		// anchorTarget*factor >= 2^16, so the result exceeds 2^256 and
		// any limit.
		return clampTarget(oneLsh256, limit)
	case shift < -512:
		// anchorTarget*factor < 2^273: nothing is left.
		next.SetInt64(0)
	case shift >= 0:
		next.Lsh(next, uint(shift))
	default:
		next.Rsh(next, uint(-shift))
	}
	if next.Sign() == 0 {
		return big.NewInt(1)
	}
	return clampTarget(next, limit)
}

// CalcASERTBits returns CalcASERTTarget in compact form: the bits required
// of the block after the one at the given height and timestamp.
func CalcASERTBits(p *ASERTParams, height uint64, timestamp int64) uint32 {
	return BigToCompact(CalcASERTTarget(p, height, timestamp))
}

// clampTarget returns t, or limit if t is above it (limit nil: 2^256-1).
func clampTarget(t, limit *big.Int) *big.Int {
	if limit == nil {
		limit = mask256
	}
	if t.Cmp(limit) > 0 {
		return new(big.Int).Set(limit)
	}
	return new(big.Int).Set(t)
}

// ASERT returns the aserti3-2d parameters of the network: its target
// spacing, half-life and limit, anchored at the genesis block (height 0,
// the genesis bits, and a parent time one target spacing before the genesis
// time, since genesis has no parent).
func (p *Params) ASERT() *ASERTParams {
	return &ASERTParams{
		TargetSpacing:    p.TargetSpacing,
		HalfLife:         p.ASERTHalfLife,
		PowLimit:         p.PowLimit,
		AnchorHeight:     uint64(p.ASERTAnchorHeight),
		AnchorParentTime: p.ASERTAnchorParentTime,
		AnchorBits:       p.ASERTAnchorBits,
	}
}

// NextRequiredBits returns the compact target required of the block at
// height prevHeight+1, whose parent is at prevHeight with timestamp
// prevTime. Networks without retargeting (regtest) always require the
// proof-of-work limit; the others follow aserti3-2d anchored at genesis.
func NextRequiredBits(p *Params, prevHeight int64, prevTime int64) uint32 {
	if p.PowNoRetargeting {
		return p.PowLimitBits
	}
	return CalcASERTBits(p.ASERT(), uint64(prevHeight), prevTime)
}
