package mempool

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// PeerID identifies the peer a transaction came from, for orphan accounting.
// Zero means the node itself (RPC).
type PeerID uint64

// AcceptOptions tune one acceptance.
type AcceptOptions struct {
	// MaxFeeRate, in base units per kvB, rejects a transaction paying a
	// higher base fee rate ("max-fee-exceeded"); 0 means no limit. The
	// RPC layer passes sendrawtransaction's maxfeerate here.
	MaxFeeRate int64
	// TestOnly runs every check but adds nothing (testmempoolaccept).
	TestOnly bool
	// Local marks a transaction submitted by the node's user: it counts as
	// unbroadcast until MarkBroadcast.
	Local bool
	// AllowOrphan keeps a transaction with missing inputs in the orphan
	// pool, on behalf of Peer (P2P relay).
	AllowOrphan bool
	// Peer is the peer the transaction came from.
	Peer PeerID
}

// AcceptResult describes an accepted transaction.
type AcceptResult struct {
	TxID wire.Hash
	// Fee is the base fee; Size the serialized (and virtual) size.
	Fee  int64
	Size int64
	// Replaced are the pool transactions it evicted (BIP125).
	Replaced []*wire.Tx
	// Orphans are orphan transactions accepted because this one arrived,
	// in acceptance order, for relay.
	Orphans []*wire.Tx
}

// acceptArgs are the internal variants of acceptance.
type acceptArgs struct {
	AcceptOptions
	bypassLimits bool      // re-added from a disconnected block: no fee floor, no trimming
	entryTime    time.Time // zero: now
}

// Accept validates tx against the chain's tip and the pool and adds it
// (Core's AcceptToMemoryPool), then retries orphans that spend it.
// A refusal is a *RejectError; other errors are chain storage failures.
// It takes the pool's lock.
func (p *Pool) Accept(tx *wire.Tx, opts AcceptOptions) (*AcceptResult, error) {
	p.warmSigCache(tx)
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.cfg.Now()
	res, err := p.accept(tx, acceptArgs{AcceptOptions: opts}, now)
	if err != nil {
		if re, ok := IsReject(err); ok && re.Orphan && opts.AllowOrphan && !opts.TestOnly {
			p.addOrphan(tx, opts.Peer, now)
		}
		return nil, err
	}
	if !opts.TestOnly {
		res.Orphans = p.processOrphans(tx, now)
	}
	return res, nil
}

// accept runs the checks and, unless TestOnly, adds the transaction. It is
// called with mu held.
func (p *Pool) accept(tx *wire.Tx, args acceptArgs, now time.Time) (*AcceptResult, error) {
	res, err := p.acceptChecked(tx, args, now)
	if err != nil {
		if re, ok := IsReject(err); ok {
			if p.cfg.Observer != nil {
				reason := re.Reason
				if i := strings.IndexByte(reason, '('); i > 0 {
					reason = strings.TrimSpace(reason[:i])
				}
				p.cfg.Observer.Rejected(reason)
			}
			p.log.Debug("transaction rejected", "txid", tx.TxHash(), "reason", re.Error())
		}
		return nil, err
	}
	if !args.TestOnly {
		if p.cfg.Observer != nil {
			p.cfg.Observer.Accepted(res.TxID, tx, res.Fee, res.Size)
		}
		p.log.Debug("transaction accepted", "txid", res.TxID, "fee", res.Fee, "size", res.Size,
			"pool_size", len(p.entries))
	}
	return res, nil
}

