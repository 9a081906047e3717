package wallet

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// ErrTxNotFound reports a transaction the wallet does not hold
// (gettransaction's "Invalid or non-wallet transaction id").
var ErrTxNotFound = errors.New("invalid or non-wallet transaction id")

// BlockRef places a transaction in a main-chain block.
type BlockRef struct {
	// Hash is the block's hash.
	Hash wire.Hash `json:"hash"`
	// Height is the block's height.
	Height int32 `json:"height"`
	// Time is the block header's timestamp.
	Time uint32 `json:"time"`
	// Index is the transaction's position in the block.
	Index int `json:"index"`
}

// Transaction categories, as listtransactions names them.
const (
	CategorySend     = "send"
	CategoryReceive  = "receive"
	CategoryGenerate = "generate"
	CategoryImmature = "immature"
	CategoryOrphan   = "orphan"
)

// Balances are the wallet's spendable and pending amounts in base units
// (getbalances' "mine").
type Balances struct {
	// Trusted is the value of confirmed outputs and of unconfirmed outputs
	// of the wallet's own mempool transactions (change).
	Trusted int64
	// UntrustedPending is the value of unconfirmed outputs paid by others.
	UntrustedPending int64
	// Immature is the value of coinbase outputs with fewer than
	// consensus.CoinbaseMaturity confirmations.
	Immature int64
}

// Unspent is an unspent wallet output (a listunspent entry).
type Unspent struct {
	OutPoint      wire.OutPoint
	Address       string
	PkScript      []byte
	Amount        int64
	Confirmations int32
	// Coinbase marks an output of a coinbase transaction.
	Coinbase bool
	// Change marks an output paying a change address.
	Change bool
	// Safe is Core's "safe": confirmed, or unconfirmed change of the
	// wallet's own transaction.
	Safe bool
}

// TxEntry is one line of listtransactions: an amount sent or received by
// one output.
type TxEntry struct {
	// Category is one of the Category constants.
	Category string
	// Address is the output's address ("" for scripts without one).
	Address string
	// Amount is positive for receipts, negative for sends.
	Amount int64
	// Vout is the output's index.
	Vout uint32
	// Fee is the transaction's fee, negative, on send entries when every
	// input is the wallet's; zero otherwise.
	Fee int64
}

// TxDetails is the wallet's view of one transaction (gettransaction).
type TxDetails struct {
	TxID wire.Hash
	Tx   *wire.Tx
	// Block is nil while the transaction is unconfirmed.
	Block *BlockRef
	// Confirmations is 0 when unconfirmed, -1 when conflicted with a
	// confirmed transaction.
	Confirmations int32
	InMempool     bool
	TimeReceived  int64
	// Trusted says whether its outputs count as trusted.
	Trusted bool
	// Generated marks a coinbase.
	Generated bool
	// Amount is the net change of the wallet's balance, fee excluded
	// (credit − debit + fee for sends).
	Amount int64
	// Fee is the fee (negative) when every input is the wallet's.
	Fee    int64
	HasFee bool
	// Entries are the listtransactions lines of the transaction.
	Entries []TxEntry
}

type txRecord struct {
	tx           *wire.Tx
	txid         wire.Hash
	block        *BlockRef
	inMempool    bool
	timeReceived int64
	seq          uint64
}

// tracker is the part of the wallet that follows the chain.
type tracker struct {
	txs       map[wire.Hash]*txRecord
	spentBy   map[wire.OutPoint][]wire.Hash // every recorded spender, active or not
	seq       uint64
	tipHeight int32
	tipHash   wire.Hash
	dirty     bool
}

func (t *tracker) init() {
	t.txs = make(map[wire.Hash]*txRecord)
	t.spentBy = make(map[wire.OutPoint][]wire.Hash)
	t.tipHeight = -1
}

