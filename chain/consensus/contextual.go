package consensus

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// Lock-time constants (BIP65, BIP68, BIP112, BIP113).
const (
	// LockTimeThreshold divides lock times: below it a lock time is a block
	// height, at or above it a Unix time.
	LockTimeThreshold = 500_000_000
	// SequenceLockTimeDisabled is the sequence bit that turns off an
	// input's relative lock time.
	SequenceLockTimeDisabled = 1 << 31
	// SequenceLockTimeIsSeconds is the sequence bit that makes a relative
	// lock time count units of 512 seconds instead of blocks.
	SequenceLockTimeIsSeconds = 1 << 22
	// SequenceLockTimeMask selects the relative lock time value of a
	// sequence number.
	SequenceLockTimeMask = 0x0000ffff
	// SequenceLockTimeGranularity is log2 of the seconds in one unit of a
	// time-based relative lock time (512 s).
	SequenceLockTimeGranularity = 9
)

// CalcPastMedianTime returns the median of the last MedianTimeBlocks (or
// fewer, when fewer are given) of the timestamps, which are block times in
// chain order ending with the block whose median time past is wanted. With
// an even count the later of the two middle values is taken, as Bitcoin
// Core's GetMedianTimePast does. No timestamps give 0.
func CalcPastMedianTime(timestamps []uint32) int64 {
	if len(timestamps) == 0 {
		return 0
	}
	if len(timestamps) > MedianTimeBlocks {
		timestamps = timestamps[len(timestamps)-MedianTimeBlocks:]
	}
	var buf [MedianTimeBlocks]uint32
	s := buf[:len(timestamps)]
	copy(s, timestamps)
	slices.Sort(s)
	return int64(s[len(s)/2])
}

// BIP34HeightScript returns the bytes that Bitcoin Core's CScript() << height
// produces, with which a coinbase signature script must begin (BIP34): OP_0
// for 0, OP_1NEGATE for -1, OP_1..OP_16 for 1 to 16, and otherwise a
// single push of the minimal little-endian script-number encoding, with an
// extra sign byte when the top bit of the last byte is set (128 → 02 80 00).
func BIP34HeightScript(height int64) []byte {
	switch {
	case height == 0:
		return []byte{0x00} // OP_0
	case height == -1:
		return []byte{0x4f} // OP_1NEGATE
	case height >= 1 && height <= 16:
		return []byte{0x50 + byte(height)} // OP_1..OP_16
	}
	num := script.ScriptNum(height).Bytes()
	return append([]byte{byte(len(num))}, num...)
}

// CheckCoinbaseHeight checks that the coinbase's signature script begins
// with BIP34HeightScript(height), byte for byte, as Bitcoin Core requires.
// It returns a *RuleError of kind ErrBadCoinbaseHeight.
func CheckCoinbaseHeight(coinbase *wire.Tx, height int64) error {
	if coinbase == nil || len(coinbase.TxIn) == 0 || coinbase.TxIn[0] == nil {
		return ruleError(ErrBadCoinbaseHeight, "bad-cb-height", "coinbase has no input")
	}
	want := BIP34HeightScript(height)
	if !bytes.HasPrefix(coinbase.TxIn[0].SignatureScript, want) {
		return ruleError(ErrBadCoinbaseHeight, "bad-cb-height",
			"coinbase script does not begin with %x, the height %d", want, height)
	}
	return nil
}

// IsFinalTx reports whether tx may be included in a block at blockHeight
// whose lock-time cutoff is blockTime: the median time past of the block's
// parent (BIP113) in blocks, or of the tip for the mempool. A lock time of
// 0, or below the height (lock times under LockTimeThreshold) or the time
// (the others), is final; otherwise tx is final only if every input has the
// final sequence number 0xffffffff.
func IsFinalTx(tx *wire.Tx, blockHeight int64, blockTime int64) bool {
	if tx == nil {
		return false
	}
	if tx.LockTime == 0 {
		return true
	}
	cutoff := blockTime
	if tx.LockTime < LockTimeThreshold {
		cutoff = blockHeight
	}
	if int64(tx.LockTime) < cutoff {
		return true
	}
	for _, in := range tx.TxIn {
		if in == nil || in.Sequence != wire.MaxTxInSequenceNum {
			return false
		}
	}
	return true
}

