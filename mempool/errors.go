package mempool

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
)

// Reject reasons, as Bitcoin Core spells them. Consensus reasons are those of
// consensus.RuleError; script failures carry a parenthesised message.
const (
	ReasonCoinbase              = "coinbase"
	ReasonVersion               = "version"
	ReasonTxSize                = "tx-size"
	ReasonTxSizeSmall           = "tx-size-small"
	ReasonScriptSigSize         = "scriptsig-size"
	ReasonScriptSigNotPushOnly  = "scriptsig-not-pushonly"
	ReasonScriptPubKey          = "scriptpubkey"
	ReasonMultiOpReturn         = "multi-op-return"
	ReasonDust                  = "dust"
	ReasonNonFinal              = "non-final"
	ReasonAlreadyInMempool      = "txn-already-in-mempool"
	ReasonMempoolConflict       = "txn-mempool-conflict"
	ReasonAlreadyKnown          = "txn-already-known"
	ReasonMissingInputs         = "bad-txns-inputs-missingorspent"
	ReasonNonBIP68Final         = "non-BIP68-final"
	ReasonNonstandardInputs     = "bad-txns-nonstandard-inputs"
	ReasonTooManySigOps         = "bad-txns-too-many-sigops"
	ReasonMinRelayFee           = "min relay fee not met"
	ReasonMempoolMinFee         = "mempool min fee not met"
	ReasonMaxFeeExceeded        = "max-fee-exceeded"
	ReasonTooLongChain          = "too-long-mempool-chain"
	ReasonInsufficientFee       = "insufficient fee"
	ReasonTooManyReplacements   = "too many potential replacements"
	ReasonReplacementAddsUnconf = "replacement-adds-unconfirmed"
	ReasonSpendsConflicting     = "bad-txns-spends-conflicting-tx"
	ReasonMempoolFull           = "mempool full"
	ReasonNonMandatoryScript    = "non-mandatory-script-verify-flag"
	ReasonMandatoryScript       = "mandatory-script-verify-flag-failed"
)

// RejectError is a transaction the pool refuses. Error returns Core's
// "reason, detail" string (TxValidationState::ToString); the RPC layer maps
// the flags to Core's codes (-25 for Orphan, -27 for AlreadyKnown, -26 for
// the rest).
type RejectError struct {
	// Reason is Core's reject reason ("min relay fee not met", "dust", ...).
	Reason string
	// Detail is Core's debug message, possibly empty.
	Detail string
	// Orphan reports missing inputs: the transaction spends outputs that are
	// neither unspent in the chain nor created by a pool transaction.
	Orphan bool
	// AlreadyKnown reports a transaction already confirmed in the chain.
	AlreadyKnown bool
	// Consensus reports a transaction invalid by consensus rules (not merely
	// by policy): a peer relaying it misbehaves.
	Consensus bool
	// Err is the underlying error (a *consensus.RuleError or *script.Error),
	// if any.
	Err error
}

// Error returns the reason, followed by ", " and the detail when there is one.
func (e *RejectError) Error() string {
	if e.Detail == "" {
		return e.Reason
	}
	return e.Reason + ", " + e.Detail
}

// Unwrap returns the underlying error.
func (e *RejectError) Unwrap() error { return e.Err }

// IsReject reports whether err is, or wraps, a *RejectError, and returns it.
func IsReject(err error) (*RejectError, bool) {
	var re *RejectError
	if errors.As(err, &re) {
		return re, true
	}
	return nil, false
}

func reject(reason, format string, args ...any) *RejectError {
	d := format
	if len(args) > 0 {
		d = fmt.Sprintf(format, args...)
	}
	return &RejectError{Reason: reason, Detail: d}
}

// fromRuleError maps a consensus rejection to a RejectError with its reason.
func fromRuleError(err error) error {
	var re *consensus.RuleError
	if errors.As(err, &re) {
		return &RejectError{Reason: re.Reason, Detail: re.Detail, Consensus: true, Err: err}
	}
	return err
}

