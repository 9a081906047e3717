package wire

import "crypto/sha256"

// hashPair returns SHA-256d of the concatenation of a and b.
func hashPair(a, b *Hash) Hash {
	var buf [2 * HashSize]byte
	copy(buf[:HashSize], a[:])
	copy(buf[HashSize:], b[:])
	first := sha256.Sum256(buf[:])
	return Hash(sha256.Sum256(first[:]))
}

// MerkleRoot computes Bitcoin's merkle root of the given leaf hashes, pairing
// the last hash with itself on levels of odd length. The root of no leaves is
// the zero hash.
//
// mutated reports the CVE-2012-2459 ambiguity: some level had two identical
// adjacent hashes in a pair, so another (invalid) list of leaves gives the
// same root. A block whose transaction list is mutated must be rejected
// without marking its hash invalid, since the honest block shares it.
func MerkleRoot(leaves []Hash) (root Hash, mutated bool) {
	if len(leaves) == 0 {
		return ZeroHash, false
	}
	level := append([]Hash(nil), leaves...)
	for len(level) > 1 {
		for i := 0; i+1 < len(level); i += 2 {
			if level[i] == level[i+1] {
				mutated = true
			}
		}
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		next := level[:len(level)/2]
		for i := range next {
			next[i] = hashPair(&level[2*i], &level[2*i+1])
		}
		level = next
	}
	return level[0], mutated
}

// MerkleBranch returns the sibling hashes on the path from leaf index to the
// root, lowest level first: what a miner needs to recompute the root after
// changing that leaf (the coinbase, index 0, for Stratum).
func MerkleBranch(leaves []Hash, index int) []Hash {
	var branch []Hash
	level := append([]Hash(nil), leaves...)
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		branch = append(branch, level[index^1])
		next := level[:len(level)/2]
		for i := range next {
			next[i] = hashPair(&level[2*i], &level[2*i+1])
		}
		level = next
		index /= 2
	}
	return branch
}

// MerkleRootFromBranch recomputes a merkle root from a leaf at index and its
// branch as returned by MerkleBranch.
func MerkleRootFromBranch(leaf Hash, branch []Hash, index int) Hash {
	h := leaf
	for _, s := range branch {
		if index&1 == 1 {
			h = hashPair(&s, &h)
		} else {
			h = hashPair(&h, &s)
		}
		index /= 2
	}
	return h
}
