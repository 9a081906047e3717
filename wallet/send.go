package wallet

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// Fee and size constants of the wallet's transactions, in base units and
// bytes. Rates are per 1000 bytes (kvB), as everywhere in nodecoin.
const (
	// FallbackFeeRate is the fee rate the wallet uses when the caller gives
	// none (SendOptions.FeeRate 0), meant for when estimatesmartfee has no
	// data: Bitcoin Core's -fallbackfee. Core ships it disabled on main
	// (0) and 20000 sat/kvB on test networks; nodecoin uses 20000 on every
	// network, so a fresh node can send at once, possibly overpaying —
	// the RPC layer should prefer an estimate when it has one.
	FallbackFeeRate = 20_000
	// MinRelayFeeRate is the lowest fee rate the wallet accepts for a
	// transaction, the mempool's DefaultMinRelayFee: below it the node
	// would not relay the transaction.
	MinRelayFeeRate = 1000
	// IncrementalRelayFeeRate is the rate by which a replacement must raise
	// its fee rate, and (times its size) its absolute fee (BIP125 rule 4),
	// the mempool's DefaultIncrementalRelayFee.
	IncrementalRelayFeeRate = 1000
	// DustRelayFeeRate is the rate behind the dust threshold, the mempool's
	// DefaultDustRelayFee.
	DustRelayFeeRate = 3000
	// MaxTxFee is the largest fee the wallet puts on a transaction, 0.1
	// coin (Core's -maxtxfee default).
	MaxTxFee = consensus.Coin / 10
	// P2PKHInputSize is the signed size of an input spending a P2PKH output
	// of a compressed key, at most: outpoint 36, script length 1, a 72-byte
	// low-S signature with its hash type and a 33-byte key with their push
	// opcodes 107, sequence 4.
	P2PKHInputSize = 148
	// P2PKHOutputSize is the size of a P2PKH output: value 8, script
	// length 1, script 25.
	P2PKHOutputSize = 34
	// TxOverheadSize is the size of a transaction's version, lock time and
	// input and output counts with fewer than 253 of each.
	TxOverheadSize = 10
	// uncompressedInputSize is P2PKHInputSize with a 65-byte key, for
	// imported uncompressed keys.
	uncompressedInputSize = P2PKHInputSize + 32
	// maxStandardTxSize is the mempool's MaxStandardTxSize.
	maxStandardTxSize = 100_000
)

// Sequence numbers the wallet puts on its inputs.
const (
	// SequenceReplaceable signals BIP125 replaceability.
	SequenceReplaceable uint32 = 0xfffffffd
	// SequenceFinal is the highest sequence that still enforces the lock
	// time, used when the transaction is not replaceable.
	SequenceFinal uint32 = 0xfffffffe
)

