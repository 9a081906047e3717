package mempool

import (
	"container/heap"
	"slices"
	"time"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// EntryInfo describes a pool transaction, with what getmempoolentry shows.
// Fees in the ancestor and descendant figures are modified fees.
type EntryInfo struct {
	Tx   *wire.Tx
	TxID wire.Hash
	// Size is the serialized size, which is also the virtual size;
	// Weight is four times it (no witness data).
	Size   int64
	Weight int64
	// Fee is the base fee, ModifiedFee the fee with prioritisetransaction's
	// delta, which mining and eviction use.
	Fee         int64
	ModifiedFee int64
	Time        time.Time
	// Height is the tip's height when the transaction entered.
	Height int32
	SigOps int

	AncestorCount   int64
	AncestorSize    int64
	AncestorFees    int64
	DescendantCount int64
	DescendantSize  int64
	DescendantFees  int64

	// Depends are the in-pool parents, SpentBy the in-pool children.
	Depends []wire.Hash
	SpentBy []wire.Hash
	// BIP125Replaceable: it or an in-pool ancestor signals replaceability
	// (or full RBF is on).
	BIP125Replaceable bool
	// Unbroadcast: submitted locally and not yet announced to a peer.
	Unbroadcast bool
}

func (p *Pool) info(e *entry) *EntryInfo {
	ei := &EntryInfo{
		Tx: e.tx, TxID: e.txid, Size: e.size, Weight: 4 * e.size,
		Fee: e.fee, ModifiedFee: e.modFee(), Time: e.time, Height: e.height, SigOps: e.sigOps,
		AncestorCount: e.ancCount, AncestorSize: e.ancSize, AncestorFees: e.ancFees,
		DescendantCount: e.descCount, DescendantSize: e.descSize, DescendantFees: e.descFees,
		BIP125Replaceable: p.cfg.FullRBF || p.replaceable(e),
	}
	_, ei.Unbroadcast = p.unbroadcast[e.txid]
	for parent := range e.parents {
		ei.Depends = append(ei.Depends, parent.txid)
	}
	for child := range e.children {
		ei.SpentBy = append(ei.SpentBy, child.txid)
	}
	sortHashes(ei.Depends)
	sortHashes(ei.SpentBy)
	return ei
}

func sortHashes(hs []wire.Hash) {
	slices.SortFunc(hs, func(a, b wire.Hash) int { return compareHash(a, b) })
}

func compareHash(a, b wire.Hash) int {
	for i := len(a) - 1; i >= 0; i-- { // display order
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// Get returns the entry with txid, or nil. It takes the pool's lock.
func (p *Pool) Get(txid wire.Hash) *EntryInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[txid]
	if !ok {
		return nil
	}
	return p.info(e)
}

// Has reports whether txid is in the pool. It takes the pool's lock.
func (p *Pool) Has(txid wire.Hash) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.entries[txid]
	return ok
}

// Tx returns the pool transaction with txid, or nil. It takes the pool's
// lock.
func (p *Pool) Tx(txid wire.Hash) *wire.Tx {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.entries[txid]; ok {
		return e.tx
	}
	return nil
}

// Spender returns the pool transaction spending op, or nil (gettxout with
// include_mempool, gettxspendingprevout). It takes the pool's lock.
func (p *Pool) Spender(op wire.OutPoint) *wire.Tx {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.spent[op]; ok {
		return e.tx
	}
	return nil
}

// TxIDs returns the txid of every entry, in display order. It takes the
// pool's lock.
func (p *Pool) TxIDs() []wire.Hash {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make([]wire.Hash, 0, len(p.entries))
	for id := range p.entries {
		ids = append(ids, id)
	}
	sortHashes(ids)
	return ids
}

// Entries returns a snapshot of every entry (getrawmempool verbose), by
// txid in display order. It takes the pool's lock.
func (p *Pool) Entries() []*EntryInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*EntryInfo, 0, len(p.entries))
	for _, e := range p.entries {
		out = append(out, p.info(e))
	}
	slices.SortFunc(out, func(a, b *EntryInfo) int { return compareHash(a.TxID, b.TxID) })
	return out
}

