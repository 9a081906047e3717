package mempool

import (
	"container/heap"
	"log/slog"
	"sync"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// Chain is what the pool needs of the block chain. *chain.Chain implements
// it. Its methods must not call the pool.
type Chain interface {
	// Best returns the current tip.
	Best() chain.BestState
	// Coin returns the unspent output at op, or nil.
	Coin(op wire.OutPoint) (*chain.Coin, error)
	// Params returns the network's consensus parameters.
	Params() *consensus.Params
	// BlockHashAt returns the hash of the main-chain block at height.
	BlockHashAt(height int32) (wire.Hash, error)
	// BlockInfo describes a block (its median time past is used for
	// time-based BIP68 locks).
	BlockInfo(hash wire.Hash) (chain.BlockInfo, error)
}

// Observer receives the pool's measurements, for metrics. Its methods are
// called with the pool's lock held: they must be quick and must not call the
// pool.
type Observer interface {
	// Accepted reports a transaction added to the pool, with its fee and
	// serialized size. tx is the transaction the pool now holds: the
	// observer must not modify it, and must copy it to keep it.
	Accepted(txid wire.Hash, tx *wire.Tx, fee, size int64)
	// Rejected reports a refused transaction by its reject reason without
	// any parenthesised part (a bounded set of labels).
	Rejected(reason string)
	// Removed reports a transaction that left the pool, for any reason
	// (mined, conflicted, replaced, evicted, expired).
	Removed(txid wire.Hash)
}

// Default limits (Bitcoin Core's).
const (
	DefaultMaxBytes            = 300 << 20
	DefaultExpiry              = 336 * time.Hour
	DefaultAncestorLimit       = 25
	DefaultAncestorSizeLimit   = 101_000
	DefaultDescendantLimit     = 25
	DefaultDescendantSizeLimit = 101_000
	DefaultMaxOrphans          = 100
	DefaultMaxOrphanSize       = 100_000
	DefaultOrphanExpiry        = 20 * time.Minute
	// RollingFeeHalfLife is how fast the minimum fee raised by eviction
	// decays once a block has arrived.
	RollingFeeHalfLife = 12 * time.Hour
)

// Config configures a Pool. Zero values mean the defaults.
type Config struct {
	// MaxBytes is the memory budget (-maxmempool), compared with the
	// estimated memory usage of the entries.
	MaxBytes int64
	// Expiry is how long an entry may stay (-mempoolexpiry).
	Expiry time.Duration
	// MinRelayFee, IncrementalRelayFee and DustRelayFee are fee rates in
	// base units per kvB (-minrelaytxfee, -incrementalrelayfee,
	// -dustrelayfee).
	MinRelayFee         int64
	IncrementalRelayFee int64
	DustRelayFee        int64
	// FullRBF lets any pool transaction be replaced, signalling or not
	// (-mempoolfullrbf).
	FullRBF bool
	// Chain limits: ancestors (counting the transaction) and their total
	// size; descendants of each ancestor (counting it) and their size.
	AncestorLimit       int
	AncestorSizeLimit   int64
	DescendantLimit     int
	DescendantSizeLimit int64
	// Orphan pool bounds.
	MaxOrphans    int
	MaxOrphanSize int
	OrphanExpiry  time.Duration
	// SigCache receives the signatures verified at acceptance, so that the
	// chain finds them when the block arrives; nil disables caching.
	SigCache script.SigCache
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Logger receives log lines; nil means slog.Default() with
	// subsystem=mempool.
	Logger *slog.Logger
	// Observer receives measurements; nil means none.
	Observer Observer
}

func (c *Config) setDefaults() {
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.Expiry <= 0 {
		c.Expiry = DefaultExpiry
	}
	if c.MinRelayFee <= 0 {
		c.MinRelayFee = DefaultMinRelayFee
	}
	if c.IncrementalRelayFee <= 0 {
		c.IncrementalRelayFee = DefaultIncrementalRelayFee
	}
	if c.DustRelayFee <= 0 {
		c.DustRelayFee = DefaultDustRelayFee
	}
	if c.AncestorLimit <= 0 {
		c.AncestorLimit = DefaultAncestorLimit
	}
	if c.AncestorSizeLimit <= 0 {
		c.AncestorSizeLimit = DefaultAncestorSizeLimit
	}
	if c.DescendantLimit <= 0 {
		c.DescendantLimit = DefaultDescendantLimit
	}
	if c.DescendantSizeLimit <= 0 {
		c.DescendantSizeLimit = DefaultDescendantSizeLimit
	}
	if c.MaxOrphans <= 0 {
		c.MaxOrphans = DefaultMaxOrphans
	}
	if c.MaxOrphanSize <= 0 {
		c.MaxOrphanSize = DefaultMaxOrphanSize
	}
	if c.OrphanExpiry <= 0 {
		c.OrphanExpiry = DefaultOrphanExpiry
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default().With("subsystem", "mempool")
	}
}

// Pool is the transaction memory pool. Its exported methods are safe for
// concurrent use; each takes mu, which is held while the pool calls the
// chain.
type Pool struct {
	mu    sync.Mutex
	cfg   Config
	chain Chain
	log   *slog.Logger

	entries map[wire.Hash]*entry
	spent   map[wire.OutPoint]*entry // outpoint → the pool tx spending it
	deltas  map[wire.Hash]int64      // prioritisetransaction fee deltas
	evict   evictHeap                // by descendant score, lowest first

	// sequence counts additions and removals, for getrawmempool's
	// mempool_sequence.
	sequence uint64

	bytes    int64 // sum of entry sizes
	usage    int64 // sum of entry memory estimates
	totalFee int64 // sum of base fees

	rollingMinFee     float64 // base units per kvB
	lastRollingUpdate time.Time
	blockSinceBump    bool
	nextExpiryCheck   time.Time

	unbroadcast map[wire.Hash]struct{}
	loaded      bool
	seq         uint64

	orphans orphanPool

	// pending holds transactions of disconnected blocks waiting to be
	// re-added once the notifications catch up with the chain's tip,
	// oldest block first.
	pending []*wire.Tx
}

// New returns an empty pool on top of c.
func New(c Chain, cfg Config) *Pool {
	cfg.setDefaults()
	now := cfg.Now()
	p := &Pool{
		cfg:               cfg,
		chain:             c,
		log:               cfg.Logger,
		entries:           make(map[wire.Hash]*entry),
		spent:             make(map[wire.OutPoint]*entry),
		deltas:            make(map[wire.Hash]int64),
		unbroadcast:       make(map[wire.Hash]struct{}),
		lastRollingUpdate: now,
	}
	p.orphans.init()
	return p
}

// entry is a pool transaction with its links and package statistics.
// Ancestor statistics count the entry itself and every in-pool ancestor;
// descendant statistics the entry and every in-pool descendant. Fees in them
// are modified fees.
type entry struct {
	tx             *wire.Tx
	txid           wire.Hash
	size           int64
	fee            int64
	delta          int64
	time           time.Time
	height         int32
	sigOps         int
	usage          int64
	spendsCoinbase bool
	seq            uint64

	parents  map[*entry]struct{}
	children map[*entry]struct{}

	ancCount, ancSize, ancFees    int64
	descCount, descSize, descFees int64

	heapIdx int
}

func (e *entry) modFee() int64 { return e.fee + e.delta }

// Per-element overheads of the memory estimate, in bytes: Go's struct sizes
// on 64-bit platforms rounded up to their allocation classes, and a map
// element's share of its buckets.
const (
	txOverhead    = 64  // wire.Tx
	txInOverhead  = 96  // *TxIn in the slice + TxIn
	txOutOverhead = 48  // *TxOut in the slice + TxOut
	entryOverhead = 256 // entry struct + its parent/child maps when small
	mapElemCost   = 64  // one element of entries, spent or a link map
)

// entryUsage estimates the heap an entry holds: the transaction's structs
// and script bytes, the entry, its element in entries, one element of spent
// per input and one link-map element per input (the parent side).
func entryUsage(tx *wire.Tx) int64 {
	u := int64(txOverhead + entryOverhead + mapElemCost)
	for _, in := range tx.TxIn {
		u += txInOverhead + int64(len(in.SignatureScript)) + 2*mapElemCost
	}
	for _, out := range tx.TxOut {
		u += txOutOverhead + int64(len(out.PkScript))
	}
	return u
}

// ancestors returns e's in-pool ancestors (without e).
func (e *entry) ancestors() map[*entry]struct{} {
	set := make(map[*entry]struct{})
	reach(set, e, func(x *entry) map[*entry]struct{} { return x.parents })
	return set
}

// descendants returns e's in-pool descendants (without e).
func (e *entry) descendants() map[*entry]struct{} {
	set := make(map[*entry]struct{})
	e.addDescendants(set)
	return set
}

// addDescendants adds e's descendants to set.
func (e *entry) addDescendants(set map[*entry]struct{}) {
	reach(set, e, func(x *entry) map[*entry]struct{} { return x.children })
}

// reach adds to set every entry reachable from e through links (parents
// or children), not e itself unless a cycle led back to it.
func reach(set map[*entry]struct{}, e *entry, links func(*entry) map[*entry]struct{}) {
	stack := make([]*entry, 0, len(links(e)))
	for x := range links(e) {
		stack = append(stack, x)
	}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, ok := set[x]; ok {
			continue
		}
		set[x] = struct{}{}
		for y := range links(x) {
			stack = append(stack, y)
		}
	}
}