// scriptErrorStrings are Bitcoin Core's ScriptErrorString messages, which its
// script-verify reject reasons carry in parentheses.
var scriptErrorStrings = map[script.ErrorCode]string{
	script.ErrOK:                       "No error",
	script.ErrEvalFalse:                "Script evaluated without error but finished with a false/empty top stack element",
	script.ErrVerify:                   "Script failed an OP_VERIFY operation",
	script.ErrEqualVerify:              "Script failed an OP_EQUALVERIFY operation",
	script.ErrCheckMultiSigVerify:      "Script failed an OP_CHECKMULTISIGVERIFY operation",
	script.ErrCheckSigVerify:           "Script failed an OP_CHECKSIGVERIFY operation",
	script.ErrNumEqualVerify:           "Script failed an OP_NUMEQUALVERIFY operation",
	script.ErrScriptSize:               "Script is too big",
	script.ErrPushSize:                 "Push value size limit exceeded",
	script.ErrOpCount:                  "Operation limit exceeded",
	script.ErrStackSize:                "Stack size limit exceeded",
	script.ErrSigCount:                 "Signature count negative or greater than pubkey count",
	script.ErrPubKeyCount:              "Pubkey count negative or limit exceeded",
	script.ErrBadOpcode:                "Opcode missing or not understood",
	script.ErrDisabledOpcode:           "Attempted to use a disabled opcode",
	script.ErrInvalidStackOperation:    "Operation not valid with the current stack size",
	script.ErrInvalidAltStackOperation: "Operation not valid with the current altstack size",
	script.ErrOpReturn:                 "OP_RETURN was encountered",
	script.ErrUnbalancedConditional:    "Invalid OP_IF construction",
	script.ErrNegativeLockTime:         "Negative locktime",
	script.ErrUnsatisfiedLockTime:      "Locktime requirement not satisfied",
	script.ErrSigHashType:              "Signature hash type missing or not understood",
	script.ErrSigDER:                   "Non-canonical DER signature",
	script.ErrMinimalData:              "Data push larger than necessary",
	script.ErrSigPushOnly:              "Only push operators allowed in signatures",
	script.ErrSigHighS:                 "Non-canonical signature: S value is unnecessarily high",
	script.ErrSigNullDummy:             "Dummy CHECKMULTISIG argument must be zero",
	script.ErrPubKeyType:               "Public key is neither compressed or uncompressed",
	script.ErrCleanStack:               "Stack size must be exactly one after execution",
	script.ErrMinimalIf:                "OP_IF/NOTIF argument must be minimal",
	script.ErrNullFail:                 "Signature must be zero for failed CHECK(MULTI)SIG operation",
	script.ErrDiscourageUpgradableNops: "NOPx reserved for soft-fork upgrades",
	script.ErrOpCodeSeparator:          "Using OP_CODESEPARATOR in non-witness script",
	script.ErrSigFindAndDelete:         "Signature is found in scriptCode",
}

// scriptErrorString returns Core's message for a script failure.
func scriptErrorString(err error) string {
	if s, ok := scriptErrorStrings[script.GetErrorCode(err)]; ok {
		return s
	}
	return "unknown error"
}

// formatMoney formats an amount as Core's FormatMoney: coins with at least
// two decimals and trailing zeros trimmed.
func formatMoney(v int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := fmt.Sprintf("%d.%08d", v/consensus.Coin, v%consensus.Coin)
	for strings.HasSuffix(s, "0") && s[len(s)-3] != '.' {
		s = s[:len(s)-1]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// formatFeeRate formats a fee rate in base units per kvB as Core's
// CFeeRate::ToString: "0.00001000 NDC/kvB".
func formatFeeRate(perKvB int64) string {
	sign := ""
	if perKvB < 0 {
		sign, perKvB = "-", -perKvB
	}
	return fmt.Sprintf("%s%d.%08d NDC/kvB", sign, perKvB/consensus.Coin, perKvB%consensus.Coin)
}
