package mempool

import (
	"fmt"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// HandleNotification updates the pool for a change of the main chain; the
// node subscribes it with chain.Subscribe. It takes the pool's lock and calls
// the chain, which is allowed since the chain delivers notifications with its
// own lock released.
//
// BlockConnected removes the block's transactions and everything that
// conflicts with them, with descendants (Core's removeForBlock).
// BlockDisconnected queues the block's transactions; since the chain
// delivers a reorganisation's notifications after it has finished, the
// queued transactions are revalidated against the final tip once the
// notifications reach it (the notification leaves the chain at its current
// tip). Those that fail are dropped with their in-pool descendants; then
// every entry is checked again for finality, BIP68 locks and coinbase
// maturity (Core's MaybeUpdateMempoolForReorg and removeForReorg).
//
// It returns an error only when the chain fails to answer; the pool then
// stays consistent but may hold entries the new tip invalidates until the
// next notification.
func (p *Pool) HandleNotification(n chain.Notification) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.cfg.Now()
	if n.Block == nil {
		return nil
	}
	var leaves wire.Hash // the tip the notification leaves the chain at
	switch n.Type {
	case chain.BlockConnected:
		p.removeForBlock(n.Block, n.TxIDs)
		leaves = n.Hash
	case chain.BlockDisconnected:
		txs := n.Block.Transactions
		if len(txs) > 0 && txs[0].IsCoinBase() {
			txs = txs[1:]
		}
		p.pending = append(append([]*wire.Tx(nil), txs...), p.pending...)
		leaves = n.Block.Header.PrevBlock
	default:
		return nil
	}
	if p.chain.Best().Hash != leaves {
		return nil // more notifications of the same change follow
	}
	var err error
	if len(p.pending) > 0 || n.Type == chain.BlockDisconnected {
		err = p.updateForReorg(now)
	}
	p.expire(now)
	return err
}

// removeForBlock removes the block's transactions, their conflicts with
// descendants, and their queued copies. txids are the block's txids as the
// chain computed them (hashed here when absent). Called with mu held.
func (p *Pool) removeForBlock(b *wire.Block, txids []wire.Hash) {
	if len(txids) != len(b.Transactions) {
		txids = b.TxHashes()
	}
	confirmed := make(map[*entry]struct{})
	inBlock := make(map[wire.Hash]struct{}, len(b.Transactions))
	spends := make(map[wire.OutPoint]struct{})
	for i, tx := range b.Transactions {
		txid := txids[i]
		inBlock[txid] = struct{}{}
		if e, ok := p.entries[txid]; ok {
			confirmed[e] = struct{}{}
		}
		delete(p.deltas, txid)
		if !tx.IsCoinBase() {
			for _, in := range tx.TxIn {
				spends[in.PreviousOutPoint] = struct{}{}
			}
		}
	}
	p.removeSet(confirmed)
	var conflicts []*entry
	for op := range spends {
		if e, ok := p.spent[op]; ok {
			conflicts = append(conflicts, e)
		}
	}
	if set := withDescendants(conflicts...); len(set) > 0 {
		p.log.Info("removed transactions conflicting with block", "block", b.BlockHash(), "removed", len(set))
		p.removeSet(set)
	}
	if len(p.pending) > 0 {
		kept := p.pending[:0]
		for _, tx := range p.pending {
			if _, ok := inBlock[tx.TxHash()]; !ok {
				kept = append(kept, tx)
			}
		}
		clear(p.pending[len(kept):])
		p.pending = kept
	}
	p.removeOrphansForBlock(b.Transactions)
	p.blockSinceBump = true
	p.log.Debug("block connected", "block", b.BlockHash(), "confirmed", len(confirmed), "pool_size", len(p.entries))
}

// updateForReorg re-adds the queued transactions of disconnected blocks
// against the current tip, then drops entries the tip no longer allows.
// Called with mu held.
func (p *Pool) updateForReorg(now time.Time) error {
	pending := p.pending
	p.pending = nil
	readded, dropped := 0, 0
	for _, tx := range pending {
		_, err := p.accept(tx, acceptArgs{bypassLimits: true}, now)
		if err == nil {
			readded++
			continue
		}
		if _, ok := IsReject(err); !ok {
			return fmt.Errorf("mempool: re-adding %s: %w", tx.TxHash(), err)
		}
		dropped++
		// Pool transactions spending its outputs lost their parent.
		txid := tx.TxHash()
		var orphaned []*entry
		for i := range tx.TxOut {
			if e, ok := p.spent[wire.OutPoint{Hash: txid, Index: uint32(i)}]; ok {
				orphaned = append(orphaned, e)
			}
		}
		p.removeSet(withDescendants(orphaned...))
	}
	removed, err := p.removeForReorg()
	if err != nil {
		return err
	}
	p.limitSize(now)
	p.log.Info("mempool updated for reorganisation", "readded", readded, "dropped", dropped,
		"removed", removed, "pool_size", len(p.entries))
	return nil
}

// removeForReorg removes, with descendants, entries that are not final for
// the next block, whose BIP68 locks are not met, or that spend a coinbase
// output that is gone or immature (Core's removeForReorg).
func (p *Pool) removeForReorg() (int, error) {
	best := p.chain.Best()
	next := int64(best.Height) + 1
	var bad []*entry
	for _, e := range p.entries {
		ok, err := p.stillValid(e, best, next)
		if err != nil {
			return 0, err
		}
		if !ok {
			bad = append(bad, e)
		}
	}
	set := withDescendants(bad...)
	p.removeSet(set)
	return len(set), nil
}

func (p *Pool) stillValid(e *entry, best chain.BestState, next int64) (bool, error) {
	tx := e.tx
	if !consensus.IsFinalTx(tx, next, int64(best.MedianTime)) {
		return false, nil
	}
	needLocks := false
	if tx.Version >= 2 {
		for _, in := range tx.TxIn {
			if in.Sequence&consensus.SequenceLockTimeDisabled == 0 {
				needLocks = true
				break
			}
		}
	}
	if !needLocks && !e.spendsCoinbase {
		return true, nil
	}
	coins := make([]consensus.SpentCoin, len(tx.TxIn))
	fromPool := make([]bool, len(tx.TxIn))
	for i, in := range tx.TxIn {
		if _, ok := p.entries[in.PreviousOutPoint.Hash]; ok {
			fromPool[i] = true
			continue
		}
		c, err := p.chain.Coin(in.PreviousOutPoint)
		if err != nil {
			return false, fmt.Errorf("mempool: looking up %v: %w", in.PreviousOutPoint, err)
		}
		if c == nil {
			return false, nil
		}
		if c.Coinbase && next-int64(c.Height) < consensus.CoinbaseMaturity {
			return false, nil
		}
		coins[i] = consensus.SpentCoin{Height: int64(c.Height), IsCoinBase: c.Coinbase}
	}
	if needLocks {
		in, err := p.sequenceLockInputs(tx, coins, fromPool, best)
		if err != nil {
			return false, err
		}
		if consensus.CheckSequenceLock(tx, in, next, int64(best.MedianTime)) != nil {
			return false, nil
		}
	}
	return true, nil
}