func (p *Pool) updateAncestorStats(e *entry) {
	e.ancCount, e.ancSize, e.ancFees = 1, e.size, e.modFee()
	if len(e.parents) == 0 {
		return
	}
	for a := range e.ancestors() {
		e.ancCount++
		e.ancSize += a.size
		e.ancFees += a.modFee()
	}
}

func (p *Pool) updateDescendantStats(e *entry) {
	e.descCount, e.descSize, e.descFees = 1, e.size, e.modFee()
	if len(e.children) > 0 {
		for d := range e.descendants() {
			e.descCount++
			e.descSize += d.size
			e.descFees += d.modFee()
		}
	}
	if e.heapIdx >= 0 {
		heap.Fix(&p.evict, e.heapIdx)
	}
}

// addEntry links e into the pool: its parents (pool transactions whose
// outputs it spends), its children (pool transactions already spending its
// outputs, after a reorganisation), the indexes and the statistics.
func (p *Pool) addEntry(e *entry) {
	p.seq++
	e.seq = p.seq
	e.parents = make(map[*entry]struct{})
	e.children = make(map[*entry]struct{})
	for _, in := range e.tx.TxIn {
		if parent, ok := p.entries[in.PreviousOutPoint.Hash]; ok {
			e.parents[parent] = struct{}{}
			parent.children[e] = struct{}{}
		}
		p.spent[in.PreviousOutPoint] = e
	}
	for i := range e.tx.TxOut {
		if child, ok := p.spent[wire.OutPoint{Hash: e.txid, Index: uint32(i)}]; ok {
			e.children[child] = struct{}{}
			child.parents[e] = struct{}{}
		}
	}
	p.entries[e.txid] = e
	p.sequence++
	e.heapIdx = -1
	heap.Push(&p.evict, e)
	p.bytes += e.size
	p.usage += e.usage
	p.totalFee += e.fee
	if exp := e.time.Add(p.cfg.Expiry); p.nextExpiryCheck.IsZero() || exp.Before(p.nextExpiryCheck) {
		p.nextExpiryCheck = exp
	}
	p.updateAncestorStats(e)
	p.updateDescendantStats(e)
	if len(e.children) > 0 {
		for d := range e.descendants() {
			p.updateAncestorStats(d)
		}
	}
	for a := range e.ancestors() {
		p.updateDescendantStats(a)
	}
}