// SequenceLockInput describes, for BIP68, the output an input spends.
type SequenceLockInput struct {
	// Height is the height of the block that created the spent output; for
	// an output not yet in a block, the height of the next block.
	Height int64
	// PrevMedianTime is the median time past of the block before that
	// block (the one at height max(Height-1, 0)); for an output not yet in
	// a block, the median time past of the tip. Only inputs with
	// time-based relative locks use it.
	PrevMedianTime int64
}

// SequenceLock is the earliest a transaction's BIP68 relative lock times
// allow it in a block: the block's height must exceed MinHeight and its
// parent's median time past must exceed MinTime. -1 means no constraint.
type SequenceLock struct {
	// MinHeight is the last block height at which the transaction is
	// still locked, or -1.
	MinHeight int64
	// MinTime is the last median time past at which the transaction is
	// still locked, or -1.
	MinTime int64
}

// CalcSequenceLock computes the BIP68 relative lock of tx from the outputs
// its inputs spend (inputs, one per input in order), as Bitcoin Core's
// CalculateSequenceLocks with LOCKTIME_VERIFY_SEQUENCE, which nodecoin
// enforces from genesis. Transactions of version below 2, coinbases and
// inputs with SequenceLockTimeDisabled set impose no lock. An inputs slice
// of the wrong length gives a *RuleError of kind ErrMissingOrSpent, a nil
// transaction one of kind ErrMalformed.
func CalcSequenceLock(tx *wire.Tx, inputs []SequenceLockInput) (SequenceLock, error) {
	lock := SequenceLock{MinHeight: -1, MinTime: -1}
	if err := checkTxPointers(tx); err != nil {
		return lock, err
	}
	if tx.Version < 2 || tx.IsCoinBase() {
		return lock, nil
	}
	if len(inputs) != len(tx.TxIn) {
		return lock, ruleError(ErrMissingOrSpent, "bad-txns-inputs-missingorspent",
			"%d spent outputs given for %d inputs", len(inputs), len(tx.TxIn))
	}
	for i, in := range tx.TxIn {
		seq := in.Sequence
		if seq&SequenceLockTimeDisabled != 0 {
			continue
		}
		value := int64(seq & SequenceLockTimeMask)
		if seq&SequenceLockTimeIsSeconds != 0 {
			t := inputs[i].PrevMedianTime + value<<SequenceLockTimeGranularity - 1
			lock.MinTime = max(lock.MinTime, t)
		} else {
			h := inputs[i].Height + value - 1
			lock.MinHeight = max(lock.MinHeight, h)
		}
	}
	return lock, nil
}

// SequenceLockActive reports whether a transaction with the given sequence
// lock may be included in a block at blockHeight whose parent has median
// time past prevMedianTime: that is, whether the lock has been satisfied
// (Bitcoin Core's EvaluateSequenceLocks).
func SequenceLockActive(lock SequenceLock, blockHeight, prevMedianTime int64) bool {
	return lock.MinHeight < blockHeight && lock.MinTime < prevMedianTime
}

// CheckSequenceLock computes the BIP68 lock of tx and checks that a block
// at blockHeight, whose parent has median time past prevMedianTime, may
// include it. It returns a *RuleError of kind ErrSequenceLockNotMet (or
// ErrMissingOrSpent for an inputs slice of the wrong length).
func CheckSequenceLock(tx *wire.Tx, inputs []SequenceLockInput, blockHeight, prevMedianTime int64) error {
	lock, err := CalcSequenceLock(tx, inputs)
	if err != nil {
		return err
	}
	if !SequenceLockActive(lock, blockHeight, prevMedianTime) {
		return ruleError(ErrSequenceLockNotMet, "bad-txns-nonfinal",
			"relative lock (height > %d, time > %d) not met at height %d, median time %d",
			lock.MinHeight, lock.MinTime, blockHeight, prevMedianTime)
	}
	return nil
}

