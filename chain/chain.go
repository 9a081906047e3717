// Package chain is nodecoin's block chain state machine: the block index
// (every known header with its status and cumulative work), block storage,
// the coin (UTXO) set with its memory cache, the transaction index, and the
// rules that tie them together: ProcessBlock, selection of the chain with the
// most cumulative work, connection and disconnection of blocks,
// reorganisation, and recovery after an unclean stop.
//
// All state lives in one LevelDB database (see ARCHITECTURE.md for the
// schema). The coin set, the main-chain height index, the transaction index
// and the tip they correspond to are written together in one atomic batch,
// so after a crash at any moment the database holds a consistent state at
// some earlier tip; Open then reconnects the stored blocks past it.
package chain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/syndtr/goleveldb/leveldb"
)

// Config configures a Chain.
type Config struct {
	// Dir is the database directory (created if absent).
	Dir string
	// Params are the network's consensus parameters.
	Params *consensus.Params
	// CacheMiB is the memory budget of the coin cache (--dbcache).
	CacheMiB int
	// TxIndex keeps an index from txid to block for every confirmed
	// transaction.
	TxIndex bool
	// Now returns the node's adjusted time; nil means time.Now.
	Now func() time.Time
	// ScriptWorkers is how many goroutines verify scripts; 0 means one per CPU.
	ScriptWorkers int
	// SigCache remembers verified signatures; nil disables it.
	SigCache *SigCache
	// Logger receives the chain's log lines; nil means slog.Default().
	Logger *slog.Logger
	// Observer receives measurements for metrics; nil means none.
	Observer Observer
}

// ErrBlockNotFound means no block with the given hash is known.
var ErrBlockNotFound = errors.New("block not found")

// progressInterval is how often catch-up progress is logged.
const progressInterval = 10 * time.Second

// DefaultCacheMiB is the default coin cache budget, as --dbcache.
const DefaultCacheMiB = 300

// maxOrphanBlocks bounds the pool of blocks whose parent is unknown.
const maxOrphanBlocks = 100

// Chain is the block chain. Its exported methods are safe for concurrent use;
// they take mu themselves. Notifications are delivered after mu is released.
type Chain struct {
	ctx    context.Context
	cfg    Config
	params *consensus.Params
	log    *slog.Logger
	store  *store

	// best is the snapshot Best returns, replaced (under mu) whenever the
	// tip or the best header changes.
	best atomic.Pointer[BestState]

	mu       sync.RWMutex
	index    map[wire.Hash]*blockNode
	children map[*blockNode][]*blockNode
	// candidates are the blocks that could become the tip: chainData set,
	// not failed, and (after each activation) at least the tip's work.
	candidates map[*blockNode]struct{}
	bestHeader *blockNode // the most-work header not known invalid
	active     activeChain
	coins      *coinCache
	savedTip   *blockNode // the tip the stored coin set corresponds to
	nextSeq    uint64
	orphans    *orphanPool
	// inHand holds the blocks the running ProcessBlock accepted, so
	// connecting them does not read them back from the database.
	inHand   map[wire.Hash]*wire.Block
	lastSave time.Time
	progress struct {
		last   time.Time
		blocks int
	}

	notifyMu    sync.Mutex
	subscribers []func(Notification)
	queued      []Notification // guarded by mu; dispatched after it is released
}

