package chain

import (
	"fmt"

	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// syncTxIndex makes the stored transaction index match the configuration:
// it builds the index over the main chain when it was off before, and drops
// it when turned off (so a stale index is never served). The caller holds
// mu or is opening the chain.
func (c *Chain) syncTxIndex() error {
	v, err := c.store.get([]byte{prefixTxIdxOn})
	if err != nil {
		return fmt.Errorf("read tx index marker: %w", err)
	}
	on := v != nil
	switch {
	case c.cfg.TxIndex && !on:
		c.log.Info("building transaction index", "blocks", c.active.height()+1)
		for h := int32(0); h <= c.active.height(); h++ {
			n := c.active.at(h)
			b, err := c.readBlock(n)
			if err != nil {
				return err
			}
			batch := new(leveldb.Batch)
			putTxLocations(batch, n.hash, b, b.TxHashes())
			if err := c.store.write(batch, false); err != nil {
				return fmt.Errorf("build tx index: %w", err)
			}
		}
		batch := new(leveldb.Batch)
		batch.Put([]byte{prefixTxIdxOn}, nil)
		return c.store.write(batch, true)
	case !c.cfg.TxIndex && on:
		c.log.Info("dropping transaction index")
		batch := new(leveldb.Batch)
		batch.Delete([]byte{prefixTxIdxOn})
		it := c.store.db.NewIterator(util.BytesPrefix([]byte{prefixTxIndex}), nil)
		for it.Next() {
			batch.Delete(append([]byte(nil), it.Key()...))
		}
		it.Release()
		if err := it.Error(); err != nil {
			return fmt.Errorf("drop tx index: %w", err)
		}
		return c.store.write(batch, true)
	}
	return nil
}

// putTxLocations adds the index entry of every transaction of block b
// (hash h, txids given) to batch.
func putTxLocations(batch *leveldb.Batch, h wire.Hash, b *wire.Block, txids []wire.Hash) {
	off := uint32(wire.HeaderSize + wire.CompactSizeLen(uint64(len(b.Transactions))))
	for i, tx := range b.Transactions {
		size := uint32(tx.SerializeSize())
		loc := txLocation{Block: h, Offset: off, Len: size}
		batch.Put(hashKey(prefixTxIndex, txids[i]), loc.encode())
		off += size
	}
}

// TxLookup is a confirmed transaction found through the transaction index.
type TxLookup struct {
	Tx        *wire.Tx
	BlockHash wire.Hash
	Height    int32
}

// ErrTxNotFound means the transaction index has no such transaction (or is
// off).
var ErrTxNotFound = fmt.Errorf("no such transaction in the main chain")

// TxByID finds a confirmed main-chain transaction by txid through the
// transaction index. An entry is served only while its block is in the
// main chain, so entries left behind by a reorganisation or a crash are
// never wrong.
func (c *Chain) TxByID(txid wire.Hash) (*TxLookup, error) {
	if !c.cfg.TxIndex {
		return nil, fmt.Errorf("transaction index is off: %w", ErrTxNotFound)
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, err := c.store.get(hashKey(prefixTxIndex, txid))
	if err != nil {
		return nil, fmt.Errorf("read tx index: %w", err)
	}
	if v == nil {
		return nil, ErrTxNotFound
	}
	loc, err := decodeTxLocation(v)
	if err != nil {
		return nil, err
	}
	n := c.index[loc.Block]
	if n == nil || !c.active.contains(n) {
		return nil, ErrTxNotFound
	}
	raw, err := c.store.blockBytes(loc.Block)
	if err != nil || raw == nil || uint64(loc.Offset)+uint64(loc.Len) > uint64(len(raw)) {
		return nil, corrupt("tx index", "entry for %s points outside block %s (%v)", txid, loc.Block, err)
	}
	tx, err := wire.DecodeTx(raw[loc.Offset : loc.Offset+loc.Len])
	if err != nil {
		return nil, corrupt("tx index", "entry for %s: %v", txid, err)
	}
	return &TxLookup{Tx: tx, BlockHash: n.hash, Height: n.height}, nil
}
