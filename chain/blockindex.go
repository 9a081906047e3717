package chain

import (
	"math/big"
	"sort"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// blockNode is one entry of the block index: a header known to the node,
// linked to its parent, with its cumulative work. Nodes are created once and
// their header, hash, parent, height and work never change; status changes
// under the chain's lock.
type blockNode struct {
	hash   wire.Hash
	header wire.BlockHeader
	parent *blockNode
	height int32
	work   *big.Int // cumulative: this block's work plus all its ancestors'
	status blockStatus
	// seq orders nodes whose blocks arrived with equal work: the first seen
	// wins, as in Bitcoin Core.
	seq uint64
	// chainData: this block and all its ancestors have their data stored,
	// so the chain can be connected up to it. Kept in memory only.
	chainData bool
}

func newBlockNode(h wire.BlockHeader, parent *blockNode) *blockNode {
	n := &blockNode{hash: h.BlockHash(), header: h, parent: parent}
	w := consensus.CalcWork(h.Bits)
	if parent != nil {
		n.height = parent.height + 1
		w.Add(w, parent.work)
	}
	n.work = w
	return n
}

// ancestor returns the ancestor of n at height h (n itself at its own
// height), or nil when h is out of range.
func (n *blockNode) ancestor(h int32) *blockNode {
	if h < 0 || h > n.height {
		return nil
	}
	for n != nil && n.height > h {
		n = n.parent
	}
	return n
}

// medianTimePast returns the median timestamp of n and up to ten of its
// ancestors (BIP113).
func (n *blockNode) medianTimePast() uint32 {
	ts := make([]uint32, 0, consensus.MedianTimeBlocks)
	for i := 0; i < consensus.MedianTimeBlocks && n != nil; i++ {
		ts = append(ts, n.header.Timestamp)
		n = n.parent
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	return ts[len(ts)/2]
}

// moreWork reports whether a is a better chain tip than b: more cumulative
// work, or equal work and seen first.
func moreWork(a, b *blockNode) bool {
	if c := a.work.Cmp(b.work); c != 0 {
		return c > 0
	}
	return a.seq < b.seq
}

// findFork returns the last common ancestor of a and b.
func findFork(a, b *blockNode) *blockNode {
	if a.height > b.height {
		a = a.ancestor(b.height)
	} else if b.height > a.height {
		b = b.ancestor(a.height)
	}
	for a != b {
		a, b = a.parent, b.parent
	}
	return a
}

// activeChain is the main chain as a slice indexed by height, for O(1)
// lookups by height and membership tests.
type activeChain struct {
	nodes []*blockNode
}

func (c *activeChain) tip() *blockNode {
	if len(c.nodes) == 0 {
		return nil
	}
	return c.nodes[len(c.nodes)-1]
}

func (c *activeChain) height() int32 { return int32(len(c.nodes)) - 1 }

func (c *activeChain) at(h int32) *blockNode {
	if h < 0 || int(h) >= len(c.nodes) {
		return nil
	}
	return c.nodes[h]
}

func (c *activeChain) contains(n *blockNode) bool { return n != nil && c.at(n.height) == n }

// setTip makes n the tip, rewriting the slice from the fork point.
func (c *activeChain) setTip(n *blockNode) {
	if n == nil {
		c.nodes = c.nodes[:0]
		return
	}
	if cap(c.nodes) <= int(n.height) {
		grown := make([]*blockNode, len(c.nodes), int(n.height)*2+16)
		copy(grown, c.nodes)
		c.nodes = grown
	}
	c.nodes = c.nodes[:n.height+1]
	for ; n != nil && c.nodes[n.height] != n; n = n.parent {
		c.nodes[n.height] = n
	}
}
