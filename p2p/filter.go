package p2p

import (
	"hash/maphash"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// hashSet is a bounded set of hashes that forgets the oldest entry once
// full: a peer's known inventory (what it announced, sent or was sent), so
// that nothing is announced to a peer twice while it is remembered. It
// keeps a 64-bit keyed digest of each hash (a random key per set, so a peer
// cannot choose colliding hashes), which costs about 24 bytes per entry; a
// collision only means one announcement skipped. It is not safe for
// concurrent use: its owner's lock guards it.
type hashSet struct {
	capacity int
	seed     maphash.Seed
	set      map[uint64]struct{}
	ring     []uint64
	next     int
}

func newHashSet(capacity int) *hashSet {
	return &hashSet{capacity: capacity, seed: maphash.MakeSeed(), set: make(map[uint64]struct{}, min(capacity, 1024))}
}

func (s *hashSet) key(h wire.Hash) uint64 { return maphash.Bytes(s.seed, h[:]) }

// add remembers h, forgetting the oldest hash when the set is full.
func (s *hashSet) add(h wire.Hash) {
	k := s.key(h)
	if _, ok := s.set[k]; ok {
		return
	}
	if len(s.ring) < s.capacity {
		s.ring = append(s.ring, k)
	} else {
		delete(s.set, s.ring[s.next])
		s.ring[s.next] = k
		s.next = (s.next + 1) % s.capacity
	}
	s.set[k] = struct{}{}
}

func (s *hashSet) has(h wire.Hash) bool {
	_, ok := s.set[s.key(h)]
	return ok
}

func (s *hashSet) len() int { return len(s.set) }