// Open opens the chain database in cfg.Dir, creating it with the genesis
// block if it is new, and brings the chain to the best valid tip among the
// blocks it holds (reconnecting blocks after an unclean stop).
//
// ctx bounds the chain's long operations, for the chain's whole life:
// once it is cancelled, connecting stops at the next block boundary (a
// consistent state) and the operation returns ctx's error. A recovery
// interrupted that way resumes at the next Open.
func Open(ctx context.Context, cfg Config) (*Chain, error) {
	if cfg.Params == nil {
		return nil, errors.New("chain: no consensus parameters")
	}
	if cfg.CacheMiB <= 0 {
		cfg.CacheMiB = DefaultCacheMiB
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ScriptWorkers <= 0 {
		cfg.ScriptWorkers = runtime.NumCPU()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	st, err := openStore(cfg.Dir, cfg.Params.Name, cfg.CacheMiB)
	if err != nil {
		return nil, err
	}
	c := &Chain{
		ctx: ctx,
		cfg: cfg, params: cfg.Params, log: cfg.Logger, store: st,
		index:      make(map[wire.Hash]*blockNode),
		children:   make(map[*blockNode][]*blockNode),
		candidates: make(map[*blockNode]struct{}),
		coins:      newCoinCache(st, int64(cfg.CacheMiB)<<20),
		orphans:    newOrphanPool(maxOrphanBlocks),
		inHand:     make(map[wire.Hash]*wire.Block),
		lastSave:   time.Now(),
	}
	if err := c.load(); err != nil {
		st.close()
		return nil, err
	}
	if err := c.syncTxIndex(); err != nil {
		st.close()
		return nil, err
	}
	c.mu.Lock()
	err = c.activateBestChain()
	c.publishBest()
	c.mu.Unlock()
	c.dispatch()
	if err != nil {
		if ctx.Err() != nil {
			// Interrupted between blocks: keep the progress made.
			return nil, errors.Join(err, c.Close())
		}
		st.close()
		return nil, err
	}
	return c, nil
}

// load reads the block index and the tip, or initialises a new database.
func (c *Chain) load() error {
	var recs []indexRecord
	var hashes []wire.Hash
	err := c.store.forEachIndexRecord(func(h wire.Hash, r indexRecord) error {
		recs = append(recs, r)
		hashes = append(hashes, h)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load block index: %w", err)
	}
	if len(recs) == 0 {
		return c.initGenesis()
	}
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return recs[order[a]].Height < recs[order[b]].Height })
	for _, i := range order {
		r := recs[i]
		var parent *blockNode
		if r.Height > 0 {
			parent = c.index[r.Header.PrevBlock]
			if parent == nil {
				return corrupt("block index", "block %s at height %d has no parent in the index", hashes[i], r.Height)
			}
		} else if hashes[i] != c.params.GenesisHash {
			return corrupt("block index", "height-0 block %s is not this network's genesis", hashes[i])
		}
		n := newBlockNode(r.Header, parent)
		if n.hash != hashes[i] || n.height != r.Height {
			return corrupt("block index", "record for %s holds block %s at height %d", hashes[i], n.hash, n.height)
		}
		n.status = r.Status
		c.addNode(n)
		n.chainData = n.status&statusHaveData != 0 && (parent == nil || parent.chainData)
		if n.chainData && !n.status.failed() {
			c.candidates[n] = struct{}{}
		}
	}
	tipHash, ok, err := c.store.tip()
	if err != nil {
		return fmt.Errorf("load tip: %w", err)
	}
	tip := c.index[tipHash]
	if !ok || tip == nil {
		return corrupt("tip record", "tip %s is not in the block index", tipHash)
	}
	c.active.setTip(tip)
	tip.seq = 0 // the stored tip keeps winning ties with equal-work branches (seqs start at 1)
	c.savedTip = tip
	if err := c.finishInterruptedFlush(); err != nil {
		return err
	}
	c.log.Info("loaded block index", "headers", len(c.index), "height", tip.height, "tip", tip.hash)
	return nil
}

// initGenesis writes the genesis block into a new database as the tip. Its
// coinbase output is not added to the coin set (it is unspendable).
func (c *Chain) initGenesis() error {
	g := c.params.GenesisBlock
	n := newBlockNode(g.Header, nil)
	n.status = statusHaveData | statusValid
	n.chainData = true
	c.addNode(n)
	c.candidates[n] = struct{}{}
	b := new(leveldb.Batch)
	b.Put(hashKey(prefixBlock, n.hash), g.Serialize())
	b.Put(hashKey(prefixUndo, n.hash), (&blockUndo{}).encode())
	rec := indexRecord{Header: n.header, Height: 0, Status: n.status}
	b.Put(hashKey(prefixIndex, n.hash), rec.encode())
	b.Put([]byte{prefixTip}, n.hash[:])
	if c.cfg.TxIndex {
		b.Put([]byte{prefixTxIdxOn}, nil)
	}
	if err := c.store.write(b, true); err != nil {
		return fmt.Errorf("write genesis: %w", err)
	}
	c.active.setTip(n)
	c.savedTip = n
	c.log.Info("created new chain database", "network", c.params.Name, "genesis", n.hash)
	return nil
}

// addNode puts n in the index. The caller holds mu (or is loading).
func (c *Chain) addNode(n *blockNode) {
	c.nextSeq++
	n.seq = c.nextSeq
	c.index[n.hash] = n
	if n.parent != nil {
		c.children[n.parent] = append(c.children[n.parent], n)
	}
	if !n.status.failed() && (c.bestHeader == nil || moreWork(n, c.bestHeader)) {
		c.bestHeader = n
	}
}

// recomputeBestHeader finds the most-work header not known invalid after
// headers were marked failed. The caller holds mu.
func (c *Chain) recomputeBestHeader() {
	c.bestHeader = c.active.tip()
	for _, n := range c.index {
		if !n.status.failed() && (c.bestHeader == nil || moreWork(n, c.bestHeader)) {
			c.bestHeader = n
		}
	}
}

// saveNode writes n's index record. The caller holds mu.
func (c *Chain) saveNode(n *blockNode) error {
	b := new(leveldb.Batch)
	rec := indexRecord{Header: n.header, Height: n.height, Status: n.status}
	b.Put(hashKey(prefixIndex, n.hash), rec.encode())
	return c.store.write(b, false)
}

// flushChunkBytes is the size of each batch a flush writes, so that a
// flush of a full cache does not build one batch as large as the cache.
const flushChunkBytes = 16 << 20

// flush makes the stored coin set match the cache and the tip. Since the
// coins are written in several batches, a marker recording the old and new
// tips is written (synced) first, and the new tip with the marker's removal
// (synced) last; after a crash in between, load replays the blocks between
// the two tips over the half-written coin set (every step a blind put or
// delete, so the result is exact whatever was written). The caller holds mu.
func (c *Chain) flush() error {
	tip := c.active.tip()
	if tip == c.savedTip && !c.coins.dirty() {
		return nil
	}
	start := time.Now()
	marker := new(leveldb.Batch)
	marker.Put([]byte{prefixFlush}, append(append([]byte(nil), c.savedTip.hash[:]...), tip.hash[:]...))
	if err := c.store.write(marker, true); err != nil {
		return fmt.Errorf("flush chain state: %w", err)
	}
	written, err := c.coins.writeChunks(flushChunkBytes, func(b *leveldb.Batch) error { return c.store.write(b, false) })
	if err != nil {
		return fmt.Errorf("flush chain state: %w", err)
	}
	end := new(leveldb.Batch)
	end.Put([]byte{prefixTip}, tip.hash[:])
	end.Delete([]byte{prefixFlush})
	if err := c.store.write(end, true); err != nil {
		return fmt.Errorf("flush chain state: %w", err)
	}
	c.log.Info("chain state flushed", "height", tip.height, "coins_written", written,
		"cache_mib", c.coins.usage>>20, "took", time.Since(start).Round(time.Millisecond))
	c.coins.flushed()
	c.savedTip = tip
	c.lastSave = time.Now()
	return nil
}

// maybeFlush flushes when the cache exceeds its budget or a while has
// passed since the last flush. The caller holds mu.
func (c *Chain) maybeFlush() error {
	if c.coins.overBudget() || time.Since(c.lastSave) > flushInterval {
		return c.flush()
	}
	return nil
}

// flushInterval bounds how much work a crash can make the node redo.
const flushInterval = 10 * time.Minute

// Close flushes the chain state and closes the database.
func (c *Chain) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ferr := c.flush()
	cerr := c.store.close()
	return errors.Join(ferr, cerr)
}

