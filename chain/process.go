package chain

import (
	"errors"
	"fmt"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/syndtr/goleveldb/leveldb"
)

// Errors ProcessBlock returns for blocks it has seen before.
var (
	// ErrDuplicateBlock: the block is already stored (Core's "duplicate").
	ErrDuplicateBlock = errors.New("duplicate")
	// ErrKnownInvalid: the block or an ancestor is known to be invalid
	// (Core's "duplicate-invalid").
	ErrKnownInvalid = errors.New("duplicate-invalid")
)

// ProcessResult says where a processed block ended up.
type ProcessResult struct {
	Hash wire.Hash
	// MainChain: the block is part of the main chain now.
	MainChain bool
	// Orphan: the block's parent is unknown; it waits in the orphan pool.
	Orphan bool
}

// ProcessBlock validates a block and stores it, as Bitcoin Core's
// ProcessNewBlock: context-free checks, then checks against its parent, then
// storage and, if its chain has the most work, connection (with every
// script verified) and reorganisation. A block whose parent is unknown is
// held as an orphan until the parent arrives. Consensus failures are
// *consensus.RuleError values (or wrap them); other errors are storage
// failures.
func (c *Chain) ProcessBlock(b *wire.Block) (ProcessResult, error) {
	c.mu.Lock()
	res, err := c.processBlock(b)
	clear(c.inHand)
	c.publishBest()
	var re *consensus.RuleError
	if c.cfg.Observer != nil && errors.As(err, &re) {
		c.cfg.Observer.BlockRejected(rejectReason(re))
	}
	c.mu.Unlock()
	c.dispatch()
	return res, err
}

func (c *Chain) processBlock(b *wire.Block) (ProcessResult, error) {
	h := b.BlockHash()
	res := ProcessResult{Hash: h}
	if n := c.index[h]; n != nil {
		if n.status.failed() {
			return res, ErrKnownInvalid
		}
		if n.status&statusHaveData != 0 {
			res.MainChain = c.active.contains(n)
			return res, ErrDuplicateBlock
		}
	}
	if c.orphans.has(h) {
		res.Orphan = true
		return res, ErrDuplicateBlock
	}
	if err := consensus.CheckBlockSanity(b, c.params.PowLimit); err != nil {
		// A mutated block shares its hash with the honest one: never mark
		// the hash invalid for it.
		if n := c.index[h]; n != nil && !consensus.IsMutated(err) {
			if serr := c.markFailed(n); serr != nil {
				return res, serr
			}
		}
		return res, err
	}
	if _, ok := c.index[b.Header.PrevBlock]; !ok {
		c.orphans.add(h, b)
		res.Orphan = true
		c.log.Debug("orphan block", "hash", h, "parent", b.Header.PrevBlock)
		return res, nil
	}
	n, err := c.acceptBlock(b)
	if err != nil {
		return res, err
	}
	invalid, err := c.activateBestChainCollect()
	if err != nil {
		return res, err
	}
	// Blocks that were waiting for this one.
	queue := []wire.Hash{h}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		for _, child := range c.orphans.takeChildren(parent) {
			if _, err := c.acceptBlock(child); err != nil {
				c.log.Info("rejected orphan block", "hash", child.BlockHash(), "err", err)
				continue
			}
			queue = append(queue, child.BlockHash())
		}
		if len(queue) > 0 {
			more, err := c.activateBestChainCollect()
			if err != nil {
				return res, err
			}
			for k, v := range more {
				invalid[k] = v
			}
		}
	}
	if err := invalid[n]; err != nil {
		return res, err
	}
	if n.status.failed() {
		return res, fmt.Errorf("block %s descends from an invalid block: %w", h, ErrKnownInvalid)
	}
	res.MainChain = c.active.contains(n)
	return res, nil
}

