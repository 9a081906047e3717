package stratum

import (
	"crypto/sha256"
	"encoding/binary"
	"math/big"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// Share is what a submitted share determines: the job's coinbase parts,
// the extranonces, the job's merkle branch and its header with the
// miner's version, time and nonce in place (the merkle root is computed).
type Share struct {
	Coinb1, Coinb2 []byte
	EN1, EN2       uint32
	Branch         []wire.Hash
	Header         wire.BlockHeader
}

// Hash rebuilds the coinbase (coinb1 ‖ extranonce1 ‖ extranonce2 ‖
// coinb2, the extranonces big-endian as their hex reads), the merkle root
// from the coinbase's txid and the branch, and the header, and returns
// the block hash (SHA-256d of the header, internal order) and the
// coinbase's bytes. It reads only s: no lock.
func (s *Share) Hash() (wire.Hash, []byte) {
	cb := make([]byte, 0, len(s.Coinb1)+ExtraNonce1Size+ExtraNonce2Size+len(s.Coinb2))
	cb = append(cb, s.Coinb1...)
	cb = binary.BigEndian.AppendUint32(cb, s.EN1)
	cb = binary.BigEndian.AppendUint32(cb, s.EN2)
	cb = append(cb, s.Coinb2...)
	root := wire.Hash(sha256d(cb))
	var pair [64]byte
	for _, b := range s.Branch {
		copy(pair[:32], root[:])
		copy(pair[32:], b[:])
		root = sha256d(pair[:])
	}
	h := s.Header
	h.MerkleRoot = root
	hb := h.Bytes()
	return sha256d(hb[:]), cb
}

func sha256d(b []byte) wire.Hash {
	first := sha256.Sum256(b)
	return sha256.Sum256(first[:])
}

// hashBig reads a block hash as the little-endian number consensus
// compares with targets.
func hashBig(h wire.Hash) *big.Int { return consensus.HashToBig(h) }
