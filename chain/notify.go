package chain

import (
	"strings"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// NotificationType says what happened to the chain.
type NotificationType int

const (
	// BlockConnected: a block became part of the main chain.
	BlockConnected NotificationType = iota + 1
	// BlockDisconnected: a block left the main chain (a reorganisation or
	// invalidateblock).
	BlockDisconnected
)

// String names the notification type.
func (t NotificationType) String() string {
	switch t {
	case BlockConnected:
		return "block connected"
	case BlockDisconnected:
		return "block disconnected"
	}
	return "unknown notification"
}

// Notification reports a change of the main chain. Disconnections of a
// reorganisation come before its connections, tip first.
type Notification struct {
	Type  NotificationType
	Block *wire.Block
	// TxIDs are the block's txids in block order, computed once by the
	// chain so that subscribers need not hash the transactions again.
	TxIDs  []wire.Hash
	Hash   wire.Hash
	Height int32
}

// Subscribe registers fn to receive every notification, in order. fn runs
// on the goroutine that changed the chain, after the chain's lock is
// released, so it may call the chain; it must not block for long.
func (c *Chain) Subscribe(fn func(Notification)) {
	c.notifyMu.Lock()
	defer c.notifyMu.Unlock()
	c.subscribers = append(c.subscribers, fn)
}

// queue records a notification for delivery. The caller holds mu.
func (c *Chain) queue(t NotificationType, b *wire.Block, txids []wire.Hash, n *blockNode) {
	c.queued = append(c.queued, Notification{Type: t, Block: b, TxIDs: txids, Hash: n.hash, Height: n.height})
}

// dispatch delivers the queued notifications. It is called without mu held;
// notifyMu keeps deliveries from concurrent callers in order.
func (c *Chain) dispatch() {
	c.notifyMu.Lock()
	defer c.notifyMu.Unlock()
	c.mu.Lock()
	q := c.queued
	c.queued = nil
	c.mu.Unlock()
	for _, n := range q {
		for _, fn := range c.subscribers {
			fn(n)
		}
	}
}

// Observer receives the chain's measurements, for metrics. Its methods are
// called with the chain's lock held, so they must be quick and must not
// call the chain.
type Observer interface {
	// BlockValidated reports how long validating and connecting one block
	// took.
	BlockValidated(d time.Duration)
	// BlockRejected reports a block that broke a consensus rule, by Bitcoin
	// Core's reject reason without its parenthesised detail (a bounded set).
	BlockRejected(reason string)
	// Reorganized reports a reorganisation that disconnected depth blocks.
	Reorganized(depth int)
}

// rejectReason returns the reason label of a rule error: Core's reject
// reason up to any parenthesised detail ("bad-version(0x3)" → "bad-version").
func rejectReason(re *consensus.RuleError) string {
	r := re.Reason
	if i := strings.IndexByte(r, '('); i > 0 {
		r = strings.TrimSpace(r[:i])
	}
	return r
}