func (p *Pool) acceptChecked(tx *wire.Tx, args acceptArgs, now time.Time) (*AcceptResult, error) {
	if err := consensus.CheckTransactionSanity(tx); err != nil {
		return nil, fromRuleError(err)
	}
	if tx.IsCoinBase() {
		return nil, &RejectError{Reason: ReasonCoinbase, Consensus: true}
	}
	size := int64(tx.SerializeSize())
	if re := p.checkStandardTx(tx, int(size)); re != nil {
		return nil, re
	}
	best := p.chain.Best()
	nextHeight := int64(best.Height) + 1
	if !consensus.IsFinalTx(tx, nextHeight, int64(best.MedianTime)) {
		return nil, reject(ReasonNonFinal, "")
	}
	txid := tx.TxHash()
	if _, ok := p.entries[txid]; ok {
		return nil, reject(ReasonAlreadyInMempool, "")
	}

	// Direct conflicts: pool transactions spending the same outputs.
	var conflicts []*entry
	conflictSet := make(map[*entry]struct{})
	for _, in := range tx.TxIn {
		c, ok := p.spent[in.PreviousOutPoint]
		if !ok {
			continue
		}
		if _, seen := conflictSet[c]; seen {
			continue
		}
		if !p.cfg.FullRBF && !p.replaceable(c) {
			return nil, reject(ReasonMempoolConflict, "")
		}
		conflictSet[c] = struct{}{}
		conflicts = append(conflicts, c)
	}

	// The outputs spent, from the pool or the chain.
	coins := make([]consensus.SpentCoin, len(tx.TxIn))
	fromPool := make([]bool, len(tx.TxIn))
	missing := false
	spendsCoinbase := false
	for i, in := range tx.TxIn {
		op := in.PreviousOutPoint
		if parent, ok := p.entries[op.Hash]; ok {
			if int(op.Index) >= len(parent.tx.TxOut) {
				missing = true
				continue
			}
			out := parent.tx.TxOut[op.Index]
			coins[i] = consensus.SpentCoin{Value: out.Value, PkScript: out.PkScript, Height: nextHeight}
			fromPool[i] = true
			continue
		}
		c, err := p.chain.Coin(op)
		if err != nil {
			return nil, fmt.Errorf("mempool: looking up %v: %w", op, err)
		}
		if c == nil {
			missing = true
			continue
		}
		coins[i] = consensus.SpentCoin{Value: c.Value, PkScript: c.PkScript, Height: int64(c.Height), IsCoinBase: c.Coinbase}
		spendsCoinbase = spendsCoinbase || c.Coinbase
	}
	if missing {
		for i := range tx.TxOut {
			c, err := p.chain.Coin(wire.OutPoint{Hash: txid, Index: uint32(i)})
			if err != nil {
				return nil, fmt.Errorf("mempool: looking up %v:%d: %w", txid, i, err)
			}
			if c != nil {
				return nil, &RejectError{Reason: ReasonAlreadyKnown, AlreadyKnown: true}
			}
		}
		return nil, &RejectError{Reason: ReasonMissingInputs, Orphan: true}
	}

	// BIP68 for the next block.
	seqInputs, err := p.sequenceLockInputs(tx, coins, fromPool, best)
	if err != nil {
		return nil, err
	}
	if err := consensus.CheckSequenceLock(tx, seqInputs, nextHeight, int64(best.MedianTime)); err != nil {
		if _, ok := consensus.IsRuleError(err); ok {
			return nil, &RejectError{Reason: ReasonNonBIP68Final, Err: err}
		}
		return nil, fmt.Errorf("mempool: sequence locks: %w", err)
	}

	fee, err := consensus.CheckTransactionInputs(tx, coins, nextHeight)
	if err != nil {
		return nil, fromRuleError(err)
	}
	if !areInputsStandard(tx, coins) {
		return nil, reject(ReasonNonstandardInputs, "")
	}
	modFee := fee + p.deltas[txid]

	p2shOps, err := consensus.CountP2SHSigOps(tx, coins)
	if err != nil {
		return nil, fromRuleError(err)
	}
	sigOps := consensus.CountLegacySigOps(tx) + p2shOps
	if sigOps > MaxStandardTxSigOps {
		return nil, reject(ReasonTooManySigOps, "%d", sigOps)
	}

	if !args.bypassLimits {
		if minFee := feeFor(p.minFeeRate(now), size); minFee > 0 && modFee < minFee {
			return nil, reject(ReasonMempoolMinFee, "%d < %d", modFee, minFee)
		}
		if relay := feeFor(p.cfg.MinRelayFee, size); modFee < relay {
			return nil, reject(ReasonMinRelayFee, "%d < %d", modFee, relay)
		}
	}
	if args.MaxFeeRate > 0 {
		if maxFee := feeFor(args.MaxFeeRate, size); fee > maxFee {
			return nil, reject(ReasonMaxFeeExceeded, "%d > %d", fee, maxFee)
		}
	}

	// Ancestors and chain limits. A replacement of a single transaction
	// may use the descendant room that transaction's package frees, as
	// Core allows.
	descLimit, descSizeLimit := int64(p.cfg.DescendantLimit), p.cfg.DescendantSizeLimit
	if len(conflicts) == 1 {
		descLimit += conflicts[0].descCount
		descSizeLimit += conflicts[0].descSize
	}
	ancestors, re := p.checkAncestors(tx, size, descLimit, descSizeLimit)
	if re != nil {
		return nil, re
	}
	for a := range ancestors {
		if _, ok := conflictSet[a]; ok {
			return nil, reject(ReasonSpendsConflicting, "%s spends conflicting transaction %s", txid, a.txid)
		}
	}

	var evicted map[*entry]struct{}
	if len(conflicts) > 0 {
		evicted, re = p.checkReplacement(tx, txid, size, modFee, conflicts)
		if re != nil {
			return nil, re
		}
	}

	if err := p.checkScripts(tx, coins); err != nil {
		return nil, err
	}

	res := &AcceptResult{TxID: txid, Fee: fee, Size: size}
	if args.TestOnly {
		return res, nil
	}

	for e := range evicted {
		res.Replaced = append(res.Replaced, e.tx)
	}
	if len(evicted) > 0 {
		p.log.Info("replaced transactions", "txid", txid, "replaced", len(evicted))
		p.removeSet(evicted)
	}
	t := args.entryTime
	if t.IsZero() {
		t = now
	}
	e := &entry{
		tx: tx, txid: txid, size: size, fee: fee, delta: p.deltas[txid], time: t,
		height: best.Height, sigOps: sigOps, usage: entryUsage(tx), spendsCoinbase: spendsCoinbase,
	}
	p.addEntry(e)
	if args.Local {
		p.unbroadcast[txid] = struct{}{}
	}
	if !args.bypassLimits {
		p.limitSize(now)
		if _, ok := p.entries[txid]; !ok {
			return nil, reject(ReasonMempoolFull, "")
		}
	}
	return res, nil
}

