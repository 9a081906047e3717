package chain

import (
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/syndtr/goleveldb/leveldb"
)

// cacheEntry is a coin held in memory, with how it differs from the database.
type cacheEntry struct {
	coin  Coin
	spent bool // spent since loaded; deleted from the database at flush
	dirty bool // differs from the database
	fresh bool // the database does not have it (so a spend just forgets it)
}

// entryOverhead approximates the memory one cache entry costs besides its
// script: the map slot, the outpoint key, the entry and the slice header.
const entryOverhead = 160

// coinCache is the in-memory layer of the coin (UTXO) set over the
// database, with a memory budget. The chain flushes it in one atomic batch
// together with the tip it corresponds to. Callers hold the chain's lock.
type coinCache struct {
	store   *store
	entries map[wire.OutPoint]*cacheEntry
	usage   int64 // approximate bytes held
	budget  int64

	hits, misses uint64
}

func newCoinCache(s *store, budget int64) *coinCache {
	return &coinCache{store: s, entries: make(map[wire.OutPoint]*cacheEntry), budget: budget}
}

func entrySize(c *Coin) int64 { return entryOverhead + int64(len(c.PkScript)) }

// fetch returns the unspent coin at op, or nil when it is spent or unknown.
func (cc *coinCache) fetch(op wire.OutPoint) (*Coin, error) {
	if e, ok := cc.entries[op]; ok {
		cc.hits++
		if e.spent {
			return nil, nil
		}
		return &e.coin, nil
	}
	cc.misses++
	c, err := cc.store.coin(op)
	if err != nil || c == nil {
		return nil, err
	}
	e := &cacheEntry{coin: *c}
	cc.entries[op] = e
	cc.usage += entrySize(c)
	return &e.coin, nil
}

// add records a new unspent coin.
func (cc *coinCache) add(op wire.OutPoint, c Coin) {
	if e, ok := cc.entries[op]; ok {
		// Re-creating a coin spent since the last flush (a reorganisation
		// that disconnects and reconnects): the database may still hold the
		// old entry, so this one is dirty but not fresh.
		cc.usage -= entrySize(&e.coin)
		e.coin, e.spent, e.dirty = c, false, true
		cc.usage += entrySize(&c)
		return
	}
	cc.entries[op] = &cacheEntry{coin: c, dirty: true, fresh: true}
	cc.usage += entrySize(&c)
}

// spend marks the coin at op spent. The caller has fetched it.
func (cc *coinCache) spend(op wire.OutPoint) {
	e, ok := cc.entries[op]
	if !ok {
		return
	}
	if e.fresh {
		delete(cc.entries, op)
		cc.usage -= entrySize(&e.coin)
		return
	}
	e.spent, e.dirty = true, true
}

// restore puts back a coin that a disconnected block spent. Its entry may be
// absent from the cache (flushed since) or present as spent.
func (cc *coinCache) restore(op wire.OutPoint, c Coin) {
	if e, ok := cc.entries[op]; ok {
		cc.usage -= entrySize(&e.coin)
		e.coin, e.spent, e.dirty = c, false, true
		cc.usage += entrySize(&c)
		return
	}
	cc.entries[op] = &cacheEntry{coin: c, dirty: true}
	cc.usage += entrySize(&c)
}

// remove deletes the coin a disconnected block created. It may have been
// flushed to the database, so unless it is fresh it is marked spent.
func (cc *coinCache) remove(op wire.OutPoint) {
	if e, ok := cc.entries[op]; ok && e.fresh {
		delete(cc.entries, op)
		cc.usage -= entrySize(&e.coin)
		return
	} else if ok {
		e.spent, e.dirty = true, true
		return
	}
	cc.entries[op] = &cacheEntry{spent: true, dirty: true}
	cc.usage += entryOverhead
}

// overBudget reports whether the cache holds more than its budget.
func (cc *coinCache) overBudget() bool { return cc.usage > cc.budget }

// writeChunks writes every dirty entry to the database through write, in
// batches of about chunkBytes, and returns how many entries it wrote. The
// batches are not atomic together: the caller's flush protocol makes an
// interrupted sequence recoverable. After the last batch is durable, the
// caller calls flushed.
func (cc *coinCache) writeChunks(chunkBytes int, write func(*leveldb.Batch) error) (int, error) {
	b := new(leveldb.Batch)
	var buf []byte
	size, written := 0, 0
	for op, e := range cc.entries {
		if !e.dirty {
			continue
		}
		key := coinKey(op)
		if e.spent {
			b.Delete(key)
			size += len(key)
		} else {
			buf = appendCoin(buf[:0], &e.coin)
			b.Put(key, buf)
			size += len(key) + len(buf)
		}
		written++
		if size >= chunkBytes {
			if err := write(b); err != nil {
				return written, err
			}
			b.Reset()
			size = 0
		}
	}
	if b.Len() > 0 {
		if err := write(b); err != nil {
			return written, err
		}
	}
	return written, nil
}

// dirty reports whether any entry differs from the database.
func (cc *coinCache) dirty() bool {
	for _, e := range cc.entries {
		if e.dirty {
			return true
		}
	}
	return false
}

// flushed empties the cache once its contents are durable in the database.
// Keeping clean entries would help a warm cache, but dropping them keeps
// the budget a hard bound and the logic simple.
func (cc *coinCache) flushed() {
	clear(cc.entries)
	cc.usage = 0
}

// hitRatio returns cache hits / lookups since start, 0 with no lookups.
func (cc *coinCache) hitRatio() float64 {
	if t := cc.hits + cc.misses; t > 0 {
		return float64(cc.hits) / float64(t)
	}
	return 0
}