func (t *tracker) load(d *fileData, w *Wallet) error {
	t.tipHeight, t.tipHash = d.TipHeight, d.TipHash
	for _, td := range d.Txs {
		tx, err := wire.DecodeTx(td.Raw)
		if err != nil {
			return corrupt("transaction: %v", err)
		}
		t.add(&txRecord{tx: tx, txid: tx.TxHash(), block: td.Block, inMempool: td.InMempool, timeReceived: td.TimeReceived})
	}
	return nil
}

func (t *tracker) add(r *txRecord) {
	t.seq++
	r.seq = t.seq
	t.txs[r.txid] = r
	if !r.tx.IsCoinBase() {
		for _, in := range r.tx.TxIn {
			t.spentBy[in.PreviousOutPoint] = append(t.spentBy[in.PreviousOutPoint], r.txid)
		}
	}
}

func (t *tracker) sorted() []*txRecord {
	out := make([]*txRecord, 0, len(t.txs))
	for _, r := range t.txs {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

func (t *tracker) fileTxs() []txData {
	var out []txData
	for _, r := range t.sorted() {
		out = append(out, txData{Raw: r.tx.Serialize(), Block: r.block, InMempool: r.inMempool, TimeReceived: r.timeReceived})
	}
	return out
}

// relevant reports whether tx pays the wallet or spends one of its
// recorded outputs, marking the keys it pays as used. The caller holds mu.
func (w *Wallet) relevant(tx *wire.Tx) bool {
	rel := false
	for _, out := range tx.TxOut {
		if ref, ok := w.scripts[string(out.PkScript)]; ok {
			rel = true
			if !ref.imported {
				w.markUsed(ref.branch, ref.index)
			}
		}
	}
	if rel || tx.IsCoinBase() {
		return rel
	}
	for _, in := range tx.TxIn {
		if prev := w.txs[in.PreviousOutPoint.Hash]; prev != nil && int(in.PreviousOutPoint.Index) < len(prev.tx.TxOut) {
			if _, ok := w.scripts[string(prev.tx.TxOut[in.PreviousOutPoint.Index].PkScript)]; ok {
				return true
			}
		}
	}
	return false
}

// ProcessBlockConnected takes a block that became part of the main chain
// at height: it records the wallet's transactions in it as confirmed and
// advances the wallet's tip.
func (w *Wallet) ProcessBlockConnected(block *wire.Block, height int32) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	changed := w.connectLocked(block, height)
	if changed {
		return w.saveLocked()
	}
	return nil
}

func (w *Wallet) connectLocked(block *wire.Block, height int32) bool {
	hash := block.BlockHash()
	changed := false
	for i, tx := range block.Transactions {
		txid := tx.TxHash()
		ref := &BlockRef{Hash: hash, Height: height, Time: block.Header.Timestamp, Index: i}
		if r := w.txs[txid]; r != nil {
			if r.block == nil || r.block.Hash != hash {
				r.block = ref
				r.inMempool = false
				changed = true
			}
			w.relevant(tx) // keys of a rescanned transaction
			continue
		}
		if !w.relevant(tx) {
			continue
		}
		w.add(&txRecord{tx: tx, txid: txid, block: ref, timeReceived: w.now().Unix()})
		changed = true
		w.log.Info("wallet transaction confirmed", "txid", txid, "height", height)
	}
	if w.tipHeight != height || w.tipHash != hash {
		w.tipHeight, w.tipHash = height, hash
		w.dirty = true
	}
	return changed
}

// ProcessBlockDisconnected takes a block that left the main chain at
// height: its wallet transactions become unconfirmed (coinbases become
// orphans) and the tip moves to its parent.
func (w *Wallet) ProcessBlockDisconnected(block *wire.Block, height int32) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	hash := block.BlockHash()
	changed := false
	for _, tx := range block.Transactions {
		if r := w.txs[tx.TxHash()]; r != nil && r.block != nil && r.block.Hash == hash {
			r.block = nil
			changed = true
			w.log.Info("wallet transaction unconfirmed by disconnection", "txid", r.txid, "height", height)
		}
	}
	w.tipHeight, w.tipHash = height-1, block.Header.PrevBlock
	w.dirty = true
	if changed {
		return w.saveLocked()
	}
	return nil
}