// Ancestors returns the in-pool ancestors of txid (getmempoolancestors),
// or ok false when txid is not in the pool. It takes the pool's lock.
func (p *Pool) Ancestors(txid wire.Hash) (ids []wire.Hash, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[txid]
	if !ok {
		return nil, false
	}
	for a := range e.ancestors() {
		ids = append(ids, a.txid)
	}
	sortHashes(ids)
	return ids, true
}

// Descendants returns the in-pool descendants of txid
// (getmempooldescendants), or ok false when txid is not in the pool. It
// takes the pool's lock.
func (p *Pool) Descendants(txid wire.Hash) (ids []wire.Hash, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[txid]
	if !ok {
		return nil, false
	}
	for d := range e.descendants() {
		ids = append(ids, d.txid)
	}
	sortHashes(ids)
	return ids, true
}

// Info summarises the pool, with what getmempoolinfo shows; fee rates are
// in base units per kvB.
type Info struct {
	// Loaded: Load has run (getmempoolinfo's loaded).
	Loaded bool
	// Size is the number of transactions, Bytes the sum of their sizes,
	// Usage the memory estimate compared with MaxMempool.
	Size       int
	Bytes      int64
	Usage      int64
	TotalFee   int64
	MaxMempool int64
	// MempoolMinFee is the fee rate a transaction needs to enter: the
	// higher of the rolling minimum and MinRelayTxFee.
	MempoolMinFee       int64
	MinRelayTxFee       int64
	IncrementalRelayFee int64
	UnbroadcastCount    int
	FullRBF             bool
	Orphans             int
}

// Info returns the pool's figures. It takes the pool's lock.
func (p *Pool) Info() Info {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Info{
		Loaded: p.loaded, Size: len(p.entries), Bytes: p.bytes, Usage: p.usage, TotalFee: p.totalFee,
		MaxMempool:          p.cfg.MaxBytes,
		MempoolMinFee:       max(p.minFeeRate(p.cfg.Now()), p.cfg.MinRelayFee),
		MinRelayTxFee:       p.cfg.MinRelayFee,
		IncrementalRelayFee: p.cfg.IncrementalRelayFee,
		UnbroadcastCount:    len(p.unbroadcast),
		FullRBF:             p.cfg.FullRBF,
		Orphans:             len(p.orphans.list),
	}
}

// Prioritise adds delta (base units, may be negative) to the modified fee
// of txid, used for mining and eviction, not for relay (Core's
// prioritisetransaction). The delta is remembered for a transaction not yet
// in the pool and applies when it arrives; it is forgotten when the
// transaction is mined. It takes the pool's lock.
func (p *Pool) Prioritise(txid wire.Hash, delta int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	total := p.deltas[txid] + delta
	if total == 0 {
		delete(p.deltas, txid)
	} else {
		p.deltas[txid] = total
	}
	e, ok := p.entries[txid]
	if !ok {
		return
	}
	e.delta = total
	p.updateAncestorStats(e)
	p.updateDescendantStats(e)
	for a := range e.ancestors() {
		p.updateDescendantStats(a)
	}
	for d := range e.descendants() {
		p.updateAncestorStats(d)
	}
	p.log.Info("transaction prioritised", "txid", txid, "delta", total)
}

// FeeDeltas returns the prioritisetransaction deltas, by txid
// (getprioritisedtransactions). It takes the pool's lock.
func (p *Pool) FeeDeltas() map[wire.Hash]int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[wire.Hash]int64, len(p.deltas))
	for k, v := range p.deltas {
		out[k] = v
	}
	return out
}

