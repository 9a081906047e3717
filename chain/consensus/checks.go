package consensus

import (
	"math/big"

	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// Consensus limits (DESIGN.md §1).
const (
	// MaxBlockSize is the largest serialized size of a block, in bytes; no
	// transaction may be larger either.
	MaxBlockSize = 1_000_000
	// MaxBlockSigOps is the most signature operations a block may contain,
	// counted as GetSigOpCount does (legacy count of every script, plus the
	// accurate count of P2SH redeem scripts when the block is connected).
	MaxBlockSigOps = 20_000
	// CoinbaseMaturity is the number of blocks a coinbase output must wait:
	// a block at height h may spend a coinbase created at height c only if
	// h - c >= CoinbaseMaturity.
	CoinbaseMaturity = 100
	// MaxFutureBlockTime is how far, in seconds, a block's time may be
	// ahead of the node's adjusted time.
	MaxFutureBlockTime = 2 * 60 * 60
	// MedianTimeBlocks is the number of previous blocks whose median time
	// a block's time must exceed.
	MedianTimeBlocks = 11
	// MinBlockVersion is the lowest block version accepted (BIP34, BIP66
	// and BIP65 are active from genesis).
	MinBlockVersion = 4
	// MinCoinbaseScriptLen and MaxCoinbaseScriptLen bound the length of a
	// coinbase signature script.
	MinCoinbaseScriptLen = 2
	// MaxCoinbaseScriptLen is the longest coinbase signature script.
	MaxCoinbaseScriptLen = 100
)

// CheckTransactionSanity applies the checks that need no context, as
// Bitcoin Core's CheckTransaction: at least one input and one output, a
// serialized size within MaxBlockSize, every output value and their sum in
// MoneyRange, no outpoint spent twice, a coinbase signature script of 2 to
// 100 bytes, and no null outpoint in a non-coinbase. It returns a *RuleError.
func CheckTransactionSanity(tx *wire.Tx) error {
	if err := checkTxPointers(tx); err != nil {
		return err
	}
	if len(tx.TxIn) == 0 {
		return ruleError(ErrNoTxInputs, "bad-txns-vin-empty", "transaction has no inputs")
	}
	if len(tx.TxOut) == 0 {
		return ruleError(ErrNoTxOutputs, "bad-txns-vout-empty", "transaction has no outputs")
	}
	if size := tx.SerializeSize(); size > MaxBlockSize {
		return ruleError(ErrTxTooBig, "bad-txns-oversize",
			"transaction is %d bytes, more than %d", size, MaxBlockSize)
	}

	var total int64
	for i, out := range tx.TxOut {
		switch {
		case out.Value < 0:
			return ruleError(ErrNegativeTxOut, "bad-txns-vout-negative",
				"output %d has negative value %d", i, out.Value)
		case out.Value > MaxMoney:
			return ruleError(ErrTxOutTooLarge, "bad-txns-vout-toolarge",
				"output %d value %d is more than %d", i, out.Value, MaxMoney)
		}
		// Both terms are at most MaxMoney, so the sum cannot overflow.
		total += out.Value
		if !MoneyRange(total) {
			return ruleError(ErrTxOutTotalTooLarge, "bad-txns-txouttotal-toolarge",
				"outputs up to %d add up to %d, more than %d", i, total, MaxMoney)
		}
	}

	if i, j, dup := findDuplicateInput(tx.TxIn); dup {
		return ruleError(ErrDuplicateTxInputs, "bad-txns-inputs-duplicate",
			"inputs %d and %d both spend %s", i, j, tx.TxIn[i].PreviousOutPoint)
	}

	if tx.IsCoinBase() {
		n := len(tx.TxIn[0].SignatureScript)
		if n < MinCoinbaseScriptLen || n > MaxCoinbaseScriptLen {
			return ruleError(ErrBadCoinbaseScriptLen, "bad-cb-length",
				"coinbase script is %d bytes, want %d to %d",
				n, MinCoinbaseScriptLen, MaxCoinbaseScriptLen)
		}
		return nil
	}
	for i, in := range tx.TxIn {
		if in.PreviousOutPoint.IsNull() {
			return ruleError(ErrNullPrevOut, "bad-txns-prevout-null",
				"input %d of a non-coinbase transaction spends the null outpoint", i)
		}
	}
	return nil
}

// checkTxPointers rejects a nil transaction, input or output, so that no
// check dereferences nil.
func checkTxPointers(tx *wire.Tx) error {
	if tx == nil {
		return ruleError(ErrMalformed, "bad-txns-malformed", "nil transaction")
	}
	for i, in := range tx.TxIn {
		if in == nil {
			return ruleError(ErrMalformed, "bad-txns-malformed", "input %d is nil", i)
		}
	}
	for i, out := range tx.TxOut {
		if out == nil {
			return ruleError(ErrMalformed, "bad-txns-malformed", "output %d is nil", i)
		}
	}
	return nil
}

// findDuplicateInput returns the indexes of two inputs spending the same
// outpoint, if there are any.
func findDuplicateInput(ins []*wire.TxIn) (int, int, bool) {
	const linearMax = 8
	if len(ins) <= linearMax {
		for j := 1; j < len(ins); j++ {
			for i := 0; i < j; i++ {
				if ins[i].PreviousOutPoint == ins[j].PreviousOutPoint {
					return i, j, true
				}
			}
		}
		return 0, 0, false
	}
	seen := make(map[wire.OutPoint]int, len(ins))
	for j, in := range ins {
		if i, ok := seen[in.PreviousOutPoint]; ok {
			return i, j, true
		}
		seen[in.PreviousOutPoint] = j
	}
	return 0, 0, false
}

// CheckBlockHeaderSanity applies the header check that needs no context, as
// Bitcoin Core's CheckBlockHeader: the proof of work is valid under
// powLimit. It returns a *RuleError of kind ErrBadTarget or ErrHighHash.
func CheckBlockHeaderSanity(h *wire.BlockHeader, powLimit *big.Int) error {
	if h == nil {
		return ruleError(ErrMalformed, "bad-blk-malformed", "nil header")
	}
	return CheckProofOfWork(h.BlockHash(), h.Bits, powLimit)
}

// CheckBlockSanity applies the block checks that need no context, in the
// order of Bitcoin Core's CheckBlock: the header's proof of work, the merkle
// root (ErrBadMerkleRoot) and its CVE-2012-2459 mutation (ErrMutatedMerkle),
// the block's length (at least one and at most MaxBlockSize transactions,
// at most MaxBlockSize bytes), a coinbase first and nowhere else,
// CheckTransactionSanity of every transaction, and at most MaxBlockSigOps
// legacy signature operations. It returns a *RuleError; when its Mutated
// method reports true the block's hash must not be marked invalid.
func CheckBlockSanity(block *wire.Block, powLimit *big.Int) error {
	if block == nil {
		return ruleError(ErrMalformed, "bad-blk-malformed", "nil block")
	}
	for i, tx := range block.Transactions {
		if err := checkTxPointers(tx); err != nil {
			return ruleError(ErrMalformed, "bad-blk-malformed", "transaction %d: %v", i, err)
		}
	}
	if err := CheckBlockHeaderSanity(&block.Header, powLimit); err != nil {
		return err
	}

	txids := block.TxHashes()
	root, mutated := wire.MerkleRoot(txids)
	if root != block.Header.MerkleRoot {
		return ruleError(ErrBadMerkleRoot, "bad-txnmrklroot",
			"merkle root %s does not match the header's %s", root, block.Header.MerkleRoot)
	}
	if mutated {
		return ruleError(ErrMutatedMerkle, "bad-txns-duplicate",
			"transaction list is mutated (duplicate transactions)")
	}

	n := len(block.Transactions)
	if n == 0 || n > MaxBlockSize {
		return ruleError(ErrBlockLength, "bad-blk-length", "block has %d transactions", n)
	}
	if size := block.SerializeSize(); size > MaxBlockSize {
		return ruleError(ErrBlockLength, "bad-blk-length",
			"block is %d bytes, more than %d", size, MaxBlockSize)
	}

	if !block.Transactions[0].IsCoinBase() {
		return ruleError(ErrFirstTxNotCoinbase, "bad-cb-missing", "first transaction is not a coinbase")
	}
	for i, tx := range block.Transactions[1:] {
		if tx.IsCoinBase() {
			return ruleError(ErrMultipleCoinbases, "bad-cb-multiple",
				"transaction %d is a second coinbase", i+1)
		}
	}

	for i, tx := range block.Transactions {
		if err := CheckTransactionSanity(tx); err != nil {
			return prefixDetail(err, "transaction "+txids[i].String()+" check failed: ")
		}
	}

	sigOps := 0
	for _, tx := range block.Transactions {
		sigOps += CountLegacySigOps(tx)
		if sigOps > MaxBlockSigOps {
			return ruleError(ErrTooManySigOps, "bad-blk-sigops",
				"block has more than %d signature operations", MaxBlockSigOps)
		}
	}
	return nil
}

// CountLegacySigOps returns the signature operations of tx counted the
// legacy way (script.GetSigOpCount, inaccurate) over every signature script
// and every output script.
func CountLegacySigOps(tx *wire.Tx) int {
	if tx == nil {
		return 0
	}
	n := 0
	for _, in := range tx.TxIn {
		if in != nil {
			n += script.GetSigOpCount(in.SignatureScript, false)
		}
	}
	for _, out := range tx.TxOut {
		if out != nil {
			n += script.GetSigOpCount(out.PkScript, false)
		}
	}
	return n
}

// CountP2SHSigOps returns the signature operations of the redeem scripts
// that tx's inputs reveal when they spend P2SH outputs, counted accurately
// (script.GetP2SHSigOpCount). coins are the outputs tx spends, one per
// input in order. A coinbase has none. A coins slice of the wrong length
// gives a *RuleError of kind ErrMissingOrSpent.
func CountP2SHSigOps(tx *wire.Tx, coins []SpentCoin) (int, error) {
	if err := checkTxPointers(tx); err != nil {
		return 0, err
	}
	if tx.IsCoinBase() {
		return 0, nil
	}
	if len(coins) != len(tx.TxIn) {
		return 0, ruleError(ErrMissingOrSpent, "bad-txns-inputs-missingorspent",
			"%d spent outputs given for %d inputs", len(coins), len(tx.TxIn))
	}
	n := 0
	for i, in := range tx.TxIn {
		n += script.GetP2SHSigOpCount(in.SignatureScript, coins[i].PkScript)
	}
	return n, nil
}

// prefixDetail returns a copy of the *RuleError err with prefix put before
// its detail, keeping its kind and reason; other errors come back as they are.
func prefixDetail(err error, prefix string) error {
	re, ok := err.(*RuleError)
	if !ok {
		return err
	}
	return &RuleError{Kind: re.Kind, Reason: re.Reason, Detail: prefix + re.Detail}
}