// CheckBlockHeaderContext applies the header checks that depend on the
// chain, as Bitcoin Core's ContextualCheckBlockHeader: the bits equal
// expectedBits (NextRequiredBits of the parent), the time is after
// prevMedianTime (the parent's median time past), the time is at most
// MaxFutureBlockTime ahead of adjustedTime (the node's network-adjusted
// clock, Unix seconds), and the version is at least MinBlockVersion. It
// returns a *RuleError of kind ErrBadDiffBits, ErrTimeTooOld, ErrTimeTooNew
// or ErrBadVersion.
func CheckBlockHeaderContext(h *wire.BlockHeader, expectedBits uint32, prevMedianTime, adjustedTime int64) error {
	if h == nil {
		return ruleError(ErrMalformed, "bad-blk-malformed", "nil header")
	}
	if h.Bits != expectedBits {
		return ruleError(ErrBadDiffBits, "bad-diffbits",
			"bits %08x, want %08x", h.Bits, expectedBits)
	}
	if int64(h.Timestamp) <= prevMedianTime {
		return ruleError(ErrTimeTooOld, "time-too-old",
			"block time %d is not after the median time past %d", h.Timestamp, prevMedianTime)
	}
	if int64(h.Timestamp) > adjustedTime+MaxFutureBlockTime {
		return ruleError(ErrTimeTooNew, "time-too-new",
			"block time %d is more than %d s after the adjusted time %d",
			h.Timestamp, MaxFutureBlockTime, adjustedTime)
	}
	if h.Version < MinBlockVersion {
		return &RuleError{Kind: ErrBadVersion,
			Reason: fmt.Sprintf("bad-version(0x%08x)", uint32(h.Version)),
			Detail: fmt.Sprintf("block version %d is below %d", h.Version, MinBlockVersion)}
	}
	return nil
}

// CheckBlockContext applies the block checks that depend on the block's
// place in the chain, as Bitcoin Core's ContextualCheckBlock: every
// transaction is final at the block's height and its parent's median time
// past (BIP113), and from height 1 on the coinbase begins with the height
// (BIP34). The block should have passed CheckBlockSanity. It returns a
// *RuleError of kind ErrNonFinalTx or ErrBadCoinbaseHeight.
func CheckBlockContext(block *wire.Block, height, prevMedianTime int64) error {
	if block == nil || len(block.Transactions) == 0 {
		return ruleError(ErrMalformed, "bad-blk-malformed", "block has no transactions")
	}
	for _, tx := range block.Transactions {
		if err := checkTxPointers(tx); err != nil {
			return err
		}
		if !IsFinalTx(tx, height, prevMedianTime) {
			return ruleError(ErrNonFinalTx, "bad-txns-nonfinal",
				"transaction %s is not final at height %d, median time %d",
				tx.TxHash(), height, prevMedianTime)
		}
	}
	if height >= 1 {
		return CheckCoinbaseHeight(block.Transactions[0], height)
	}
	return nil
}

// SpentCoin is an output being spent, as the UTXO set records it.
type SpentCoin struct {
	// Value is the output's amount in base units.
	Value int64
	// PkScript is the output's script.
	PkScript []byte
	// Height is the height of the block that created the output.
	Height int64
	// IsCoinBase reports whether a coinbase created the output.
	IsCoinBase bool
}

