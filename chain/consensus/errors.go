package consensus

import (
	"errors"
	"fmt"
)

// ErrorKind identifies the consensus rule a block or transaction broke. Each
// rule has its own kind; several kinds may share one reject reason where
// Bitcoin Core uses the same reason string for different rules.
type ErrorKind int

// The rule kinds. The comment of each names the reject reason Bitcoin Core
// gives for the same failure, which is what RuleError.Reason carries.
const (
	// ErrMalformed: a nil block, transaction, input or output was given
	// ("bad-txns-malformed" or "bad-blk-malformed"). Decoded data never
	// produces it; it guards against programming errors.
	ErrMalformed ErrorKind = iota + 1

	// ErrNoTxInputs: a transaction has no inputs ("bad-txns-vin-empty").
	ErrNoTxInputs
	// ErrNoTxOutputs: a transaction has no outputs ("bad-txns-vout-empty").
	ErrNoTxOutputs
	// ErrTxTooBig: a transaction serializes to more than MaxBlockSize bytes
	// ("bad-txns-oversize").
	ErrTxTooBig
	// ErrNegativeTxOut: an output value is negative ("bad-txns-vout-negative").
	ErrNegativeTxOut
	// ErrTxOutTooLarge: an output value exceeds MaxMoney
	// ("bad-txns-vout-toolarge").
	ErrTxOutTooLarge
	// ErrTxOutTotalTooLarge: the outputs of a transaction add up to more
	// than MaxMoney ("bad-txns-txouttotal-toolarge").
	ErrTxOutTotalTooLarge
	// ErrDuplicateTxInputs: a transaction spends the same outpoint twice
	// ("bad-txns-inputs-duplicate").
	ErrDuplicateTxInputs
	// ErrBadCoinbaseScriptLen: a coinbase signature script is shorter than
	// 2 or longer than 100 bytes ("bad-cb-length").
	ErrBadCoinbaseScriptLen
	// ErrNullPrevOut: a non-coinbase transaction spends the null outpoint
	// ("bad-txns-prevout-null").
	ErrNullPrevOut

	// ErrBadTarget: the header's bits encode a negative, zero or overflowing
	// target, or one above the proof-of-work limit ("high-hash", as Core
	// reports every proof-of-work failure).
	ErrBadTarget
	// ErrHighHash: the block hash is above the target its bits encode
	// ("high-hash").
	ErrHighHash
	// ErrBadMerkleRoot: the header's merkle root does not match the block's
	// transactions ("bad-txnmrklroot"). Mutated() is true.
	ErrBadMerkleRoot
	// ErrMutatedMerkle: the transaction list is mutated as in CVE-2012-2459:
	// it gives the header's merkle root but contains a duplicated run of
	// transactions ("bad-txns-duplicate"). Mutated() is true.
	ErrMutatedMerkle
	// ErrBlockLength: a block has no transactions, or more than
	// MaxBlockSize transactions or serialized bytes ("bad-blk-length").
	ErrBlockLength
	// ErrFirstTxNotCoinbase: a block's first transaction is not a coinbase
	// ("bad-cb-missing").
	ErrFirstTxNotCoinbase
	// ErrMultipleCoinbases: a transaction other than the first is a
	// coinbase ("bad-cb-multiple").
	ErrMultipleCoinbases
	// ErrTooManySigOps: a block's signature operations exceed
	// MaxBlockSigOps ("bad-blk-sigops").
	ErrTooManySigOps

	// ErrBadCoinbaseHeight: the coinbase signature script does not begin
	// with the BIP34 serialization of the block height ("bad-cb-height").
	ErrBadCoinbaseHeight
	// ErrBadDiffBits: the header's bits differ from what the difficulty
	// rule requires ("bad-diffbits").
	ErrBadDiffBits
	// ErrTimeTooOld: the header's time is not after the median time of the
	// previous blocks ("time-too-old").
	ErrTimeTooOld
	// ErrTimeTooNew: the header's time is more than MaxFutureBlockTime
	// ahead of the node's adjusted time ("time-too-new").
	ErrTimeTooNew
	// ErrBadVersion: the header's version is below MinBlockVersion
	// ("bad-version(0x...)", with the version in hex).
	ErrBadVersion
	// ErrNonFinalTx: a block contains a transaction whose lock time is not
	// yet reached ("bad-txns-nonfinal").
	ErrNonFinalTx
	// ErrSequenceLockNotMet: a transaction's BIP68 relative lock time is
	// not yet reached ("bad-txns-nonfinal").
	ErrSequenceLockNotMet

	// ErrMissingOrSpent: an input spends an output that does not exist or
	// is already spent ("bad-txns-inputs-missingorspent").
	ErrMissingOrSpent
	// ErrPrematureCoinbaseSpend: an input spends a coinbase output that has
	// fewer than CoinbaseMaturity confirmations
	// ("bad-txns-premature-spend-of-coinbase").
	ErrPrematureCoinbaseSpend
	// ErrInputValuesOutOfRange: a spent value, or the sum of spent values,
	// is outside MoneyRange ("bad-txns-inputvalues-outofrange").
	ErrInputValuesOutOfRange
	// ErrSpendTooHigh: a transaction's outputs exceed its inputs
	// ("bad-txns-in-belowout").
	ErrSpendTooHigh
	// ErrFeeOutOfRange: a transaction's fee is outside MoneyRange
	// ("bad-txns-fee-outofrange").
	ErrFeeOutOfRange
	// ErrBadCoinbaseValue: the coinbase pays out more than the block
	// subsidy plus the fees of the block ("bad-cb-amount").
	ErrBadCoinbaseValue
	// ErrScriptFailed: an input's script fails verification under the
	// consensus flags ("mandatory-script-verify-flag-failed (...)", with
	// the script error). The chain produces it; scripts are verified there.
	ErrScriptFailed

	numErrorKinds // sentinel: one past the last kind
)