// Errors of sending (wrapped; test with errors.Is). Their texts are Bitcoin
// Core's messages, so the RPC layer can return a sentinel's Error() as the
// message.
var (
	// ErrInsufficientFunds reports that the spendable coins do not cover
	// the amounts and the fee (Core's RPC_WALLET_INSUFFICIENT_FUNDS).
	ErrInsufficientFunds = errors.New("Insufficient funds")
	// ErrAmountTooSmall reports a recipient amount that is not positive or
	// is below the dust threshold of its output.
	ErrAmountTooSmall = errors.New("Transaction amount too small")
	// ErrInvalidAmount reports an amount above the money supply.
	ErrInvalidAmount = errors.New("Amount out of range")
	// ErrNoRecipients reports a transaction without recipients.
	ErrNoRecipients = errors.New("Transaction must have at least one recipient")
	// ErrInvalidRecipient reports a recipient without an address or with an
	// address of another network.
	ErrInvalidRecipient = errors.New("Invalid address")
	// ErrAmountTooSmallForFee reports recipients that pay the fee
	// (SubtractFee) whose amounts cannot cover it.
	ErrAmountTooSmallForFee = errors.New("The transaction amount is too small to pay the fee")
	// ErrFeeRateTooLow reports a fee rate below the minimum relay fee rate,
	// or a bump below the old rate plus the incremental relay fee rate.
	ErrFeeRateTooLow = errors.New("Fee rate is too low")
	// ErrFeeTooHigh reports a fee above MaxTxFee.
	ErrFeeTooHigh = errors.New("Fee exceeds maximum configured by -maxtxfee")
	// ErrTxTooLarge reports a transaction above the standard size limit.
	ErrTxTooLarge = errors.New("Transaction too large")
	// ErrNotReplaceable reports a bump of a transaction that does not
	// signal BIP125 replaceability.
	ErrNotReplaceable = errors.New("Transaction is not BIP 125 replaceable")
	// ErrTxConfirmed reports a bump of a mined transaction or of one that
	// conflicts with a mined transaction.
	ErrTxConfirmed = errors.New("Transaction has been mined, or is conflicted with a mined transaction")
	// ErrNoChangeOutput reports a bump of a transaction without a change
	// output to take the extra fee from.
	ErrNoChangeOutput = errors.New("Transaction does not have a change output")
	// ErrMultipleChangeOutputs reports a bump of a transaction with more
	// than one change output.
	ErrMultipleChangeOutputs = errors.New("Transaction has multiple change outputs")
	// ErrChangeTooSmall reports a bump whose extra fee exceeds the change.
	ErrChangeTooSmall = errors.New("Change output is too small to bump the fee")
	// ErrForeignInputs reports a bump of a transaction spending coins that
	// are not the wallet's.
	ErrForeignInputs = errors.New("Transaction contains inputs that don't belong to this wallet")
	// ErrHasDescendants reports a bump of a transaction whose outputs a
	// wallet transaction spends (the replacement would evict it).
	ErrHasDescendants = errors.New("Transaction has descendants in the wallet")
	// ErrAlreadyBumped reports a bump of a transaction that another active
	// wallet transaction already replaces.
	ErrAlreadyBumped = errors.New("Transaction was already bumped or replaced")
	// ErrInputNotFound reports an input whose spent output is neither the
	// wallet's nor given by the caller (signrawtransactionwithwallet).
	ErrInputNotFound = errors.New("Input not found or already spent")
	// ErrCannotSign reports an input the wallet has no key for and whose
	// scriptSig does not verify.
	ErrCannotSign = errors.New("Unable to sign input")
	// ErrPrevoutMismatch reports a caller-given previous output script that
	// differs from the wallet's record of that output.
	ErrPrevoutMismatch = errors.New("Previous output scriptPubKey mismatch")
)

// Recipient is one payment of a transaction the wallet creates.
type Recipient struct {
	// Address is where the payment goes; it must belong to the wallet's
	// network.
	Address address.Address
	// Amount is the payment in base units: positive and not dust.
	Amount int64
	// SubtractFee takes the fee out of this payment (Core's
	// subtractfeefromamount); the fee is split evenly among the recipients
	// that set it, the first of them paying the remainder.
	SubtractFee bool
}

// SendOptions tune CreateTransaction.
type SendOptions struct {
	// FeeRate is the fee rate in base units per 1000 bytes; 0 means
	// FallbackFeeRate. It must be at least MinRelayFeeRate.
	FeeRate int64
	// Replaceable signals BIP125 replaceability (every input's sequence
	// 0xfffffffd, else 0xfffffffe). The RPC layer defaults it to true, as
	// Core's -walletrbf does.
	Replaceable bool
	// MinConf is the fewest confirmations a spent coin needs. 0 and 1 mean
	// the same (the default): confirmed coins, and unconfirmed outputs of
	// the wallet's own mempool transactions whose inputs are all trusted
	// (change, Core's trusted rule); unconfirmed coins from others are never
	// spent. 2 or more admits only coins with that many confirmations.
	// Confirmed coins are tried first, as Core does.
	MinConf int
}

