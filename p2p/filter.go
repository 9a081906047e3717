package p2p

import "github.com/nodecoin/nodecoin/chain/wire"

// hashSet is a bounded set of hashes that forgets the oldest entry once
// full: a peer's known inventory (what it announced, sent or was sent), so
// that nothing is announced to a peer twice while it is remembered. It is
// not safe for concurrent use: its owner's lock guards it.
type hashSet struct {
	capacity int
	set      map[wire.Hash]struct{}
	ring     []wire.Hash
	next     int
}

func newHashSet(capacity int) *hashSet {
	return &hashSet{capacity: capacity, set: make(map[wire.Hash]struct{}, min(capacity, 1024))}
}

// add remembers h, forgetting the oldest hash when the set is full.
func (s *hashSet) add(h wire.Hash) {
	if _, ok := s.set[h]; ok {
		return
	}
	if len(s.ring) < s.capacity {
		s.ring = append(s.ring, h)
	} else {
		delete(s.set, s.ring[s.next])
		s.ring[s.next] = h
		s.next = (s.next + 1) % s.capacity
	}
	s.set[h] = struct{}{}
}

func (s *hashSet) has(h wire.Hash) bool {
	_, ok := s.set[h]
	return ok
}

func (s *hashSet) remove(h wire.Hash) { delete(s.set, h) } // its ring slot is reused in turn

func (s *hashSet) len() int { return len(s.set) }