// ProcessMempoolTx takes a transaction accepted to the mempool; a wallet
// transaction among them is recorded as unconfirmed.
func (w *Wallet) ProcessMempoolTx(tx *wire.Tx) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	txid := tx.TxHash()
	if r := w.txs[txid]; r != nil {
		if r.block != nil || r.inMempool {
			return nil
		}
		r.inMempool = true
		return w.saveLocked()
	}
	if !w.relevant(tx) {
		return nil
	}
	w.add(&txRecord{tx: tx.Copy(), txid: txid, inMempool: true, timeReceived: w.now().Unix()})
	w.log.Info("wallet transaction in mempool", "txid", txid)
	return w.saveLocked()
}

// RemoveMempoolTx takes a transaction that left the mempool (mined,
// replaced, conflicted, evicted or expired). An unconfirmed wallet
// transaction stops counting until it is mined or accepted again.
func (w *Wallet) RemoveMempoolTx(txid wire.Hash) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if r := w.txs[txid]; r != nil && r.inMempool {
		r.inMempool = false
		return w.saveLocked()
	}
	return nil
}

// TipHeight returns the height of the last block the wallet processed (−1
// before any).
func (w *Wallet) TipHeight() int32 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.tipHeight
}

// Tip returns the height and hash of the last block the wallet processed
// (−1 and the zero hash before any).
func (w *Wallet) Tip() (int32, wire.Hash) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.tipHeight, w.tipHash
}

// BlockSource is what Rescan reads the main chain through; *chain.Chain
// satisfies it.
type BlockSource interface {
	// BlockHashAt returns the hash of the main-chain block at height, or
	// an error wrapping chain.ErrBlockNotFound above the tip.
	BlockHashAt(height int32) (wire.Hash, error)
	// Block returns the block with the given hash.
	Block(hash wire.Hash) (*wire.Block, error)
}

// Rescan reads the main chain from height from to its tip and records the
// wallet's transactions in it, as ProcessBlockConnected does (for instance
// after ImportPrivKey or a restore from a seed). It returns the height of
// the last block read. The caller should not deliver block notifications
// while a rescan runs (the node will start it before subscribing).
func (w *Wallet) Rescan(src BlockSource, from int32) (int32, error) {
	if from < 0 {
		from = 0
	}
	last := from - 1
	for h := from; ; h++ {
		hash, err := src.BlockHashAt(h)
		if errors.Is(err, chain.ErrBlockNotFound) {
			break
		}
		if err != nil {
			return last, fmt.Errorf("wallet: rescan at height %d: %w", h, err)
		}
		b, err := src.Block(hash)
		if err != nil {
			return last, fmt.Errorf("wallet: rescan block %s: %w", hash, err)
		}
		w.mu.Lock()
		if w.closed {
			w.mu.Unlock()
			return last, ErrClosed
		}
		if w.connectLocked(b, h) {
			w.dirty = true
		}
		w.mu.Unlock()
		last = h
	}
	w.log.Info("wallet rescan done", "from", from, "to", last)
	return last, w.Flush()
}

// view is a snapshot of which records count: confirmed ones, and
// unconfirmed ones in the mempool that no confirmed transaction conflicts
// with. The caller holds mu.
type view struct {
	w       *Wallet
	active  map[wire.Hash]bool
	spent   map[wire.OutPoint]bool
	trusted map[wire.Hash]int8 // 0 unknown, 1 yes, 2 no
}

func (w *Wallet) newView() *view {
	v := &view{w: w, active: make(map[wire.Hash]bool), spent: make(map[wire.OutPoint]bool), trusted: make(map[wire.Hash]int8)}
	for id, r := range w.txs {
		if r.block != nil {
			v.active[id] = true
		} else if r.inMempool && !w.conflicted(r) {
			v.active[id] = true
		}
	}
	for id := range v.active {
		r := w.txs[id]
		if r.tx.IsCoinBase() {
			continue
		}
		for _, in := range r.tx.TxIn {
			v.spent[in.PreviousOutPoint] = true
		}
	}
	return v
}