// InputError is an input of SignRawTransaction that is not validly signed
// (an entry of signrawtransactionwithwallet's "errors").
type InputError struct {
	// Index is the input's position.
	Index int
	// OutPoint is the output the input spends.
	OutPoint wire.OutPoint
	// SignatureScript is the input's scriptSig after signing.
	SignatureScript []byte
	// Sequence is the input's sequence number.
	Sequence uint32
	// Err says why: wraps ErrInputNotFound, ErrCannotSign, ErrLocked or a
	// script error.
	Err error
}

// Error returns the reason, as Core's "error" field.
func (e InputError) Error() string { return e.Err.Error() }

// Unwrap returns the reason.
func (e InputError) Unwrap() error { return e.Err }

// feeFor returns the fee a rate asks of size bytes, as Core's
// CFeeRate::GetFee and the mempool: truncated, at least 1 for a positive
// rate.
func feeFor(perKvB, size int64) int64 {
	fee := perKvB * size / 1000
	if fee == 0 && size > 0 && perKvB > 0 {
		fee = 1
	}
	return fee
}

// feeCeil returns rate × size rounded up; sums of it bound feeFor of the
// summed size from above.
func feeCeil(perKvB, size int64) int64 { return (perKvB*size + 999) / 1000 }

// feeRateOf returns fee per kvB for size bytes, as Core's CFeeRate(fee,
// size).
func feeRateOf(fee, size int64) int64 {
	if size <= 0 {
		return 0
	}
	return fee * 1000 / size
}

// outputSize returns the serialized size of an output paying pkScript.
func outputSize(pkScript []byte) int64 {
	return 8 + int64(wire.CompactSizeLen(uint64(len(pkScript)))) + int64(len(pkScript))
}

// DustThreshold returns the smallest amount an output paying pkScript may
// carry under the mempool's dust rule (Core's GetDustThreshold, non-segwit):
// (output size + 148) × DustRelayFeeRate / 1000, 546 for P2PKH; 0 for
// provably unspendable scripts.
func DustThreshold(pkScript []byte) int64 {
	if script.IsUnspendable(pkScript) {
		return 0
	}
	return feeFor(DustRelayFeeRate, outputSize(pkScript)+P2PKHInputSize)
}

// txSize returns the size of a transaction with inputs of the given total
// size and outputs of the given total size.
func txSize(nIn, nOut int, inSize, outSize int64) int64 {
	return 8 + int64(wire.CompactSizeLen(uint64(nIn))) + int64(wire.CompactSizeLen(uint64(nOut))) + inSize + outSize
}

// inputSizeLocked returns the largest signed size of an input spending a
// wallet output locked by pkScript. The caller holds mu.
func (w *Wallet) inputSizeLocked(pkScript []byte) int64 {
	if ref, ok := w.scripts[string(pkScript)]; ok && ref.imported && !w.imported[ref.index].compressed {
		return uncompressedInputSize
	}
	return P2PKHInputSize
}

// candidate is a coin considered for spending.
type candidate struct {
	u      Unspent
	inSize int64
	eff    int64 // value less the fee of spending it
}

