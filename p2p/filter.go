package p2p

import (
	"hash/maphash"
	"math"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// hashSet is a bounded, approximate set of hashes that forgets the oldest
// ones: a peer's known inventory (what it announced, sent or was sent),
// so that nothing is announced to it twice while remembered. It is a
// rolling Bloom filter of two generations, each holding capacity/2 hashes:
// when the current one is full it becomes the previous one and a cleared
// filter takes its place, so the last capacity/2 to capacity hashes added
// are always found. A hash never added is reported present with a
// probability below 2×falsePositive (then one announcement is skipped). The
// bits are keyed with a random seed per set, so a peer cannot choose hashes
// that collide, and allocated at the first add, so an idle peer costs
// nothing; a full set of 50,000 costs about 180 KB. It is not safe for
// concurrent use: its owner's lock guards it.
type hashSet struct {
	seed, seed2 maphash.Seed
	perGen      int    // hashes per generation
	bits        uint64 // bits per generation
	k           int    // bit positions per hash
	cur, prev   []uint64
	curCount    int
}

// falsePositive is the false-positive rate of each generation.
const falsePositive = 1e-6

func newHashSet(capacity int) *hashSet {
	perGen := max(capacity/2, 1)
	m := math.Ceil(-float64(perGen) * math.Log(falsePositive) / (math.Ln2 * math.Ln2))
	bits := (uint64(m) + 63) &^ 63
	k := max(1, int(math.Round(float64(bits)/float64(perGen)*math.Ln2)))
	return &hashSet{seed: maphash.MakeSeed(), seed2: maphash.MakeSeed(), perGen: perGen, bits: bits, k: k}
}

// positions returns the two 64-bit digests from which the k bit positions
// of h derive (Kirsch and Mitzenmacher's double hashing).
func (s *hashSet) positions(h wire.Hash) (uint64, uint64) {
	a := maphash.Bytes(s.seed, h[:])
	b := maphash.Bytes(s.seed2, h[:]) | 1
	return a, b
}

func (s *hashSet) in(gen []uint64, a, b uint64) bool {
	if gen == nil {
		return false
	}
	for i := 0; i < s.k; i++ {
		bit := (a + uint64(i)*b) % s.bits
		if gen[bit/64]&(1<<(bit%64)) == 0 {
			return false
		}
	}
	return true
}

// add remembers h.
func (s *hashSet) add(h wire.Hash) {
	a, b := s.positions(h)
	if s.in(s.cur, a, b) {
		return
	}
	if s.cur == nil {
		s.cur = make([]uint64, s.bits/64)
	}
	if s.curCount == s.perGen {
		s.prev, s.cur = s.cur, s.prev
		if s.cur == nil {
			s.cur = make([]uint64, s.bits/64)
		} else {
			clear(s.cur)
		}
		s.curCount = 0
	}
	for i := 0; i < s.k; i++ {
		bit := (a + uint64(i)*b) % s.bits
		s.cur[bit/64] |= 1 << (bit % 64)
	}
	s.curCount++
}

// has reports whether h was added recently (or, rarely, falsely).
func (s *hashSet) has(h wire.Hash) bool {
	a, b := s.positions(h)
	return s.in(s.cur, a, b) || s.in(s.prev, a, b)
}