// conflicted reports whether a confirmed transaction spends an input of
// the unconfirmed r.
func (w *Wallet) conflicted(r *txRecord) bool {
	if r.block != nil || r.tx.IsCoinBase() {
		return false
	}
	for _, in := range r.tx.TxIn {
		for _, other := range w.spentBy[in.PreviousOutPoint] {
			if o := w.txs[other]; other != r.txid && o != nil && o.block != nil {
				return true
			}
		}
	}
	return false
}

func (v *view) confirmations(r *txRecord) int32 {
	if r.block == nil {
		if !r.tx.IsCoinBase() && v.w.conflicted(r) {
			return -1
		}
		return 0
	}
	return v.w.tipHeight - r.block.Height + 1
}

// isTrusted is Core's CachedTxIsTrusted: confirmed, or in the mempool with
// every input spending a trusted wallet output.
func (v *view) isTrusted(r *txRecord) bool {
	if !v.active[r.txid] {
		return false
	}
	if r.block != nil {
		return true
	}
	switch v.trusted[r.txid] {
	case 1:
		return true
	case 2:
		return false
	}
	v.trusted[r.txid] = 2 // guards against cycles, which valid txs cannot form
	for _, in := range r.tx.TxIn {
		prev := v.w.txs[in.PreviousOutPoint.Hash]
		if prev == nil || int(in.PreviousOutPoint.Index) >= len(prev.tx.TxOut) {
			return false
		}
		if _, mine := v.w.scripts[string(prev.tx.TxOut[in.PreviousOutPoint.Index].PkScript)]; !mine || !v.isTrusted(prev) {
			return false
		}
	}
	v.trusted[r.txid] = 1
	return true
}

func (v *view) immature(r *txRecord) bool {
	return r.tx.IsCoinBase() && v.confirmations(r) < consensus.CoinbaseMaturity
}

// Balances returns the wallet's balances by confirmation.
func (w *Wallet) Balances() Balances {
	w.mu.Lock()
	defer w.mu.Unlock()
	v := w.newView()
	var b Balances
	for id := range v.active {
		r := w.txs[id]
		for i, out := range r.tx.TxOut {
			if _, mine := w.scripts[string(out.PkScript)]; !mine || v.spent[wire.OutPoint{Hash: id, Index: uint32(i)}] {
				continue
			}
			switch {
			case v.immature(r):
				b.Immature += out.Value
			case v.isTrusted(r):
				b.Trusted += out.Value
			default:
				b.UntrustedPending += out.Value
			}
		}
	}
	return b
}

// ListUnspent returns the wallet's spendable outputs with minConf to
// maxConf confirmations (listunspent), immature coinbase outputs excluded,
// ordered by confirmations (most first) then outpoint.
func (w *Wallet) ListUnspent(minConf, maxConf int32) []Unspent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.listUnspentLocked(minConf, maxConf)
}