// CreateTransaction builds and signs a transaction paying recipients from
// the wallet's spendable coins (sendtoaddress, sendmany). The coins are
// chosen by the rule described in coinselect.go: branch and bound for a set
// that needs no change, else the smallest coin or the largest coins that
// leave change worth keeping; change below the dust threshold (or below
// what spending it would cost) is dropped into the fee. Change goes to a
// fresh change address (NextChange) at a random position among the
// outputs; inputs are shuffled. The fee is opts.FeeRate (or
// FallbackFeeRate) times the transaction's largest signed size, estimated
// before signing (P2PKH input 148 bytes, output 34, overhead 10) and checked
// again on the signed transaction; recipients with SubtractFee pay it.
// Every input is signed (SIGHASH_ALL) and verified. The lock time is the
// wallet's tip height (Core's anti-fee-sniping).
//
// It returns the transaction and its fee. It does not broadcast: the caller
// submits the transaction to the mempool and, once accepted, hands it to
// ProcessMempoolTx, which marks the change key used and the coins spent.
// Until then the coins look unspent, so a caller must serialize creating
// and submitting transactions (as Core holds its wallet lock), or two
// transactions may spend the same coins.
//
// Errors wrap ErrNoRecipients, ErrInvalidRecipient, ErrAmountTooSmall,
// ErrInvalidAmount, ErrFeeRateTooLow, ErrLocked, ErrInsufficientFunds,
// ErrAmountTooSmallForFee, ErrFeeTooHigh, ErrTxTooLarge, ErrKeypoolRanOut
// or ErrClosed.
func (w *Wallet) CreateTransaction(recipients []Recipient, opts SendOptions) (*wire.Tx, int64, error) {
	rate := opts.FeeRate
	if rate == 0 {
		rate = FallbackFeeRate
	}
	if rate < MinRelayFeeRate {
		return nil, 0, fmt.Errorf("wallet: fee rate %d is below the minimum relay fee rate %d: %w", rate, MinRelayFeeRate, ErrFeeRateTooLow)
	}
	if len(recipients) == 0 {
		return nil, 0, fmt.Errorf("wallet: %w", ErrNoRecipients)
	}
	var (
		amounts int64
		outSize int64
		nSFFO   int
		scripts = make([][]byte, len(recipients))
	)
	for i, r := range recipients {
		if r.Address == nil || !r.Address.IsForPrefixes(w.prefixes) {
			return nil, 0, fmt.Errorf("wallet: recipient %d: %w", i, ErrInvalidRecipient)
		}
		scripts[i] = r.Address.ScriptPubKey()
		if r.Amount > consensus.MaxMoney {
			return nil, 0, fmt.Errorf("wallet: recipient %d amount %d: %w", i, r.Amount, ErrInvalidAmount)
		}
		if r.Amount <= 0 || r.Amount < DustThreshold(scripts[i]) {
			return nil, 0, fmt.Errorf("wallet: recipient %d amount %d: %w", i, r.Amount, ErrAmountTooSmall)
		}
		amounts += r.Amount
		if amounts > consensus.MaxMoney {
			return nil, 0, fmt.Errorf("wallet: total amount: %w", ErrInvalidAmount)
		}
		outSize += outputSize(scripts[i])
		if r.SubtractFee {
			nSFFO++
		}
	}
	sffo := nSFFO > 0

	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, 0, ErrClosed
	}
	if !w.unlockedLocked() {
		return nil, 0, fmt.Errorf("wallet: create transaction: %w", ErrLocked)
	}

	// Eligible coins, confirmed ones first.
	minConf := max(int32(opts.MinConf), 1)
	var confirmed, unconfirmed []candidate
	for _, u := range w.listUnspentLocked(0, 1<<30) {
		if !u.Safe {
			continue
		}
		c := candidate{u: u, inSize: w.inputSizeLocked(u.PkScript)}
		c.eff = u.Amount - feeCeil(rate, c.inSize)
		if c.eff <= 0 {
			continue // costs more to spend than it is worth
		}
		switch {
		case u.Confirmations >= minConf:
			confirmed = append(confirmed, c)
		case u.Confirmations == 0 && opts.MinConf <= 1:
			unconfirmed = append(unconfirmed, c)
		}
	}

	changeScriptSize := int64(P2PKHOutputSize)
	changeCost := feeCeil(rate, changeScriptSize)
	minChange := max(DustThreshold(foreignP2PKH), feeCeil(rate, P2PKHInputSize)+1)
	costOfChange := changeCost + feeCeil(rate, P2PKHInputSize)

	var extra int64 // raised when rounding leaves a set short of its fee
	for stage := 0; stage < 2; stage++ {
		pool := confirmed
		if stage == 1 {
			if len(unconfirmed) == 0 {
				break
			}
			pool = append(append([]candidate(nil), confirmed...), unconfirmed...)
		}
		for attempt := 0; attempt < 3; attempt++ {
			vals := make([]int64, len(pool))
			var target int64
			if sffo {
				for i, c := range pool {
					vals[i] = c.u.Amount
				}
				target = amounts + extra
			} else {
				for i, c := range pool {
					vals[i] = c.eff
				}
				target = amounts + feeCeil(rate, txSize(1, len(recipients), 0, outSize)) + extra
			}
			changeGoal := changeCost + minChange
			if sffo {
				changeGoal = minChange // the recipients pay for the change output
			}
			sel, ok := selectCoins(vals, target, costOfChange, changeGoal, !sffo)
			if !ok {
				break // try the next stage
			}
			chosen := make([]candidate, len(sel.idx))
			for i, j := range sel.idx {
				chosen[i] = pool[j]
			}
			tx, fee, short, err := w.buildLocked(chosen, recipients, scripts, nSFFO, amounts, outSize, rate, minChange, opts)
			if err != nil {
				return nil, 0, err
			}
			if short > 0 {
				extra += short
				continue
			}
			return tx, fee, nil
		}
	}
	return nil, 0, fmt.Errorf("wallet: create transaction: %w", ErrInsufficientFunds)
}

