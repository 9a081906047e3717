package script

import (
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// Lock-time constants of BIP65, BIP68 and BIP112.
const (
	// LockTimeThreshold separates block heights (below) from Unix times
	// (at or above) in lock times.
	LockTimeThreshold = 500000000
	// SequenceLockTimeDisabled set in a sequence number (or CSV operand)
	// disables its relative lock time.
	SequenceLockTimeDisabled = 1 << 31
	// SequenceLockTimeIsSeconds set in a sequence number makes its relative
	// lock time count units of 512 seconds instead of blocks.
	SequenceLockTimeIsSeconds = 1 << 22
	// SequenceLockTimeMask selects the relative lock time's value.
	SequenceLockTimeMask = 0x0000ffff
)

// SigChecker gives the interpreter what it needs from the spending
// transaction: signature checks and lock-time checks.
type SigChecker interface {
	// CheckSig reports whether sig (DER signature and hash-type byte) is a
	// valid signature by pubKey of the transaction hashed with scriptCode.
	// The interpreter has already applied the encoding flags and
	// FindAndDelete; the arguments alias script data and must not be
	// modified or retained.
	CheckSig(sig, pubKey, scriptCode []byte) bool
	// CheckLockTime reports whether the transaction satisfies an
	// OP_CHECKLOCKTIMEVERIFY operand (BIP65).
	CheckLockTime(lockTime ScriptNum) bool
	// CheckSequence reports whether the input satisfies an
	// OP_CHECKSEQUENCEVERIFY operand (BIP112).
	CheckSequence(sequence ScriptNum) bool
}

// SigCache remembers signatures that verified, so that a transaction seen
// in the mempool is not verified again in a block. Implementations must be
// safe for concurrent use and must copy the slices they keep.
type SigCache interface {
	// Exists reports whether sig (DER, without the hash-type byte) by
	// pubKey over sigHash is known to be valid.
	Exists(sigHash wire.Hash, sig, pubKey []byte) bool
	// Add records that sig by pubKey over sigHash is valid.
	Add(sigHash wire.Hash, sig, pubKey []byte)
}

// TxSigChecker is the SigChecker of one input of a transaction: legacy
// signature hashes and secp256k1 ECDSA, with an optional signature cache.
type TxSigChecker struct {
	tx    *wire.Tx
	idx   int
	cache SigCache
}

// NewTxSigChecker returns the checker for input idx of tx. cache may be nil.
func NewTxSigChecker(tx *wire.Tx, idx int, cache SigCache) *TxSigChecker {
	return &TxSigChecker{tx: tx, idx: idx, cache: cache}
}

// MakeTxSigChecker is NewTxSigChecker returning a value, for callers that
// keep checkers in arrays or on the stack.
func MakeTxSigChecker(tx *wire.Tx, idx int, cache SigCache) TxSigChecker {
	return TxSigChecker{tx: tx, idx: idx, cache: cache}
}

// CheckSig verifies sig by pubKey over the input's legacy signature hash,
// parsing the signature as laxly as Bitcoin Core (the strict rules are the
// interpreter's business, under DERSIG/STRICTENC/LOW_S) and accepting high S.
func (c *TxSigChecker) CheckSig(sig, pubKey, scriptCode []byte) bool {
	if !pubKeyLenOK(pubKey) || len(sig) == 0 {
		return false
	}
	hashType := SigHashType(sig[len(sig)-1])
	der := sig[:len(sig)-1]
	var r, s btcec.ModNScalar
	if !parseLaxDER(der, &r, &s) {
		return false
	}
	hash := CalcSignatureHash(scriptCode, hashType, c.tx, c.idx)
	if c.cache != nil && c.cache.Exists(hash, der, pubKey) {
		return true
	}
	if r.IsZero() || s.IsZero() {
		return false
	}
	pk, err := btcec.ParsePubKey(pubKey)
	if err != nil {
		return false
	}
	if s.IsOverHalfOrder() {
		s.Negate()
	}
	if !ecdsa.NewSignature(&r, &s).Verify(hash[:], pk) {
		return false
	}
	if c.cache != nil {
		c.cache.Add(hash, der, pubKey)
	}
	return true
}

// CheckLockTime implements BIP65: the operand and the transaction's lock
// time must be of the same kind (height or time), the operand not above
// it, and the input not final.
func (c *TxSigChecker) CheckLockTime(lockTime ScriptNum) bool {
	txLock := int64(c.tx.LockTime)
	lt := int64(lockTime)
	if (txLock < LockTimeThreshold) != (lt < LockTimeThreshold) {
		return false
	}
	if lt > txLock {
		return false
	}
	if c.idx < 0 || c.idx >= len(c.tx.TxIn) {
		return false
	}
	return c.tx.TxIn[c.idx].Sequence != wire.MaxTxInSequenceNum
}

// CheckSequence implements BIP112: the transaction must be version 2 or
// later (compared unsigned), the input's relative lock time enabled, of the
// same kind as the operand and not below it.
func (c *TxSigChecker) CheckSequence(sequence ScriptNum) bool {
	if c.idx < 0 || c.idx >= len(c.tx.TxIn) {
		return false
	}
	txSeq := int64(c.tx.TxIn[c.idx].Sequence)
	if uint32(c.tx.Version) < 2 {
		return false
	}
	if txSeq&SequenceLockTimeDisabled != 0 {
		return false
	}
	const mask = SequenceLockTimeIsSeconds | SequenceLockTimeMask
	txMasked := txSeq & mask
	opMasked := int64(sequence) & mask
	if (txMasked < SequenceLockTimeIsSeconds) != (opMasked < SequenceLockTimeIsSeconds) {
		return false
	}
	return opMasked <= txMasked
}

// nullChecker is the checker used when none is given: every signature and
// lock-time check fails.
type nullChecker struct{}

// CheckSig always fails: there is no transaction to sign.
func (nullChecker) CheckSig(_, _, _ []byte) bool { return false }

// CheckLockTime always fails: there is no transaction lock time.
func (nullChecker) CheckLockTime(ScriptNum) bool { return false }

// CheckSequence always fails: there is no input sequence.
func (nullChecker) CheckSequence(ScriptNum) bool { return false }