var errorKindNames = [...]string{
	ErrMalformed:              "ErrMalformed",
	ErrNoTxInputs:             "ErrNoTxInputs",
	ErrNoTxOutputs:            "ErrNoTxOutputs",
	ErrTxTooBig:               "ErrTxTooBig",
	ErrNegativeTxOut:          "ErrNegativeTxOut",
	ErrTxOutTooLarge:          "ErrTxOutTooLarge",
	ErrTxOutTotalTooLarge:     "ErrTxOutTotalTooLarge",
	ErrDuplicateTxInputs:      "ErrDuplicateTxInputs",
	ErrBadCoinbaseScriptLen:   "ErrBadCoinbaseScriptLen",
	ErrNullPrevOut:            "ErrNullPrevOut",
	ErrBadTarget:              "ErrBadTarget",
	ErrHighHash:               "ErrHighHash",
	ErrBadMerkleRoot:          "ErrBadMerkleRoot",
	ErrMutatedMerkle:          "ErrMutatedMerkle",
	ErrBlockLength:            "ErrBlockLength",
	ErrFirstTxNotCoinbase:     "ErrFirstTxNotCoinbase",
	ErrMultipleCoinbases:      "ErrMultipleCoinbases",
	ErrTooManySigOps:          "ErrTooManySigOps",
	ErrBadCoinbaseHeight:      "ErrBadCoinbaseHeight",
	ErrBadDiffBits:            "ErrBadDiffBits",
	ErrTimeTooOld:             "ErrTimeTooOld",
	ErrTimeTooNew:             "ErrTimeTooNew",
	ErrBadVersion:             "ErrBadVersion",
	ErrNonFinalTx:             "ErrNonFinalTx",
	ErrSequenceLockNotMet:     "ErrSequenceLockNotMet",
	ErrMissingOrSpent:         "ErrMissingOrSpent",
	ErrPrematureCoinbaseSpend: "ErrPrematureCoinbaseSpend",
	ErrInputValuesOutOfRange:  "ErrInputValuesOutOfRange",
	ErrSpendTooHigh:           "ErrSpendTooHigh",
	ErrFeeOutOfRange:          "ErrFeeOutOfRange",
	ErrBadCoinbaseValue:       "ErrBadCoinbaseValue",
	ErrScriptFailed:           "ErrScriptFailed",
}

// String returns the kind's Go name, such as "ErrHighHash".
func (k ErrorKind) String() string {
	if k > 0 && k < numErrorKinds {
		return errorKindNames[k]
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// RuleError reports a block or transaction that breaks a consensus rule: the
// data is invalid, as opposed to an error in reading or storing it. Use
// errors.As (or IsRuleError) to tell the two apart.
type RuleError struct {
	// Kind identifies the rule.
	Kind ErrorKind
	// Reason is Bitcoin Core's reject reason for the failure, such as
	// "bad-txns-vin-empty"; it is what RPC and P2P replies carry.
	Reason string
	// Detail is a human-readable description of the particular failure.
	Detail string
}

// Error returns the reason followed by the detail.
func (e *RuleError) Error() string {
	if e.Detail == "" {
		return e.Reason
	}
	return e.Reason + ": " + e.Detail
}

// Mutated reports whether the failure shows only that the block's
// transactions differ from those its header commits to: a merkle root
// mismatch (ErrBadMerkleRoot) or a CVE-2012-2459 duplicated transaction list
// (ErrMutatedMerkle). A peer can produce such a block from an honest one
// without redoing the proof of work, so the chain must reject the block
// without marking its hash invalid; the genuine block with the same header
// may arrive later.
func (e *RuleError) Mutated() bool {
	return e.Kind == ErrBadMerkleRoot || e.Kind == ErrMutatedMerkle
}

// IsRuleError reports whether err is, or wraps, a *RuleError, and if so
// returns its kind.
func IsRuleError(err error) (ErrorKind, bool) {
	var re *RuleError
	if errors.As(err, &re) {
		return re.Kind, true
	}
	return 0, false
}

// IsMutated reports whether err is, or wraps, a *RuleError whose Mutated
// method returns true.
func IsMutated(err error) bool {
	var re *RuleError
	return errors.As(err, &re) && re.Mutated()
}

// ruleError builds a *RuleError with a formatted detail.
func ruleError(kind ErrorKind, reason, format string, args ...any) *RuleError {
	return &RuleError{Kind: kind, Reason: reason, Detail: fmt.Sprintf(format, args...)}
}
