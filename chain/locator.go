package chain

import (
	"fmt"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// Queries for the P2P layer: block locators, the fork point of a peer's
// locator, the headers and hashes that follow it, the best known header and
// the blocks a headers-first download still has to fetch.

// maxLocatorLen bounds the locators BlockLocator builds (Bitcoin's 101).
const maxLocatorLen = 101

// locatorFrom returns the locator of n: n, its ten parents, then hashes at
// exponentially growing steps back, ending with the genesis block. The
// caller holds mu.
func locatorFrom(n *blockNode) []wire.Hash {
	var out []wire.Hash
	step := int32(1)
	for n != nil && len(out) < maxLocatorLen-1 {
		out = append(out, n.hash)
		if n.height == 0 {
			return out
		}
		h := max(n.height-step, 0)
		n = n.ancestor(h)
		if len(out) > 10 {
			step *= 2
		}
	}
	if n != nil {
		for n.parent != nil {
			n = n.parent
		}
		if out[len(out)-1] != n.hash {
			out = append(out, n.hash)
		}
	}
	return out
}

// BlockLocator returns a block locator (at most 101 hashes, newest first,
// ending with the genesis block) for the main chain's tip. It takes the
// chain's read lock.
func (c *Chain) BlockLocator() []wire.Hash {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return locatorFrom(c.active.tip())
}

// HeaderLocator returns a block locator for the most-work header known
// (which may be ahead of the tip during headers-first sync). It takes the
// chain's read lock.
func (c *Chain) HeaderLocator() []wire.Hash {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.bestHeader
	if n == nil {
		n = c.active.tip()
	}
	return locatorFrom(n)
}

// findLocatorFork returns the first locator hash that is on the main chain,
// or the genesis block when none is. The caller holds mu.
func (c *Chain) findLocatorFork(locator []wire.Hash) *blockNode {
	for _, h := range locator {
		if n := c.index[h]; n != nil && c.active.contains(n) {
			return n
		}
	}
	return c.active.at(0)
}

// LocateHeaders answers getheaders: the headers of the main chain after the
// fork point of locator (the first of its hashes on the main chain, else
// genesis), up to max of them, stopping after hashStop. With an empty
// locator it returns the header of hashStop alone, when known (Bitcoin's
// rule). It takes the chain's read lock.
func (c *Chain) LocateHeaders(locator []wire.Hash, hashStop wire.Hash, max int) []wire.BlockHeader {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(locator) == 0 {
		if n := c.index[hashStop]; n != nil {
			return []wire.BlockHeader{n.header}
		}
		return nil
	}
	var out []wire.BlockHeader
	for n := c.active.at(c.findLocatorFork(locator).height + 1); n != nil && len(out) < max; n = c.active.at(n.height + 1) {
		out = append(out, n.header)
		if n.hash == hashStop {
			break
		}
	}
	return out
}

// LocateBlocks answers getblocks: the hashes of the main chain after the
// fork point of locator, up to max of them, stopping after hashStop. It
// takes the chain's read lock.
func (c *Chain) LocateBlocks(locator []wire.Hash, hashStop wire.Hash, max int) []wire.Hash {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []wire.Hash
	for n := c.active.at(c.findLocatorFork(locator).height + 1); n != nil && len(out) < max; n = c.active.at(n.height + 1) {
		out = append(out, n.hash)
		if n.hash == hashStop {
			break
		}
	}
	return out
}

// HeaderInfo is what the P2P layer needs of a known header.
type HeaderInfo struct {
	Hash   wire.Hash
	Header wire.BlockHeader
	Height int32
	// HaveData: the block's transactions are stored.
	HaveData bool
	// MainChain: the block is on the main chain.
	MainChain bool
	// Invalid: the block or an ancestor broke a rule.
	Invalid bool
}

// Header returns what the index knows of the header with the given hash,
// and whether it is known at all. It takes the chain's read lock.
func (c *Chain) Header(hash wire.Hash) (HeaderInfo, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.index[hash]
	if n == nil {
		return HeaderInfo{}, false
	}
	return c.headerInfo(n), true
}

// headerInfo describes n. The caller holds mu.
func (c *Chain) headerInfo(n *blockNode) HeaderInfo {
	return HeaderInfo{Hash: n.hash, Header: n.header, Height: n.height,
		HaveData: n.status&statusHaveData != 0, MainChain: c.active.contains(n), Invalid: n.status.failed()}
}

// BestHeader returns the most-work header known that is not known invalid
// (the tip when no header is ahead of it). It takes the chain's read lock.
func (c *Chain) BestHeader() HeaderInfo {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.bestHeader
	if n == nil {
		n = c.active.tip()
	}
	return c.headerInfo(n)
}

// BlockRef names a block by hash and height.
type BlockRef struct {
	Hash   wire.Hash
	Height int32
}

// MissingBlocks returns, in height order, the blocks of the most-work
// header chain whose data is not stored, from the fork point with the main
// chain up to window blocks above the tip, at most max of them: what a
// headers-first download fetches next. It takes the chain's read lock.
func (c *Chain) MissingBlocks(window int32, max int) []BlockRef {
	c.mu.RLock()
	defer c.mu.RUnlock()
	best := c.bestHeader
	tip := c.active.tip()
	if best == nil || tip == nil || max <= 0 || !moreWork(best, tip) {
		return nil
	}
	fork := findFork(best, tip)
	limit := tip.height + window
	if best.height < limit {
		limit = best.height
	}
	if limit <= fork.height {
		return nil
	}
	// Walk down from the window's top to the fork and reverse.
	top := best.ancestor(limit)
	var rev []BlockRef
	for n := top; n != nil && n != fork; n = n.parent {
		if n.status&statusHaveData == 0 {
			rev = append(rev, BlockRef{Hash: n.hash, Height: n.height})
		}
	}
	out := make([]BlockRef, 0, min(len(rev), max))
	for i := len(rev) - 1; i >= 0 && len(out) < max; i-- {
		out = append(out, rev[i])
	}
	return out
}

// HeadersBetween returns the headers of the ancestors of hash above the
// main chain's block at height from (exclusive), oldest first, at most max:
// what announcing a new tip by headers sends. It takes the chain's read
// lock.
func (c *Chain) HeadersBetween(hash wire.Hash, from int32, max int) ([]wire.BlockHeader, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.index[hash]
	if n == nil {
		return nil, fmt.Errorf("block %s: %w", hash, ErrBlockNotFound)
	}
	var rev []wire.BlockHeader
	for ; n != nil && n.height > from && len(rev) < max; n = n.parent {
		rev = append(rev, n.header)
	}
	out := make([]wire.BlockHeader, len(rev))
	for i := range rev {
		out[i] = rev[len(rev)-1-i]
	}
	return out, nil
}

// ErrUnknownParent is returned (wrapped) by ProcessHeaders for a header
// whose parent is not in the index: the peer's headers do not connect.
var ErrUnknownParent = errUnknownParent
