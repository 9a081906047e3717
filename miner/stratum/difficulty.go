package stratum

import (
	"math"
	"math/big"

	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/miner/grind"
)

// diff1Target is the target of share difficulty 1, 0x00000000FFFF0000…
// (0xFFFF × 2^208), Bitcoin's pool convention.
var diff1Target = new(big.Int).Lsh(big.NewInt(0xffff), 208)

// two224 is 2^224, the difficulty-1 target some miners round to.
var two224 = new(big.Int).Lsh(big.NewInt(1), 224)

// maxTarget is 2^256 - 1.
var maxTarget = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// ShareTarget returns the target a share of difficulty d must meet:
// 2^224/d, which also admits every hash within 0xFFFF×2^208/d (both
// conventions are accepted), and at most 2^256 - 1. d must be positive.
// A pure function: no lock.
func ShareTarget(d float64) *big.Int {
	q := new(big.Float).SetPrec(256).SetInt(two224)
	q.Quo(q, new(big.Float).SetPrec(256).SetFloat64(d))
	t, _ := q.Int(nil)
	if t.Cmp(maxTarget) > 0 {
		t.Set(maxTarget)
	}
	if t.Sign() <= 0 {
		t.SetInt64(1)
	}
	return t
}

// TargetDifficulty returns the share difficulty of target t: 0xFFFF×2^208/t
// (pools' difficulty 1 convention; the network difficulty of bits is the
// same figure, Bitcoin Core's getdifficulty). A pure function: no lock.
func TargetDifficulty(t *big.Int) float64 {
	if t.Sign() <= 0 {
		return math.Inf(1)
	}
	f, _ := new(big.Float).Quo(new(big.Float).SetInt(diff1Target), new(big.Float).SetInt(t)).Float64()
	return f
}

// HashDifficulty returns the difficulty a block hash achieves:
// 0xFFFF×2^208 divided by the hash read as a little-endian number. A pure
// function: no lock.
func HashDifficulty(h wire.Hash) float64 {
	var be [32]byte
	for i := range be {
		be[i] = h[31-i]
	}
	return TargetDifficulty(new(big.Int).SetBytes(be[:]))
}

// jobTarget returns the target of a job of difficulty d and the difficulty
// credited for its shares: a share's difficulty never exceeds the
// network's, so the job's target is never below the network target.
func jobTarget(d float64, network *big.Int) (grind.Target, float64) {
	t := ShareTarget(d)
	if t.Cmp(network) < 0 {
		t = network
		d = TargetDifficulty(network)
	}
	tg, err := grind.NewTarget(t)
	if err != nil { // cannot happen: 1 ≤ t < 2^256
		tg, _ = grind.NewTarget(maxTarget)
	}
	return tg, d
}
