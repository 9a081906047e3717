package chain

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/syndtr/goleveldb/leveldb"
)

// isUnspendable reports whether an output can never be spent, so it is kept
// out of the coin set (OP_RETURN outputs, scripts over the size limit).
func isUnspendable(pkScript []byte) bool {
	return (len(pkScript) > 0 && pkScript[0] == script.OP_RETURN) || len(pkScript) > script.MaxScriptSize
}

// scriptJob is one input whose script must be verified.
type scriptJob struct {
	tx       *wire.Tx
	idx      int
	pkScript []byte
}

// connection is the result of validating a block against the coin set: what
// to apply if it is valid.
type connection struct {
	undo    blockUndo
	spent   []wire.OutPoint // coins from the coin set (not created in the block)
	created map[wire.OutPoint]Coin
	txids   []wire.Hash
}

// validateConnect checks block b (node n, whose parent is the tip) against
// the coin set without changing it: inputs exist and are unspent, coinbase
// maturity, values, fees, BIP68 sequence locks, sigops with P2SH, the
// coinbase amount, and every script. The caller holds mu.
func (c *Chain) validateConnect(n *blockNode, b *wire.Block) (*connection, error) {
	conn := &connection{created: make(map[wire.OutPoint]Coin), txids: b.TxHashes()}
	height := int64(n.height)
	prevMTP := int64(n.parent.medianTimePast())
	spentHere := make(map[wire.OutPoint]struct{})
	var jobs []scriptJob
	var fees int64
	sigOps := 0
	for ti, tx := range b.Transactions {
		sigOps += consensus.CountLegacySigOps(tx)
		if ti > 0 {
			coins := make([]consensus.SpentCoin, len(tx.TxIn))
			locks := make([]consensus.SequenceLockInput, len(tx.TxIn))
			for i, in := range tx.TxIn {
				op := in.PreviousOutPoint
				coin, ok := conn.created[op]
				if ok {
					delete(conn.created, op)
				} else if _, dup := spentHere[op]; dup {
					return nil, missingInput(tx, conn.txids[ti], op)
				} else {
					cp, err := c.coins.fetch(op)
					if err != nil {
						return nil, fmt.Errorf("fetch coin %s: %w", op, err)
					}
					if cp == nil {
						return nil, missingInput(tx, conn.txids[ti], op)
					}
					coin = *cp
					spentHere[op] = struct{}{}
					conn.spent = append(conn.spent, op)
				}
				conn.undo.Spent = append(conn.undo.Spent, coin)
				coins[i] = consensus.SpentCoin{Value: coin.Value, PkScript: coin.PkScript, Height: int64(coin.Height), IsCoinBase: coin.Coinbase}
				if tx.Version >= 2 {
					// BIP68 applies: the lock counts from the coin's block.
					// n's parent is the tip, so its ancestors are the active
					// chain's blocks.
					locks[i] = consensus.SequenceLockInput{Height: int64(coin.Height)}
					if anc := c.active.at(max(coin.Height-1, 0)); anc != nil {
						locks[i].PrevMedianTime = int64(anc.medianTimePast())
					}
				}
				jobs = append(jobs, scriptJob{tx: tx, idx: i, pkScript: coin.PkScript})
			}
			fee, err := consensus.CheckTransactionInputs(tx, coins, height)
			if err != nil {
				return nil, fmt.Errorf("transaction %s: %w", conn.txids[ti], err)
			}
			fees += fee
			if err := consensus.CheckSequenceLock(tx, locks, height, prevMTP); err != nil {
				return nil, fmt.Errorf("transaction %s: %w", conn.txids[ti], err)
			}
			p2sh, err := consensus.CountP2SHSigOps(tx, coins)
			if err != nil {
				return nil, fmt.Errorf("transaction %s: %w", conn.txids[ti], err)
			}
			sigOps += p2sh
			if sigOps > consensus.MaxBlockSigOps {
				return nil, &consensus.RuleError{Kind: consensus.ErrTooManySigOps, Reason: "bad-blk-sigops",
					Detail: fmt.Sprintf("more than %d signature operations", consensus.MaxBlockSigOps)}
			}
		}
		for i, out := range tx.TxOut {
			if isUnspendable(out.PkScript) {
				continue
			}
			// The script is copied so the coin does not keep the whole
			// decoded block alive in the cache.
			conn.created[wire.OutPoint{Hash: conn.txids[ti], Index: uint32(i)}] =
				Coin{Value: out.Value, PkScript: append([]byte(nil), out.PkScript...), Height: n.height, Coinbase: ti == 0}
		}
	}
	if sigOps > consensus.MaxBlockSigOps {
		return nil, &consensus.RuleError{Kind: consensus.ErrTooManySigOps, Reason: "bad-blk-sigops",
			Detail: fmt.Sprintf("%d signature operations, limit %d", sigOps, consensus.MaxBlockSigOps)}
	}
	if err := consensus.CheckCoinbaseValue(b.Transactions[0], consensus.CalcBlockSubsidy(height, c.params), fees); err != nil {
		return nil, err
	}
	if err := c.verifyScripts(jobs); err != nil {
		return nil, err
	}
	return conn, nil
}