// foreignP2PKH is a P2PKH script, for the dust threshold of change.
var foreignP2PKH, _ = script.PayToPubKeyHashScript(make([]byte, 20))

// buildLocked makes, signs and checks the transaction spending chosen. When
// the chosen coins fall short of the fee (rounding, or counts of 253 and
// more) it returns the shortfall instead. The caller holds mu.
func (w *Wallet) buildLocked(chosen []candidate, recipients []Recipient, scripts [][]byte, nSFFO int,
	amounts, outSize, rate, minChange int64, opts SendOptions) (*wire.Tx, int64, int64, error) {
	var total, inSize int64
	for _, c := range chosen {
		total += c.u.Amount
		inSize += c.inSize
	}
	nOut := len(recipients)
	sizeNoChange := txSize(len(chosen), nOut, inSize, outSize)
	sizeChange := txSize(len(chosen), nOut+1, inSize, outSize+P2PKHOutputSize)
	feeNoChange, feeChange := feeFor(rate, sizeNoChange), feeFor(rate, sizeChange)

	values := make([]int64, nOut)
	for i, r := range recipients {
		values[i] = r.Amount
	}
	var change, fee int64
	if nSFFO == 0 {
		change = total - amounts - feeChange
		if change >= minChange {
			fee = feeChange
		} else {
			change = 0
			if short := feeNoChange - (total - amounts); short > 0 {
				return nil, 0, short, nil
			}
			fee = total - amounts // the excess goes to the fee
		}
	} else {
		// The recipients pay the fee: what is left over is change, unless
		// too small, when it counts toward the fee (Core's to_reduce).
		left := total - amounts
		var toReduce int64
		if left >= minChange {
			change, toReduce = left, feeChange
		} else {
			toReduce = max(feeNoChange-left, 0)
		}
		share, first := toReduce/int64(nSFFO), true
		for i, r := range recipients {
			if !r.SubtractFee {
				continue
			}
			values[i] -= share
			if first {
				values[i] -= toReduce % int64(nSFFO)
				first = false
			}
			if values[i] < DustThreshold(scripts[i]) {
				return nil, 0, 0, fmt.Errorf("wallet: recipient %d: %w", i, ErrAmountTooSmallForFee)
			}
		}
		fee = total - amounts + toReduce - change
	}
	if fee > MaxTxFee {
		return nil, 0, 0, fmt.Errorf("wallet: fee %d above %d: %w", fee, MaxTxFee, ErrFeeTooHigh)
	}
	est := sizeNoChange
	if change > 0 {
		est = sizeChange
	}
	if est > maxStandardTxSize {
		return nil, 0, 0, fmt.Errorf("wallet: %d bytes: %w", est, ErrTxTooLarge)
	}

	seq := SequenceFinal
	if opts.Replaceable {
		seq = SequenceReplaceable
	}
	tx := &wire.Tx{Version: 2}
	if w.tipHeight > 0 {
		tx.LockTime = uint32(w.tipHeight)
	}
	rand.Shuffle(len(chosen), func(i, j int) { chosen[i], chosen[j] = chosen[j], chosen[i] })
	for _, c := range chosen {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: c.u.OutPoint, Sequence: seq})
	}
	for i := range recipients {
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: values[i], PkScript: scripts[i]})
	}
	if change > 0 {
		a, err := w.nextLocked(BranchChange)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("wallet: change address: %w", err)
		}
		pos := rand.IntN(len(tx.TxOut) + 1)
		tx.TxOut = append(tx.TxOut, nil)
		copy(tx.TxOut[pos+1:], tx.TxOut[pos:])
		tx.TxOut[pos] = &wire.TxOut{Value: change, PkScript: a.ScriptPubKey()}
	}
	for i, c := range chosen {
		if err := w.signInputLocked(tx, i, c.u.PkScript); err != nil {
			return nil, 0, 0, err
		}
		if err := script.VerifyInput(tx, i, c.u.PkScript, script.StandardVerifyFlags, nil); err != nil {
			return nil, 0, 0, fmt.Errorf("wallet: signed input %d does not verify: %w", i, err)
		}
	}
	if real := int64(tx.SerializeSize()); real > est || fee < feeFor(rate, real) {
		return nil, 0, 0, fmt.Errorf("wallet: signed size %d exceeds the estimate %d", real, est)
	}
	w.log.Info("wallet transaction created", "txid", tx.TxHash(), "inputs", len(tx.TxIn), "outputs", len(tx.TxOut), "fee", fee)
	return tx, fee, 0, nil
}

