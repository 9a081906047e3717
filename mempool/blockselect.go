package mempool

import (
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// Room a block keeps for what is not a mempool transaction: the header, the
// transaction count and the coinbase (Bitcoin Core reserves 4,000 weight
// units, 1,000 bytes, and 400 sigop-cost units, 100 signature operations,
// for the coinbase).
const (
	// ReservedSize is the bytes of a block kept out of the pool
	// transactions' room.
	ReservedSize = wire.HeaderSize + 5 + 1000
	// ReservedSigOps is the signature operations of a block kept out of
	// the pool transactions' room.
	ReservedSigOps = 100
)

// BlockLimits bounds the pool transactions SelectForBlock puts in a block.
type BlockLimits struct {
	// Size is the room in bytes for the selected transactions together.
	Size int64
	// SigOps is the room in signature operations for them together.
	SigOps int
}

// DefaultBlockLimits returns the room of a block under consensus.MaxBlockSize
// and consensus.MaxBlockSigOps, less ReservedSize and ReservedSigOps.
func DefaultBlockLimits() BlockLimits {
	return BlockLimits{Size: consensus.MaxBlockSize - ReservedSize, SigOps: consensus.MaxBlockSigOps - ReservedSigOps}
}

// SelectForBlock returns the entries for the next block, taken from
// entries (in mining order, as Pool.MiningOrder gives them) while
// they fit within limits, skipping any that does not fit, together with
// its descendants. Entries in exclude (put in earlier blocks, in case the
// pool has not caught up with them) are left out; their descendants are
// not, since their parents are then in the chain.
func SelectForBlock(entries []*MiningTx, limits BlockLimits, exclude map[wire.Hash]bool) []*MiningTx {
	var size int64
	var sigOps int
	skipped := make(map[wire.Hash]bool)
	var txs []*MiningTx
	for _, mt := range entries {
		if exclude[mt.TxID] {
			continue
		}
		skip := size+mt.Size > limits.Size || sigOps+mt.SigOps > limits.SigOps
		for _, d := range mt.Depends {
			skip = skip || skipped[d]
		}
		if skip {
			skipped[mt.TxID] = true
			continue
		}
		size += mt.Size
		sigOps += mt.SigOps
		txs = append(txs, mt)
	}
	return txs
}