// replaceable reports whether e or one of its in-pool ancestors signals
// BIP125 replaceability (BIP125's inherited signalling).
func (p *Pool) replaceable(e *entry) bool {
	if signalsRBF(e.tx) {
		return true
	}
	for a := range e.ancestors() {
		if signalsRBF(a.tx) {
			return true
		}
	}
	return false
}

// sequenceLockInputs describes, for BIP68, the outputs tx spends. The median
// time past of a coin's block is looked up only for inputs with time-based
// relative locks.
func (p *Pool) sequenceLockInputs(tx *wire.Tx, coins []consensus.SpentCoin, fromPool []bool, best chain.BestState) ([]consensus.SequenceLockInput, error) {
	in := make([]consensus.SequenceLockInput, len(tx.TxIn))
	for i, txIn := range tx.TxIn {
		if fromPool[i] {
			in[i] = consensus.SequenceLockInput{Height: int64(best.Height) + 1, PrevMedianTime: int64(best.MedianTime)}
			continue
		}
		in[i].Height = coins[i].Height
		if tx.Version >= 2 && txIn.Sequence&consensus.SequenceLockTimeDisabled == 0 &&
			txIn.Sequence&consensus.SequenceLockTimeIsSeconds != 0 {
			h := coins[i].Height - 1
			if h < 0 {
				h = 0
			}
			mtp, err := p.medianTimeAt(int32(h))
			if err != nil {
				return nil, err
			}
			in[i].PrevMedianTime = mtp
		}
	}
	return in, nil
}

func (p *Pool) medianTimeAt(height int32) (int64, error) {
	hash, err := p.chain.BlockHashAt(height)
	if err != nil {
		return 0, fmt.Errorf("mempool: block at height %d: %w", height, err)
	}
	info, err := p.chain.BlockInfo(hash)
	if err != nil {
		return 0, fmt.Errorf("mempool: block %s: %w", hash, err)
	}
	return int64(info.MedianTime), nil
}

// checkAncestors computes tx's in-pool ancestors and applies the chain
// limits with Core's messages (CalculateMemPoolAncestors).
func (p *Pool) checkAncestors(tx *wire.Tx, size, descLimit, descSizeLimit int64) (map[*entry]struct{}, *RejectError) {
	ancestors := make(map[*entry]struct{})
	staged := make(map[*entry]struct{})
	for _, in := range tx.TxIn {
		if parent, ok := p.entries[in.PreviousOutPoint.Hash]; ok {
			staged[parent] = struct{}{}
		}
	}
	ancLimit := int64(p.cfg.AncestorLimit)
	if int64(len(staged))+1 > ancLimit {
		return nil, reject(ReasonTooLongChain, "too many unconfirmed parents [limit: %d]", ancLimit)
	}
	total := size
	for len(staged) > 0 {
		var a *entry
		for a = range staged {
			break
		}
		delete(staged, a)
		ancestors[a] = struct{}{}
		total += a.size
		switch {
		case a.descSize+size > descSizeLimit:
			return nil, reject(ReasonTooLongChain, "exceeds descendant size limit for tx %s [limit: %d]", a.txid, descSizeLimit)
		case a.descCount+1 > descLimit:
			return nil, reject(ReasonTooLongChain, "too many descendants for tx %s [limit: %d]", a.txid, descLimit)
		case total > p.cfg.AncestorSizeLimit:
			return nil, reject(ReasonTooLongChain, "exceeds ancestor size limit [limit: %d]", p.cfg.AncestorSizeLimit)
		}
		for parent := range a.parents {
			if _, ok := ancestors[parent]; !ok {
				staged[parent] = struct{}{}
			}
		}
		if int64(len(staged)+len(ancestors))+1 > ancLimit {
			return nil, reject(ReasonTooLongChain, "too many unconfirmed ancestors [limit: %d]", ancLimit)
		}
	}
	return ancestors, nil
}