// MarkBroadcast records that a peer received txid, so it no longer counts as
// unbroadcast. It takes the pool's lock.
func (p *Pool) MarkBroadcast(txid wire.Hash) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.unbroadcast, txid)
}

// Unbroadcast returns the local transactions not yet announced to a peer,
// for periodic rebroadcast. It takes the pool's lock.
func (p *Pool) Unbroadcast() []wire.Hash {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make([]wire.Hash, 0, len(p.unbroadcast))
	for id := range p.unbroadcast {
		ids = append(ids, id)
	}
	sortHashes(ids)
	return ids
}

// MiningTx is a pool transaction as the block template builder sees it.
type MiningTx struct {
	Tx          *wire.Tx
	TxID        wire.Hash
	Fee         int64 // base fee, what the coinbase collects
	ModifiedFee int64 // with the prioritisation delta, what ordering uses
	Size        int64
	SigOps      int
	Depends     []wire.Hash // in-pool parents, all earlier in the list
}

// MiningOrder returns every entry in the order a block should take them:
// packages (an entry with its not yet taken ancestors) by descending
// ancestor fee rate of modified fees, recomputed as ancestors are taken
// (Core's addPackageTxs without the block limits), parents always before
// children. The builder takes a prefix, skipping packages that do not fit
// with their descendants. It takes the pool's lock.
func (p *Pool) MiningOrder() []*MiningTx {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := &candHeap{}
	for _, e := range p.entries {
		h.items = append(h.items, &mineCand{e: e, fees: e.ancFees, size: e.ancSize})
	}
	byEntry := make(map[*entry]*mineCand, len(h.items))
	for i, c := range h.items {
		c.idx = i
		byEntry[c.e] = c
	}
	heap.Init(h)
	taken := make(map[*entry]struct{}, len(p.entries))
	out := make([]*MiningTx, 0, len(p.entries))
	for h.Len() > 0 {
		c := heap.Pop(h).(*mineCand)
		// The package: the entry and its untaken ancestors, parents first.
		var pkg []*entry
		for a := range c.e.ancestors() {
			if _, ok := taken[a]; !ok {
				pkg = append(pkg, a)
			}
		}
		pkg = append(pkg, c.e)
		slices.SortFunc(pkg, func(a, b *entry) int { return int(a.ancCount - b.ancCount) })
		for _, e := range pkg {
			taken[e] = struct{}{}
			mt := &MiningTx{Tx: e.tx, TxID: e.txid, Fee: e.fee, ModifiedFee: e.modFee(), Size: e.size, SigOps: e.sigOps}
			for parent := range e.parents {
				mt.Depends = append(mt.Depends, parent.txid)
			}
			sortHashes(mt.Depends)
			out = append(out, mt)
			if other := byEntry[e]; other != nil && other.idx >= 0 {
				heap.Remove(h, other.idx)
			}
			for d := range e.descendants() {
				if dc := byEntry[d]; dc != nil && dc.idx >= 0 {
					dc.fees -= e.modFee()
					dc.size -= e.size
					heap.Fix(h, dc.idx)
				}
			}
		}
	}
	return out
}

// mineCand is an entry with the fees and size of its untaken package.
type mineCand struct {
	e          *entry
	fees, size int64
	idx        int
}

// candHeap orders candidates by package fee rate, highest first.
type candHeap struct{ items []*mineCand }

func (h *candHeap) Len() int { return len(h.items) }
func (h *candHeap) Less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	l, r := float64(a.fees)*float64(b.size), float64(b.fees)*float64(a.size)
	if l != r {
		return l > r
	}
	return a.e.seq < b.e.seq
}
func (h *candHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].idx = i
	h.items[j].idx = j
}
func (h *candHeap) Push(x any) {
	c := x.(*mineCand)
	c.idx = len(h.items)
	h.items = append(h.items, c)
}
func (h *candHeap) Pop() any {
	old := h.items
	c := old[len(old)-1]
	h.items = old[:len(old)-1]
	c.idx = -1
	return c
}