// listUnspentLocked is ListUnspent for a caller that holds mu.
func (w *Wallet) listUnspentLocked(minConf, maxConf int32) []Unspent {
	v := w.newView()
	var out []Unspent
	addrs := make(map[string]string) // script → address, each encoded once
	for id := range v.active {
		r := w.txs[id]
		if v.immature(r) {
			continue
		}
		conf := v.confirmations(r)
		if conf < minConf || conf > maxConf {
			continue
		}
		for i, o := range r.tx.TxOut {
			op := wire.OutPoint{Hash: id, Index: uint32(i)}
			if _, mine := w.scripts[string(o.PkScript)]; !mine || v.spent[op] {
				continue
			}
			u := Unspent{OutPoint: op, PkScript: append([]byte(nil), o.PkScript...), Amount: o.Value,
				Confirmations: conf, Coinbase: r.tx.IsCoinBase(), Change: w.isChange(o.PkScript), Safe: v.isTrusted(r)}
			addr, seen := addrs[string(o.PkScript)]
			if !seen {
				if a, ok := address.FromScript(o.PkScript, w.prefixes); ok {
					addr = a.String()
				}
				addrs[string(o.PkScript)] = addr
			}
			u.Address = addr
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b Unspent) int {
		if a.Confirmations != b.Confirmations {
			return cmp.Compare(b.Confirmations, a.Confirmations)
		}
		if a.OutPoint.Hash != b.OutPoint.Hash {
			if displayLess(a.OutPoint.Hash, b.OutPoint.Hash) {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.OutPoint.Index, b.OutPoint.Index)
	})
	return out
}

// Transaction returns the wallet's view of one of its transactions
// (gettransaction), or ErrTxNotFound.
func (w *Wallet) Transaction(txid wire.Hash) (*TxDetails, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.txs[txid]
	if r == nil {
		return nil, fmt.Errorf("wallet: %s: %w", txid, ErrTxNotFound)
	}
	return w.details(w.newView(), r), nil
}

// Transactions returns every wallet transaction in the order the wallet
// learnt of them (listtransactions reads it from the end).
func (w *Wallet) Transactions() []*TxDetails {
	w.mu.Lock()
	defer w.mu.Unlock()
	v := w.newView()
	var out []*TxDetails
	for _, r := range w.sorted() {
		out = append(out, w.details(v, r))
	}
	return out
}

func (w *Wallet) details(v *view, r *txRecord) *TxDetails {
	d := &TxDetails{TxID: r.txid, Tx: r.tx.Copy(), Confirmations: v.confirmations(r), InMempool: r.inMempool,
		TimeReceived: r.timeReceived, Trusted: v.isTrusted(r), Generated: r.tx.IsCoinBase()}
	if r.block != nil {
		b := *r.block
		d.Block = &b
	}
	var debit, credit, valueOut int64
	allFromMe := !r.tx.IsCoinBase()
	if !r.tx.IsCoinBase() {
		for _, in := range r.tx.TxIn {
			prev := w.txs[in.PreviousOutPoint.Hash]
			if prev == nil || int(in.PreviousOutPoint.Index) >= len(prev.tx.TxOut) {
				allFromMe = false
				continue
			}
			po := prev.tx.TxOut[in.PreviousOutPoint.Index]
			if _, mine := w.scripts[string(po.PkScript)]; mine {
				debit += po.Value
			} else {
				allFromMe = false
			}
		}
	}
	for _, o := range r.tx.TxOut {
		valueOut += o.Value
		if _, mine := w.scripts[string(o.PkScript)]; mine {
			credit += o.Value
		}
	}
	fromMe := debit > 0
	if allFromMe && fromMe {
		d.Fee, d.HasFee = valueOut-debit, true
	}
	d.Amount = credit - debit - d.Fee
	for i, o := range r.tx.TxOut {
		_, mine := w.scripts[string(o.PkScript)]
		addr := ""
		if a, ok := address.FromScript(o.PkScript, w.prefixes); ok {
			addr = a.String()
		}
		if fromMe && !w.isChange(o.PkScript) {
			d.Entries = append(d.Entries, TxEntry{Category: CategorySend, Address: addr, Amount: -o.Value, Vout: uint32(i), Fee: d.Fee})
		}
		if !mine || (fromMe && w.isChange(o.PkScript)) {
			continue
		}
		cat := CategoryReceive
		if r.tx.IsCoinBase() {
			switch {
			case r.block == nil:
				cat = CategoryOrphan
			case v.immature(r):
				cat = CategoryImmature
			default:
				cat = CategoryGenerate
			}
		}
		d.Entries = append(d.Entries, TxEntry{Category: cat, Address: addr, Amount: o.Value, Vout: uint32(i)})
	}
	return d
}

// displayLess orders hashes as their display-order hex strings sort,
// without encoding them: display order is the bytes reversed.
func displayLess(a, b wire.Hash) bool {
	for i := wire.HashSize - 1; i >= 0; i-- {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
