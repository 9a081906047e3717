package chain

import (
	"fmt"
	"math/big"
	"os"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// BlockInfo describes a block the index knows: its header and where it
// stands in the chain.
type BlockInfo struct {
	Hash       wire.Hash
	Header     wire.BlockHeader
	Height     int32
	ChainWork  *big.Int
	MedianTime uint32
	// Confirmations is the tip's height minus this block's plus one for a
	// main-chain block, and -1 for any other block (Core's convention).
	Confirmations int32
	// Next is the hash of the next main-chain block, if any.
	Next     *wire.Hash
	Previous *wire.Hash // nil for genesis
	HaveData bool       // the block's transactions are stored
	Invalid  bool       // the block or an ancestor broke a rule
}

// Params returns the chain's consensus parameters.
func (c *Chain) Params() *consensus.Params { return c.params }

// BlockInfo returns what the index knows of the block with the given hash,
// or ErrBlockNotFound.
func (c *Chain) BlockInfo(hash wire.Hash) (BlockInfo, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.index[hash]
	if n == nil {
		return BlockInfo{}, fmt.Errorf("block %s: %w", hash, ErrBlockNotFound)
	}
	return c.blockInfo(n), nil
}

func (c *Chain) blockInfo(n *blockNode) BlockInfo {
	info := BlockInfo{Hash: n.hash, Header: n.header, Height: n.height, ChainWork: new(big.Int).Set(n.work),
		MedianTime: n.medianTimePast(), Confirmations: -1,
		HaveData: n.status&statusHaveData != 0, Invalid: n.status.failed()}
	if n.parent != nil {
		p := n.parent.hash
		info.Previous = &p
	}
	if c.active.contains(n) {
		info.Confirmations = c.active.height() - n.height + 1
		if next := c.active.at(n.height + 1); next != nil {
			h := next.hash
			info.Next = &h
		}
	}
	return info
}

// BlockHashAt returns the hash of the main-chain block at height, or
// ErrBlockNotFound when the height is out of range.
func (c *Chain) BlockHashAt(height int32) (wire.Hash, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.active.at(height)
	if n == nil {
		return wire.Hash{}, fmt.Errorf("height %d (tip %d): %w", height, c.active.height(), ErrBlockNotFound)
	}
	return n.hash, nil
}

// BlockBytes returns the serialized stored block with the given hash, or
// ErrBlockNotFound (also for a header whose block was never received).
func (c *Chain) BlockBytes(hash wire.Hash) ([]byte, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.index[hash]
	if n == nil || n.status&statusHaveData == 0 {
		return nil, fmt.Errorf("block %s: %w", hash, ErrBlockNotFound)
	}
	raw, err := c.store.blockBytes(hash)
	if err != nil {
		return nil, fmt.Errorf("read block %s: %w", hash, err)
	}
	if raw == nil {
		return nil, corrupt("block data", "block %s is indexed as stored but missing", hash)
	}
	return raw, nil
}

// Block returns the decoded stored block with the given hash.
func (c *Chain) Block(hash wire.Hash) (*wire.Block, error) {
	raw, err := c.BlockBytes(hash)
	if err != nil {
		return nil, err
	}
	b, err := wire.DecodeBlock(raw)
	if err != nil {
		return nil, corrupt("block data", "block %s: %v", hash, err)
	}
	return b, nil
}

// Coin returns the unspent output at op in the main chain's coin set, or
// nil when it is spent or never existed.
func (c *Chain) Coin(op wire.OutPoint) (*Coin, error) {
	// The cache's fetch fills the cache, so it needs the write lock.
	c.mu.Lock()
	defer c.mu.Unlock()
	coin, err := c.coins.fetch(op)
	if err != nil || coin == nil {
		return nil, err
	}
	cp := *coin
	cp.PkScript = append([]byte(nil), coin.PkScript...)
	return &cp, nil
}

// TipStatus says how a chain tip relates to the main chain (Bitcoin Core's
// getchaintips statuses).
type TipStatus string

// The statuses of getchaintips.
const (
	TipActive       TipStatus = "active"        // the main chain's tip
	TipValidFork    TipStatus = "valid-fork"    // fully validated, not in the main chain
	TipValidHeaders TipStatus = "valid-headers" // all blocks stored, not all validated
	TipHeadersOnly  TipStatus = "headers-only"  // some blocks not stored
	TipInvalid      TipStatus = "invalid"       // the branch has an invalid block
)

// ChainTip is a block with no children in the index.
type ChainTip struct {
	Hash   wire.Hash
	Height int32
	// BranchLen is the number of blocks from the tip down to the main
	// chain (0 for the active tip).
	BranchLen int32
	Status    TipStatus
}

// ChainTips returns every tip of the block tree, the active one first.
func (c *Chain) ChainTips() []ChainTip {
	c.mu.RLock()
	defer c.mu.RUnlock()
	active := c.active.tip()
	tips := []ChainTip{{Hash: active.hash, Height: active.height, Status: TipActive}}
	for _, n := range c.index {
		if len(c.children[n]) > 0 || n == active {
			continue
		}
		fork := n
		for !c.active.contains(fork) {
			fork = fork.parent
		}
		t := ChainTip{Hash: n.hash, Height: n.height, BranchLen: n.height - fork.height}
		switch {
		case n.status.failed():
			t.Status = TipInvalid
		case !n.chainData:
			t.Status = TipHeadersOnly
		case n.status&statusValid != 0:
			t.Status = TipValidFork
		default:
			t.Status = TipValidHeaders
		}
		tips = append(tips, t)
	}
	return tips
}

// Difficulty returns how many times harder than difficulty 1 the target
// of bits is, in Bitcoin Core's convention (difficulty 1 is the target of
// bits 0x1d00ffff), as getdifficulty and getblock report it.
func Difficulty(bits uint32) float64 {
	mantissa := bits & 0x00ffffff
	if mantissa == 0 {
		return 0
	}
	shift := int(bits>>24) & 0xff
	diff := float64(0x0000ffff) / float64(mantissa)
	for ; shift < 29; shift++ {
		diff *= 256
	}
	for ; shift > 29; shift-- {
		diff /= 256
	}
	return diff
}

// SizeOnDisk returns the size of the chain database's files in bytes.
func (c *Chain) SizeOnDisk() int64 {
	entries, err := os.ReadDir(c.cfg.Dir)
	if err != nil {
		return 0
	}
	var total int64
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			total += fi.Size()
		}
	}
	return total
}

// CacheStats describes the coin cache.
type CacheStats struct {
	Bytes    int64   // approximate memory held, counted against the budget
	Entries  int     // coins held (unspent or spent since the last flush)
	HitRatio float64 // lookups served from memory / all lookups, since start
}

// CacheStats returns the coin cache's current size and hit ratio.
func (c *Chain) CacheStats() CacheStats {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return CacheStats{Bytes: c.coins.usage, Entries: len(c.coins.entries), HitRatio: c.coins.hitRatio()}
}