// BumpFee replaces an unconfirmed wallet transaction with one paying a
// higher fee (bumpfee), by Core's rules: the transaction must be the
// wallet's (every input its coin), unconfirmed and not conflicted, signal
// BIP125, not be spent by another wallet transaction nor already replaced,
// and have exactly one change output. The new fee rate must be at least the
// old rate plus IncrementalRelayFeeRate (newFeeRate 0 means exactly that),
// and the new fee at least the old fee plus IncrementalRelayFeeRate times
// the new size (BIP125 rule 4). The extra fee comes out of the change; when
// the change would fall below the dust threshold the change output is
// dropped and all of it goes to the fee. Inputs, outputs, sequences and lock
// time are kept otherwise, and every input is signed again.
//
// It returns the replacement and the old and new fees. It does not
// broadcast: the caller submits the replacement to the mempool, then hands
// it to ProcessMempoolTx and calls RemoveMempoolTx for every transaction
// the mempool reports replaced (the original among them), so the wallet
// stops counting the original.
//
// Errors wrap ErrTxNotFound, ErrTxConfirmed, ErrNotReplaceable,
// ErrForeignInputs, ErrHasDescendants, ErrAlreadyBumped, ErrNoChangeOutput,
// ErrMultipleChangeOutputs, ErrFeeRateTooLow, ErrChangeTooSmall,
// ErrFeeTooHigh, ErrLocked or ErrClosed.
func (w *Wallet) BumpFee(txid wire.Hash, newFeeRate int64) (*wire.Tx, int64, int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, 0, 0, ErrClosed
	}
	r := w.txs[txid]
	if r == nil {
		return nil, 0, 0, fmt.Errorf("wallet: bump %s: %w", txid, ErrTxNotFound)
	}
	if r.block != nil || r.tx.IsCoinBase() || w.conflicted(r) {
		return nil, 0, 0, fmt.Errorf("wallet: bump %s: %w", txid, ErrTxConfirmed)
	}
	rbf := false
	for _, in := range r.tx.TxIn {
		rbf = rbf || in.Sequence <= SequenceReplaceable
	}
	if !rbf {
		return nil, 0, 0, fmt.Errorf("wallet: bump %s: %w", txid, ErrNotReplaceable)
	}
	v := w.newView()
	prevScripts := make([][]byte, len(r.tx.TxIn))
	var inValue, inSize int64
	for i, in := range r.tx.TxIn {
		prev := w.txs[in.PreviousOutPoint.Hash]
		if prev == nil || int(in.PreviousOutPoint.Index) >= len(prev.tx.TxOut) {
			return nil, 0, 0, fmt.Errorf("wallet: bump %s: input %d: %w", txid, i, ErrForeignInputs)
		}
		po := prev.tx.TxOut[in.PreviousOutPoint.Index]
		if _, mine := w.scripts[string(po.PkScript)]; !mine {
			return nil, 0, 0, fmt.Errorf("wallet: bump %s: input %d: %w", txid, i, ErrForeignInputs)
		}
		for _, other := range w.spentBy[in.PreviousOutPoint] {
			if other != txid && v.active[other] {
				return nil, 0, 0, fmt.Errorf("wallet: bump %s: replaced by %s: %w", txid, other, ErrAlreadyBumped)
			}
		}
		prevScripts[i] = po.PkScript
		inValue += po.Value
		inSize += w.inputSizeLocked(po.PkScript)
	}
	changeIdx := -1
	var outValue, outSize int64
	for i, o := range r.tx.TxOut {
		outValue += o.Value
		outSize += outputSize(o.PkScript)
		for _, spender := range w.spentBy[wire.OutPoint{Hash: txid, Index: uint32(i)}] {
			if v.active[spender] {
				return nil, 0, 0, fmt.Errorf("wallet: bump %s: spent by %s: %w", txid, spender, ErrHasDescendants)
			}
		}
		if w.isChange(o.PkScript) {
			if changeIdx >= 0 {
				return nil, 0, 0, fmt.Errorf("wallet: bump %s: %w", txid, ErrMultipleChangeOutputs)
			}
			changeIdx = i
		}
	}
	if changeIdx < 0 {
		return nil, 0, 0, fmt.Errorf("wallet: bump %s: %w", txid, ErrNoChangeOutput)
	}
	if !w.unlockedLocked() {
		return nil, 0, 0, fmt.Errorf("wallet: bump %s: %w", txid, ErrLocked)
	}

	oldFee := inValue - outValue
	oldRate := feeRateOf(oldFee, int64(r.tx.SerializeSize()))
	minRate := oldRate + IncrementalRelayFeeRate
	if newFeeRate == 0 {
		newFeeRate = minRate
	}
	if newFeeRate < minRate {
		return nil, 0, 0, fmt.Errorf("wallet: bump %s: new fee rate %d, must be at least %d (old %d + incremental %d): %w",
			txid, newFeeRate, minRate, oldRate, IncrementalRelayFeeRate, ErrFeeRateTooLow)
	}
	nIn, nOut := len(r.tx.TxIn), len(r.tx.TxOut)
	est := txSize(nIn, nOut, inSize, outSize)
	newFee := max(feeFor(newFeeRate, est), oldFee+feeFor(IncrementalRelayFeeRate, est))
	oldChange := r.tx.TxOut[changeIdx].Value
	newChange := oldChange - (newFee - oldFee)
	if newChange < 0 {
		return nil, 0, 0, fmt.Errorf("wallet: bump %s: change %d, extra fee %d: %w", txid, oldChange, newFee-oldFee, ErrChangeTooSmall)
	}
	tx := r.tx.Copy()
	for _, in := range tx.TxIn {
		in.SignatureScript = nil
	}
	if newChange < DustThreshold(tx.TxOut[changeIdx].PkScript) {
		if nOut == 1 {
			return nil, 0, 0, fmt.Errorf("wallet: bump %s: change is the only output: %w", txid, ErrChangeTooSmall)
		}
		tx.TxOut = append(tx.TxOut[:changeIdx], tx.TxOut[changeIdx+1:]...)
		est -= outputSize(r.tx.TxOut[changeIdx].PkScript)
		newFee = oldFee + oldChange
	} else {
		tx.TxOut[changeIdx].Value = newChange
	}
	if newFee > MaxTxFee {
		return nil, 0, 0, fmt.Errorf("wallet: bump %s: fee %d above %d: %w", txid, newFee, MaxTxFee, ErrFeeTooHigh)
	}
	for i := range tx.TxIn {
		if err := w.signInputLocked(tx, i, prevScripts[i]); err != nil {
			return nil, 0, 0, err
		}
		if err := script.VerifyInput(tx, i, prevScripts[i], script.StandardVerifyFlags, nil); err != nil {
			return nil, 0, 0, fmt.Errorf("wallet: bump %s: signed input %d does not verify: %w", txid, i, err)
		}
	}
	real := int64(tx.SerializeSize())
	if real > est || newFee < feeFor(newFeeRate, real) || newFee-oldFee < feeFor(IncrementalRelayFeeRate, real) {
		return nil, 0, 0, fmt.Errorf("wallet: bump %s: signed size %d exceeds the estimate %d", txid, real, est)
	}
	w.log.Info("wallet transaction bumped", "txid", txid, "replacement", tx.TxHash(), "old_fee", oldFee, "new_fee", newFee)
	return tx, oldFee, newFee, nil
}