// acceptBlock checks a sane block against its (known) parent and stores it.
// The caller holds mu.
func (c *Chain) acceptBlock(b *wire.Block) (*blockNode, error) {
	n, err := c.acceptHeader(&b.Header)
	if err != nil {
		return nil, err
	}
	if n.status&statusHaveData != 0 {
		return n, nil
	}
	if err := consensus.CheckBlockContext(b, int64(n.height), int64(n.parent.medianTimePast())); err != nil {
		if serr := c.markFailed(n); serr != nil {
			return nil, serr
		}
		return nil, err
	}
	n.status |= statusHaveData
	batch := new(leveldb.Batch)
	batch.Put(hashKey(prefixBlock, n.hash), b.Serialize())
	rec := indexRecord{Header: n.header, Height: n.height, Status: n.status}
	batch.Put(hashKey(prefixIndex, n.hash), rec.encode())
	if err := c.store.write(batch, false); err != nil {
		n.status &^= statusHaveData
		return nil, fmt.Errorf("store block %s: %w", n.hash, err)
	}
	c.markChainData(n)
	c.inHand[n.hash] = b
	return n, nil
}

// ProcessHeaders adds headers to the block index ahead of their blocks
// (headers-first sync). Each must connect to a known header and pass the
// header checks. It returns the node of the last header on success.
func (c *Chain) ProcessHeaders(headers []wire.BlockHeader) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.publishBest()
	for i := range headers {
		if _, err := c.acceptHeader(&headers[i]); err != nil {
			return fmt.Errorf("header %d (%s): %w", i, headers[i].BlockHash(), err)
		}
	}
	return nil
}

// errUnknownParent is returned for a header whose parent is not indexed.
var errUnknownParent = errors.New("previous block not found")

// acceptHeader checks a header against its parent and adds it to the index,
// returning its node (the existing one for a known header). The caller holds
// mu.
func (c *Chain) acceptHeader(h *wire.BlockHeader) (*blockNode, error) {
	hash := h.BlockHash()
	if n := c.index[hash]; n != nil {
		if n.status.failed() {
			return nil, ErrKnownInvalid
		}
		return n, nil
	}
	parent := c.index[h.PrevBlock]
	if parent == nil {
		return nil, fmt.Errorf("header %s: %w", hash, errUnknownParent)
	}
	if parent.status.failed() {
		return nil, fmt.Errorf("header %s: parent: %w", hash, ErrKnownInvalid)
	}
	if err := consensus.CheckBlockHeaderSanity(h, c.params.PowLimit); err != nil {
		return nil, err
	}
	bits := consensus.NextRequiredBits(c.params, int64(parent.height), int64(parent.header.Timestamp))
	if err := consensus.CheckBlockHeaderContext(h, bits, int64(parent.medianTimePast()), c.cfg.Now().Unix()); err != nil {
		// time-too-new may pass later; no other header failure is stored,
		// since the header is not added to the index.
		return nil, err
	}
	n := newBlockNode(*h, parent)
	c.addNode(n)
	if err := c.saveNode(n); err != nil {
		return nil, fmt.Errorf("store header %s: %w", hash, err)
	}
	return n, nil
}

// markChainData records that n and its ancestors all have their data, and
// extends that to descendants already stored, adding each to the candidate
// tips. The caller holds mu.
func (c *Chain) markChainData(n *blockNode) {
	if n.parent != nil && !n.parent.chainData {
		return
	}
	stack := []*blockNode{n}
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if m.status&statusHaveData == 0 || m.chainData {
			continue
		}
		m.chainData = true
		if !m.status.failed() {
			c.candidates[m] = struct{}{}
		}
		stack = append(stack, c.children[m]...)
	}
}

// markFailed marks n invalid and every descendant as having an invalid
// parent, persisting their status. The caller holds mu.
func (c *Chain) markFailed(n *blockNode) error {
	batch := new(leveldb.Batch)
	n.status |= statusFailed
	stack := []*blockNode{n}
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if m != n {
			m.status |= statusFailedParent
		}
		delete(c.candidates, m)
		rec := indexRecord{Header: m.header, Height: m.height, Status: m.status}
		batch.Put(hashKey(prefixIndex, m.hash), rec.encode())
		stack = append(stack, c.children[m]...)
	}
	if c.bestHeader != nil && c.bestHeader.status.failed() {
		c.recomputeBestHeader()
	}
	return c.store.write(batch, false)
}
