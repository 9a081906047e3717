package mempool

import (
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// Policy limits (Bitcoin Core's defaults, non-witness).
const (
	// MaxStandardTxSize is the largest standard transaction, in bytes.
	MaxStandardTxSize = 100_000
	// MinStandardTxSize is the smallest standard transaction (Core's
	// MIN_STANDARD_TX_NONWITNESS_SIZE).
	MinStandardTxSize = 65
	// MaxStandardVersion is the highest standard transaction version.
	MaxStandardVersion = 2
	// MaxStandardTxSigOps is the most legacy plus P2SH signature operations
	// of a standard transaction (Core's MAX_STANDARD_TX_SIGOPS_COST / 4).
	MaxStandardTxSigOps = consensus.MaxBlockSigOps / 5
	// MaxP2SHSigOps is the most signature operations a standard P2SH redeem
	// script may have.
	MaxP2SHSigOps = 15
	// MaxBIP125RBFSequence is the highest input sequence that signals
	// replaceability (BIP125).
	MaxBIP125RBFSequence = 0xfffffffd
	// MaxReplacementEvictions is the most transactions one replacement may
	// evict (BIP125 rule 5).
	MaxReplacementEvictions = 100
)

// Default fee rates, in base units per kvB.
const (
	DefaultMinRelayFee         = 1000
	DefaultIncrementalRelayFee = 1000
	DefaultDustRelayFee        = 3000
)

// feeFor returns the fee a rate asks of size bytes, as Core's
// CFeeRate::GetFee: truncated, but at least one base unit for a positive
// rate.
func feeFor(perKvB int64, size int64) int64 {
	fee := perKvB * size / 1000
	if fee == 0 && size != 0 {
		if perKvB > 0 {
			fee = 1
		} else if perKvB < 0 {
			fee = -1
		}
	}
	return fee
}

// feeRate returns fee per kvB for size bytes, as Core's CFeeRate(fee, size).
func feeRate(fee, size int64) int64 {
	if size <= 0 {
		return 0
	}
	return fee * 1000 / size
}

// dustThreshold returns the smallest value out may carry without being dust
// at the given dust relay fee rate (Core's GetDustThreshold, non-segwit:
// the output's size plus 148 bytes of a spending input).
func dustThreshold(out *wire.TxOut, dustRelayFee int64) int64 {
	if script.IsUnspendable(out.PkScript) {
		return 0
	}
	size := 8 + int64(wire.CompactSizeLen(uint64(len(out.PkScript)))) + int64(len(out.PkScript))
	return feeFor(dustRelayFee, size+148)
}

// checkStandardTx applies Core's IsStandardTx and the minimum size rule.
func (p *Pool) checkStandardTx(tx *wire.Tx, size int) *RejectError {
	if tx.Version > MaxStandardVersion || tx.Version < 1 {
		return reject(ReasonVersion, "")
	}
	if size > MaxStandardTxSize {
		return reject(ReasonTxSize, "")
	}
	for _, in := range tx.TxIn {
		if len(in.SignatureScript) > script.MaxStandardScriptSigSize {
			return reject(ReasonScriptSigSize, "")
		}
		if !script.IsPushOnly(in.SignatureScript) {
			return reject(ReasonScriptSigNotPushOnly, "")
		}
	}
	dataOuts := 0
	for _, out := range tx.TxOut {
		if !script.IsStandardScript(out.PkScript) {
			return reject(ReasonScriptPubKey, "")
		}
		if script.GetScriptClass(out.PkScript) == script.NullDataTy {
			dataOuts++
		} else if out.Value < dustThreshold(out, p.cfg.DustRelayFee) {
			return reject(ReasonDust, "")
		}
	}
	if dataOuts > 1 {
		return reject(ReasonMultiOpReturn, "")
	}
	if size < MinStandardTxSize {
		return reject(ReasonTxSizeSmall, "")
	}
	return nil
}

// areInputsStandard applies Core's AreInputsStandard: every spent output has
// a standard template, and a P2SH redeem script has at most MaxP2SHSigOps
// signature operations. The scriptSigs are known push-only.
func areInputsStandard(tx *wire.Tx, coins []consensus.SpentCoin) bool {
	for i, in := range tx.TxIn {
		switch script.GetScriptClass(coins[i].PkScript) {
		case script.NonStandardTy:
			return false
		case script.ScriptHashTy:
			pushes, err := script.ExtractPushes(in.SignatureScript)
			if err != nil || len(pushes) == 0 {
				return false
			}
			if script.GetSigOpCount(pushes[len(pushes)-1], true) > MaxP2SHSigOps {
				return false
			}
		}
	}
	return true
}

// signalsRBF reports whether tx opts in to replacement (BIP125).
func signalsRBF(tx *wire.Tx) bool {
	for _, in := range tx.TxIn {
		if in.Sequence <= MaxBIP125RBFSequence {
			return true
		}
	}
	return false
}