// BestState describes the tip of the main chain.
type BestState struct {
	Hash          wire.Hash
	Height        int32
	Bits          uint32
	Time          uint32
	MedianTime    uint32
	ChainWork     *big.Int
	HeadersHeight int32 // height of the most-work header known
}

// CatchUpBlocks is how many known headers past the tip mean that a
// headers-first download of blocks is still in progress.
const CatchUpBlocks = 144

// CatchingUp reports whether the node knows headers more than
// CatchUpBlocks past its tip: it is downloading a backlog of blocks.
func (b BestState) CatchingUp() bool { return b.HeadersHeight > b.Height+CatchUpBlocks }

// Best returns the current tip.
func (c *Chain) Best() BestState {
	b := c.best.Load()
	if b == nil { // only while Open runs
		c.mu.RLock()
		defer c.mu.RUnlock()
		return c.bestState()
	}
	st := *b
	st.ChainWork = new(big.Int).Set(b.ChainWork)
	return st
}

// bestState computes the tip's BestState. The caller holds mu.
func (c *Chain) bestState() BestState {
	tip := c.active.tip()
	best := c.bestHeader
	if best == nil {
		best = tip
	}
	return BestState{Hash: tip.hash, Height: tip.height, Bits: tip.header.Bits, Time: tip.header.Timestamp,
		MedianTime: tip.medianTimePast(), ChainWork: new(big.Int).Set(tip.work), HeadersHeight: best.height}
}

// publishBest refreshes the snapshot Best returns, so readers never wait
// for a block being connected. The caller holds mu.
func (c *Chain) publishBest() {
	st := c.bestState()
	c.best.Store(&st)
}