// SignRawTransaction signs, in place and with SIGHASH_ALL, every input of
// tx that spends a P2PKH output of the wallet's keys
// (signrawtransactionwithwallet). The spent output's script comes from the
// wallet's records or from prevouts (caller-given scripts, which may be
// nil); a given script that contradicts the wallet's record fails the call
// with ErrPrevoutMismatch. Whether the output is still unspent is not
// checked. Afterwards every input is verified under the standard flags;
// those that fail, including inputs the wallet has no key for that are not
// already validly signed, are returned as InputErrors, and complete is true
// when there are none. A locked wallet fails with ErrLocked.
func (w *Wallet) SignRawTransaction(tx *wire.Tx, prevouts map[wire.OutPoint][]byte) (bool, []InputError, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return false, nil, ErrClosed
	}
	if !w.unlockedLocked() {
		return false, nil, fmt.Errorf("wallet: sign transaction: %w", ErrLocked)
	}
	pkScripts := make([][]byte, len(tx.TxIn))
	for i, in := range tx.TxIn {
		op := in.PreviousOutPoint
		given, ok := prevouts[op]
		if prev := w.txs[op.Hash]; prev != nil && int(op.Index) < len(prev.tx.TxOut) {
			rec := prev.tx.TxOut[op.Index].PkScript
			if ok && !bytes.Equal(given, rec) {
				return false, nil, fmt.Errorf("wallet: sign transaction: input %d (%s): %w", i, op, ErrPrevoutMismatch)
			}
			pkScripts[i] = rec
		} else if ok {
			pkScripts[i] = given
		}
	}
	reasons := make([]error, len(tx.TxIn))
	for i, pk := range pkScripts {
		if pk == nil {
			reasons[i] = ErrInputNotFound
			continue
		}
		if _, mine := w.scripts[string(pk)]; mine {
			reasons[i] = w.signInputLocked(tx, i, pk)
		}
	}
	var errs []InputError
	for i, in := range tx.TxIn {
		err := reasons[i]
		if err == nil {
			if verr := script.VerifyInput(tx, i, pkScripts[i], script.StandardVerifyFlags, nil); verr != nil {
				err = fmt.Errorf("%w: %w", ErrCannotSign, verr)
			}
		}
		if err != nil {
			errs = append(errs, InputError{Index: i, OutPoint: in.PreviousOutPoint,
				SignatureScript: append([]byte(nil), in.SignatureScript...), Sequence: in.Sequence, Err: err})
		}
	}
	return len(errs) == 0, errs, nil
}