// checkReplacement applies BIP125's rules 2 to 6 as Core does
// (ReplacementChecks) and returns the entries the replacement evicts.
func (p *Pool) checkReplacement(tx *wire.Tx, txid wire.Hash, size, modFee int64, conflicts []*entry) (map[*entry]struct{}, *RejectError) {
	// Rule 6: a higher fee rate than every direct conflict.
	newRate := feeRate(modFee, size)
	for _, c := range conflicts {
		if old := feeRate(c.modFee(), c.size); newRate <= old {
			return nil, reject(ReasonInsufficientFee, "rejecting replacement %s; new feerate %s <= old feerate %s",
				txid, formatFeeRate(newRate), formatFeeRate(old))
		}
	}
	// Rule 5: at most MaxReplacementEvictions evicted.
	var n int64
	for _, c := range conflicts {
		n += c.descCount
	}
	if n > MaxReplacementEvictions {
		return nil, reject(ReasonTooManyReplacements, "rejecting replacement %s; too many potential replacements (%d > %d)",
			txid, n, MaxReplacementEvictions)
	}
	all := withDescendants(conflicts...)
	// Rule 2: no new unconfirmed inputs.
	conflictParents := make(map[wire.Hash]struct{})
	for _, c := range conflicts {
		for _, in := range c.tx.TxIn {
			conflictParents[in.PreviousOutPoint.Hash] = struct{}{}
		}
	}
	for j, in := range tx.TxIn {
		h := in.PreviousOutPoint.Hash
		if _, ok := conflictParents[h]; ok {
			continue
		}
		if _, ok := p.entries[h]; ok {
			return nil, reject(ReasonReplacementAddsUnconf, "replacement %s adds unconfirmed input, idx %d", txid, j)
		}
	}
	// Rules 3 and 4: pay for everything evicted, and for its own relay.
	var oldFees int64
	for e := range all {
		oldFees += e.modFee()
	}
	if modFee < oldFees {
		return nil, reject(ReasonInsufficientFee, "rejecting replacement %s, less fees than conflicting txs; %s < %s",
			txid, formatMoney(modFee), formatMoney(oldFees))
	}
	if extra, relay := modFee-oldFees, feeFor(p.cfg.IncrementalRelayFee, size); extra < relay {
		return nil, reject(ReasonInsufficientFee, "rejecting replacement %s, not enough additional fees to relay; %s < %s",
			txid, formatMoney(extra), formatMoney(relay))
	}
	return all, nil
}

// checkScripts verifies every input under the standard flags, filling the
// signature cache; on failure it tells policy failures from consensus ones
// by verifying again under the mandatory flags, as Core does.
func (p *Pool) checkScripts(tx *wire.Tx, coins []consensus.SpentCoin) error {
	for i := range tx.TxIn {
		err := script.VerifyInput(tx, i, coins[i].PkScript, script.StandardVerifyFlags, p.cfg.SigCache)
		if err == nil {
			continue
		}
		var se *script.Error
		if !errors.As(err, &se) {
			return fmt.Errorf("mempool: verifying input %d: %w", i, err)
		}
		if merr := script.VerifyInput(tx, i, coins[i].PkScript, script.MandatoryVerifyFlags, p.cfg.SigCache); merr != nil {
			return &RejectError{
				Reason:    fmt.Sprintf("%s (%s)", ReasonMandatoryScript, scriptErrorString(merr)),
				Consensus: true, Err: merr,
			}
		}
		return &RejectError{
			Reason: fmt.Sprintf("%s (%s)", ReasonNonMandatoryScript, scriptErrorString(err)),
			Err:    err,
		}
	}
	return nil
}

// warmSigCache verifies tx's signatures before Accept takes the pool's
// lock, so that concurrent submissions verify on every core and the checks
// under the lock find them in the signature cache. It changes nothing
// else: the checks under the lock still run in full (a signature verified
// here against a spent output's script counts only if the script is the
// one the locked check finds, since the cache key covers the signature
// hash). Without a signature cache it does nothing. It takes the pool's
// lock briefly to read unconfirmed parents.
func (p *Pool) warmSigCache(tx *wire.Tx) {
	if p.cfg.SigCache == nil || tx.IsCoinBase() {
		return
	}
	for i, in := range tx.TxIn {
		op := in.PreviousOutPoint
		var pkScript []byte
		p.mu.Lock()
		if parent, ok := p.entries[op.Hash]; ok && int(op.Index) < len(parent.tx.TxOut) {
			pkScript = parent.tx.TxOut[op.Index].PkScript
		}
		p.mu.Unlock()
		if pkScript == nil {
			coin, err := p.chain.Coin(op)
			if err != nil || coin == nil {
				return // the locked checks give the reason
			}
			pkScript = coin.PkScript
		}
		if script.VerifyInput(tx, i, pkScript, script.StandardVerifyFlags, p.cfg.SigCache) != nil {
			return
		}
	}
}
