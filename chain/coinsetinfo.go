package chain

import (
	"crypto/sha256"
	"fmt"

	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// CoinSetInfo summarises the coin (UTXO) set at the tip, as Bitcoin Core's
// gettxoutsetinfo does.
type CoinSetInfo struct {
	Height    int32
	BestBlock wire.Hash
	Coins     int64 // number of unspent outputs
	Total     int64 // their total value in base units
	// Digest is SHA-256 over every coin in outpoint order (the outpoint,
	// then its stored encoding), so two nodes with the same coin set have
	// the same digest.
	Digest wire.Hash
}

// CoinSetInfo flushes the cache and walks the whole coin set. It takes time
// proportional to the set's size and holds the chain's lock meanwhile.
func (c *Chain) CoinSetInfo() (CoinSetInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.flush(); err != nil {
		return CoinSetInfo{}, err
	}
	tip := c.active.tip()
	info := CoinSetInfo{Height: tip.height, BestBlock: tip.hash}
	h := sha256.New()
	it := c.store.db.NewIterator(util.BytesPrefix([]byte{prefixCoin}), nil)
	defer it.Release()
	for it.Next() {
		coin, err := decodeCoin(it.Value())
		if err != nil {
			return CoinSetInfo{}, fmt.Errorf("coin %x: %w", it.Key(), err)
		}
		h.Write(it.Key()[1:])
		h.Write(it.Value())
		info.Coins++
		info.Total += coin.Value
	}
	if err := it.Error(); err != nil {
		return CoinSetInfo{}, fmt.Errorf("walk coin set: %w", err)
	}
	h.Sum(info.Digest[:0])
	return info, nil
}