func missingInput(tx *wire.Tx, txid wire.Hash, op wire.OutPoint) error {
	return &consensus.RuleError{Kind: consensus.ErrMissingOrSpent, Reason: "bad-txns-inputs-missingorspent",
		Detail: fmt.Sprintf("transaction %s spends %s, which is missing or spent", txid, op)}
}

// verifyScripts runs every job's script on the configured number of
// workers, stopping early at the first failure.
func (c *Chain) verifyScripts(jobs []scriptJob) error {
	workers := min(c.cfg.ScriptWorkers, len(jobs))
	if workers == 0 {
		return nil
	}
	var (
		next    atomic.Int64
		failed  atomic.Bool
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	var cache script.SigCache
	if c.cfg.SigCache != nil {
		cache = c.cfg.SigCache
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				j := &jobs[i]
				if err := script.VerifyInput(j.tx, j.idx, j.pkScript, script.MandatoryVerifyFlags, cache); err != nil {
					failed.Store(true)
					errOnce.Do(func() {
						first = &consensus.RuleError{Kind: consensus.ErrScriptFailed,
							Reason: fmt.Sprintf("mandatory-script-verify-flag-failed (%v)", err),
							Detail: fmt.Sprintf("input %d of transaction %s", j.idx, j.tx.TxHash())}
					})
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// connectTip validates block b of node n (whose parent is the tip) and
// makes it the tip. The caller holds mu.
func (c *Chain) connectTip(n *blockNode, b *wire.Block) error {
	if n.parent != c.active.tip() {
		return fmt.Errorf("connect %s: parent is not the tip", n.hash)
	}
	start := time.Now()
	conn, err := c.validateConnect(n, b)
	if err != nil {
		return err
	}
	// The undo data must be stored before the coin set can move past it.
	// The tx index entries go with it: an entry whose block is not in the
	// main chain is never served, so they need no atomic flush.
	batch := new(leveldb.Batch)
	batch.Put(hashKey(prefixUndo, n.hash), conn.undo.encode())
	if c.cfg.TxIndex {
		putTxLocations(batch, n.hash, b, conn.txids)
	}
	if n.status&statusValid == 0 {
		n.status |= statusValid
		rec := indexRecord{Header: n.header, Height: n.height, Status: n.status}
		batch.Put(hashKey(prefixIndex, n.hash), rec.encode())
	}
	if err := c.store.write(batch, false); err != nil {
		return fmt.Errorf("store undo data of %s: %w", n.hash, err)
	}
	for _, op := range conn.spent {
		c.coins.spend(op)
	}
	for op, coin := range conn.created {
		c.coins.add(op, coin)
	}
	c.active.setTip(n)
	c.publishBest()
	c.queue(BlockConnected, b, conn.txids, n)
	if c.cfg.Observer != nil {
		c.cfg.Observer.BlockValidated(time.Since(start))
	}
	return c.maybeFlush()
}

// disconnectTip undoes the tip block, making its parent the tip. The caller
// holds mu.
func (c *Chain) disconnectTip() error {
	n := c.active.tip()
	if n.parent == nil {
		return errors.New("cannot disconnect the genesis block")
	}
	b, err := c.readBlock(n)
	if err != nil {
		return err
	}
	undo, err := c.store.undo(n.hash)
	if err != nil {
		return fmt.Errorf("disconnect %s: %w", n.hash, err)
	}
	txids := b.TxHashes()
	if err := c.undoBlockCoins(n, b, txids, undo); err != nil {
		return err
	}
	if c.cfg.TxIndex {
		batch := new(leveldb.Batch)
		for _, txid := range txids {
			batch.Delete(hashKey(prefixTxIndex, txid))
		}
		if err := c.store.write(batch, false); err != nil {
			return fmt.Errorf("disconnect %s: tx index: %w", n.hash, err)
		}
	}
	c.active.setTip(n.parent)
	c.publishBest()
	c.queue(BlockDisconnected, b, txids, n)
	return c.maybeFlush()
}

// undoBlockCoins reverts block b's changes to the coin set: its outputs
// removed, the coins it spent restored from its undo data, last transaction
// first. Each step is a blind put or delete. The caller holds mu.
func (c *Chain) undoBlockCoins(n *blockNode, b *wire.Block, txids []wire.Hash, undo blockUndo) error {
	u := len(undo.Spent)
	for ti := len(b.Transactions) - 1; ti >= 0; ti-- {
		tx := b.Transactions[ti]
		for i := range tx.TxOut {
			c.coins.remove(wire.OutPoint{Hash: txids[ti], Index: uint32(i)})
		}
		if ti == 0 {
			continue
		}
		for i := len(tx.TxIn) - 1; i >= 0; i-- {
			u--
			if u < 0 {
				return corrupt("undo record", "block %s: too few spent coins", n.hash)
			}
			c.coins.restore(tx.TxIn[i].PreviousOutPoint, undo.Spent[u])
		}
	}
	if u != 0 {
		return corrupt("undo record", "block %s: %d spent coins left over", n.hash, u)
	}
	return nil
}

// redoBlockCoins applies an already validated block's changes to the coin
// set as blind deletes and puts, transaction by transaction: what replaying
// an interrupted flush needs. The caller holds mu.
func (c *Chain) redoBlockCoins(n *blockNode, b *wire.Block) {
	for ti, tx := range b.Transactions {
		if ti > 0 {
			for _, in := range tx.TxIn {
				c.coins.remove(in.PreviousOutPoint)
			}
		}
		txid := tx.TxHash()
		for i, out := range tx.TxOut {
			if isUnspendable(out.PkScript) {
				continue
			}
			c.coins.restore(wire.OutPoint{Hash: txid, Index: uint32(i)},
				Coin{Value: out.Value, PkScript: append([]byte(nil), out.PkScript...), Height: n.height, Coinbase: ti == 0})
		}
	}
}

// finishInterruptedFlush completes a flush a crash interrupted: the stored
// coin set is partly at the old tip, partly at the new one. Undoing the old
// branch's blocks down to the fork and redoing the new branch's, all as
// blind writes, gives exactly the new tip's coin set, which is then
// flushed. The caller is loading the chain (active tip = the stored tip).
func (c *Chain) finishInterruptedFlush() error {
	oldHash, newHash, ok, err := c.store.flushMarker()
	if err != nil || !ok {
		return err
	}
	old, nw := c.index[oldHash], c.index[newHash]
	if old == nil || nw == nil || old != c.active.tip() {
		return corrupt("flush marker", "tips %s → %s do not match the index (stored tip %s)", oldHash, newHash, c.active.tip().hash)
	}
	c.log.Warn("completing a flush interrupted by a crash", "from", old.height, "to", nw.height)
	fork := findFork(old, nw)
	for n := old; n != fork; n = n.parent {
		b, err := c.readBlock(n)
		if err != nil {
			return err
		}
		undo, err := c.store.undo(n.hash)
		if err != nil {
			return fmt.Errorf("replay flush: %w", err)
		}
		if err := c.undoBlockCoins(n, b, b.TxHashes(), undo); err != nil {
			return err
		}
	}
	var path []*blockNode
	for n := nw; n != fork; n = n.parent {
		path = append(path, n)
	}
	for i := len(path) - 1; i >= 0; i-- {
		b, err := c.readBlock(path[i])
		if err != nil {
			return err
		}
		c.redoBlockCoins(path[i], b)
	}
	c.active.setTip(nw)
	return c.flush()
}

// readBlock returns the block of n: the one ProcessBlock has in hand, or
// the stored copy. The caller holds mu.
func (c *Chain) readBlock(n *blockNode) (*wire.Block, error) {
	if b, ok := c.inHand[n.hash]; ok {
		return b, nil
	}
	raw, err := c.store.blockBytes(n.hash)
	if err != nil {
		return nil, fmt.Errorf("read block %s: %w", n.hash, err)
	}
	if raw == nil {
		return nil, corrupt("block data", "block %s at height %d is missing", n.hash, n.height)
	}
	b, err := wire.DecodeBlock(raw)
	if err != nil {
		return nil, corrupt("block data", "block %s: %v", n.hash, err)
	}
	return b, nil
}
