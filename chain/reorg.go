package chain

import (
	"fmt"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// bestCandidate returns the candidate tip with the most work.
func (c *Chain) bestCandidate() *blockNode {
	var best *blockNode
	for n := range c.candidates {
		if best == nil || moreWork(n, best) {
			best = n
		}
	}
	return best
}

// activateBestChain moves the main chain to the most-work candidate,
// disconnecting and connecting as needed. A block that fails validation is
// marked invalid with its descendants, and the next best candidate is
// tried, so the chain always ends on the best valid tip. Only storage
// failures are returned. The caller holds mu.
func (c *Chain) activateBestChain() error {
	_, err := c.activateBestChainCollect()
	return err
}

// activateBestChainCollect is activateBestChain, also returning the
// consensus error of each block that failed to connect.
func (c *Chain) activateBestChainCollect() (map[*blockNode]error, error) {
	invalid := make(map[*blockNode]error)
	for {
		tip := c.active.tip()
		best := c.bestCandidate()
		if best == nil || best == tip || !moreWork(best, tip) {
			for n := range c.candidates {
				if n != tip && !moreWork(n, tip) {
					delete(c.candidates, n)
				}
			}
			return invalid, nil
		}
		fork := findFork(tip, best)
		if depth := tip.height - fork.height; depth > 0 {
			c.log.Info("reorganising", "depth", depth, "from", tip.hash, "to", best.hash, "fork", fork.height)
			if c.cfg.Observer != nil {
				c.cfg.Observer.Reorganized(int(depth))
			}
		}
		for c.active.tip() != fork {
			if err := c.disconnectTip(); err != nil {
				return invalid, err
			}
		}
		path := make([]*blockNode, 0, best.height-fork.height)
		for n := best; n != fork; n = n.parent {
			path = append(path, n)
		}
		for i := len(path) - 1; i >= 0; i-- {
			if err := c.ctx.Err(); err != nil {
				return invalid, fmt.Errorf("chain activation interrupted at height %d: %w", c.active.height(), err)
			}
			n := path[i]
			b, err := c.readBlock(n)
			if err != nil {
				return invalid, err
			}
			if err := c.connectTip(n, b); err != nil {
				if _, ok := consensus.IsRuleError(err); !ok {
					return invalid, err
				}
				c.log.Warn("invalid block", "hash", n.hash, "height", n.height, "err", err)
				invalid[n] = err
				if err := c.markFailed(n); err != nil {
					return invalid, err
				}
				break
			}
			c.logProgress(n)
		}
	}
}

// logProgress logs connected blocks at a rate a person can read.
func (c *Chain) logProgress(n *blockNode) {
	c.progress.blocks++
	now := c.cfg.Now()
	if c.progress.last.IsZero() {
		c.progress.last = now
		return
	}
	if el := now.Sub(c.progress.last); el >= progressInterval {
		rate := float64(c.progress.blocks) / max(el.Seconds(), 1e-3)
		var pct float64
		if c.bestHeader != nil && c.bestHeader.height > 0 {
			pct = 100 * float64(n.height) / float64(c.bestHeader.height)
		}
		c.log.Info("chain progress", "height", n.height, "hash", n.hash, "blocks_per_s", fmt.Sprintf("%.1f", rate),
			"progress_pct", fmt.Sprintf("%.1f", pct), "headers", c.bestHeader.height, "cache_mib", c.coins.usage>>20)
		c.progress.blocks, c.progress.last = 0, now
	}
}

// InvalidateBlock marks a block and its descendants invalid, as if it had
// broken a rule, and moves the main chain to the best remaining tip
// (Bitcoin Core's invalidateblock).
func (c *Chain) InvalidateBlock(hash wire.Hash) error {
	c.mu.Lock()
	err := c.invalidateBlock(hash)
	c.publishBest()
	c.mu.Unlock()
	c.dispatch()
	return err
}

func (c *Chain) invalidateBlock(hash wire.Hash) error {
	n := c.index[hash]
	if n == nil {
		return fmt.Errorf("block %s: %w", hash, ErrBlockNotFound)
	}
	if n.parent == nil {
		return fmt.Errorf("cannot invalidate the genesis block")
	}
	for c.active.contains(n) {
		if err := c.disconnectTip(); err != nil {
			return err
		}
	}
	if err := c.markFailed(n); err != nil {
		return err
	}
	c.rebuildCandidates()
	return c.activateBestChain()
}

// ReconsiderBlock removes the invalid marks of a block, its ancestors and
// its descendants, and moves the main chain to the best tip again (Bitcoin
// Core's reconsiderblock). Blocks that really are invalid fail again.
func (c *Chain) ReconsiderBlock(hash wire.Hash) error {
	c.mu.Lock()
	err := c.reconsiderBlock(hash)
	c.publishBest()
	c.mu.Unlock()
	c.dispatch()
	return err
}

func (c *Chain) reconsiderBlock(hash wire.Hash) error {
	n := c.index[hash]
	if n == nil {
		return fmt.Errorf("block %s: %w", hash, ErrBlockNotFound)
	}
	var changed []*blockNode
	unmark := func(m *blockNode) {
		if m.status.failed() {
			m.status &^= statusFailed | statusFailedParent
			changed = append(changed, m)
		}
	}
	for m := n; m != nil; m = m.parent {
		unmark(m)
	}
	stack := append([]*blockNode(nil), c.children[n]...)
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		unmark(m)
		stack = append(stack, c.children[m]...)
	}
	for _, m := range changed {
		if err := c.saveNode(m); err != nil {
			return err
		}
	}
	c.recomputeBestHeader()
	c.rebuildCandidates()
	return c.activateBestChain()
}

// rebuildCandidates recomputes the candidate tips from the whole index,
// after marks were added or removed. The caller holds mu.
func (c *Chain) rebuildCandidates() {
	clear(c.candidates)
	tip := c.active.tip()
	for _, n := range c.index {
		if n.chainData && !n.status.failed() && (n == tip || moreWork(n, tip)) {
			c.candidates[n] = struct{}{}
		}
	}
	c.candidates[tip] = struct{}{}
}