// removeSet removes every entry of set from the pool and fixes the
// statistics of the entries left that were linked to them.
func (p *Pool) removeSet(set map[*entry]struct{}) {
	if len(set) == 0 {
		return
	}
	ancs := make(map[*entry]struct{})
	descs := make(map[*entry]struct{})
	for e := range set {
		for a := range e.ancestors() {
			if _, gone := set[a]; !gone {
				ancs[a] = struct{}{}
			}
		}
		if len(e.children) > 0 {
			for d := range e.descendants() {
				if _, gone := set[d]; !gone {
					descs[d] = struct{}{}
				}
			}
		}
	}
	for e := range set {
		for parent := range e.parents {
			delete(parent.children, e)
		}
		for child := range e.children {
			delete(child.parents, e)
		}
		for _, in := range e.tx.TxIn {
			if p.spent[in.PreviousOutPoint] == e {
				delete(p.spent, in.PreviousOutPoint)
			}
		}
		delete(p.entries, e.txid)
		delete(p.unbroadcast, e.txid)
		p.sequence++
		if p.cfg.Observer != nil {
			p.cfg.Observer.Removed(e.txid)
		}
		if e.heapIdx >= 0 {
			heap.Remove(&p.evict, e.heapIdx)
		}
		p.bytes -= e.size
		p.usage -= e.usage
		p.totalFee -= e.fee
	}
	for a := range ancs {
		p.updateDescendantStats(a)
	}
	for d := range descs {
		p.updateAncestorStats(d)
	}
}

// withDescendants returns the entries and all their descendants.
func withDescendants(es ...*entry) map[*entry]struct{} {
	set := make(map[*entry]struct{})
	for _, e := range es {
		if _, ok := set[e]; ok {
			continue
		}
		set[e] = struct{}{}
		e.addDescendants(set)
	}
	return set
}

// evictHeap orders entries by Core's descendant score, lowest first: the
// higher of the entry's own modified fee rate and that of its package with
// descendants; among equals the most recent entry first.
type evictHeap []*entry

func (h evictHeap) Len() int { return len(h) }

func descScore(e *entry) (fee, size int64) {
	// Compare own rate with descendant rate: fee/size vs descFees/descSize.
	if float64(e.descFees)*float64(e.size) > float64(e.modFee())*float64(e.descSize) {
		return e.descFees, e.descSize
	}
	return e.modFee(), e.size
}

func (h evictHeap) Less(i, j int) bool {
	fa, sa := descScore(h[i])
	fb, sb := descScore(h[j])
	l, r := float64(fa)*float64(sb), float64(fb)*float64(sa)
	if l != r {
		return l < r
	}
	if !h[i].time.Equal(h[j].time) {
		return h[i].time.After(h[j].time)
	}
	return h[i].seq > h[j].seq
}

func (h evictHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx = i
	h[j].heapIdx = j
}

func (h *evictHeap) Push(x any) {
	e := x.(*entry)
	e.heapIdx = len(*h)
	*h = append(*h, e)
}

func (h *evictHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.heapIdx = -1
	return e
}

// Sequence returns how many times a transaction was added to or removed
// from the pool since it was created (Bitcoin Core's mempool sequence). It
// takes the pool's lock.
func (p *Pool) Sequence() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sequence
}