// CheckTransactionInputs checks the values a non-coinbase transaction
// spends, as Bitcoin Core's Consensus::CheckTxInputs: coins are the outputs
// it spends, one per input in order, and spendHeight is the height of the
// block that would include it. Coinbase outputs must have
// CoinbaseMaturity confirmations, every spent value and their sum must be
// in MoneyRange, the inputs must cover the outputs, and the fee must be in
// MoneyRange. It returns the fee, or a *RuleError of kind ErrMissingOrSpent,
// ErrPrematureCoinbaseSpend, ErrInputValuesOutOfRange,
// ErrTxOutTotalTooLarge, ErrSpendTooHigh or ErrFeeOutOfRange.
func CheckTransactionInputs(tx *wire.Tx, coins []SpentCoin, spendHeight int64) (int64, error) {
	if err := checkTxPointers(tx); err != nil {
		return 0, err
	}
	if tx.IsCoinBase() {
		return 0, ruleError(ErrMalformed, "bad-txns-malformed", "a coinbase spends no outputs")
	}
	if len(coins) != len(tx.TxIn) {
		return 0, ruleError(ErrMissingOrSpent, "bad-txns-inputs-missingorspent",
			"%d spent outputs given for %d inputs", len(coins), len(tx.TxIn))
	}
	var in int64
	for i, c := range coins {
		if c.IsCoinBase && spendHeight-c.Height < CoinbaseMaturity {
			return 0, ruleError(ErrPrematureCoinbaseSpend, "bad-txns-premature-spend-of-coinbase",
				"input %d spends a coinbase from height %d at height %d (depth %d, need %d)",
				i, c.Height, spendHeight, spendHeight-c.Height, CoinbaseMaturity)
		}
		if !MoneyRange(c.Value) {
			return 0, ruleError(ErrInputValuesOutOfRange, "bad-txns-inputvalues-outofrange",
				"input %d spends value %d", i, c.Value)
		}
		in += c.Value
		if !MoneyRange(in) {
			return 0, ruleError(ErrInputValuesOutOfRange, "bad-txns-inputvalues-outofrange",
				"inputs up to %d add up to %d", i, in)
		}
	}
	out, err := valueOut(tx)
	if err != nil {
		return 0, err
	}
	if in < out {
		return 0, ruleError(ErrSpendTooHigh, "bad-txns-in-belowout",
			"value in %d is less than value out %d", in, out)
	}
	fee := in - out
	if !MoneyRange(fee) {
		return 0, ruleError(ErrFeeOutOfRange, "bad-txns-fee-outofrange", "fee %d", fee)
	}
	return fee, nil
}

// valueOut returns the sum of tx's output values, or a *RuleError if a
// value or the sum is outside MoneyRange.
func valueOut(tx *wire.Tx) (int64, error) {
	var total int64
	for i, out := range tx.TxOut {
		if !MoneyRange(out.Value) {
			return 0, ruleError(ErrTxOutTotalTooLarge, "bad-txns-txouttotal-toolarge",
				"output %d value %d is out of range", i, out.Value)
		}
		total += out.Value
		if !MoneyRange(total) {
			return 0, ruleError(ErrTxOutTotalTooLarge, "bad-txns-txouttotal-toolarge",
				"outputs up to %d add up to %d", i, total)
		}
	}
	return total, nil
}

// CheckCoinbaseValue checks that the coinbase pays out at most the block
// subsidy plus fees, the sum of the fees of the block's other transactions.
// It returns a *RuleError of kind ErrBadCoinbaseValue, ErrFeeOutOfRange
// ("bad-txns-accumulated-fee-outofrange") when fees or subsidy are outside
// MoneyRange, or ErrTxOutTotalTooLarge for output values out of range.
func CheckCoinbaseValue(coinbase *wire.Tx, subsidy, fees int64) error {
	if err := checkTxPointers(coinbase); err != nil {
		return err
	}
	if !MoneyRange(fees) || !MoneyRange(subsidy) {
		return ruleError(ErrFeeOutOfRange, "bad-txns-accumulated-fee-outofrange",
			"fees %d or subsidy %d out of range", fees, subsidy)
	}
	out, err := valueOut(coinbase)
	if err != nil {
		return err
	}
	if out > subsidy+fees {
		return ruleError(ErrBadCoinbaseValue, "bad-cb-amount",
			"coinbase pays %d, more than subsidy %d plus fees %d", out, subsidy, fees)
	}
	return nil
}
