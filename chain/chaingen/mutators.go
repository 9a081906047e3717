package chaingen

import (
	"bytes"

	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// AddTxs appends the transactions to the block in order, each with
// Template.AddTx (the coinbase claims their fees).
func AddTxs(txs ...*wire.Tx) Mutator {
	return func(t *Template) {
		for _, tx := range txs {
			t.AddTx(tx)
		}
	}
}

// CoinbaseValue adds delta (which may be negative) to the value of output 0
// of the coinbase.
func CoinbaseValue(delta int64) Mutator {
	return func(t *Template) { t.Coinbase().TxOut[0].Value += delta }
}

// CoinbaseScript replaces the coinbase's signature script.
func CoinbaseScript(sig []byte) Mutator {
	return func(t *Template) { t.Coinbase().TxIn[0].SignatureScript = append([]byte(nil), sig...) }
}

// PayCoinbaseTo makes output 0 of the coinbase pay to pkScript.
func PayCoinbaseTo(pkScript []byte) Mutator {
	return func(t *Template) { t.Coinbase().TxOut[0].PkScript = append([]byte(nil), pkScript...) }
}

// AddCoinbaseOutput appends an output to the coinbase.
func AddCoinbaseOutput(value int64, pkScript []byte) Mutator {
	return func(t *Template) {
		cb := t.Coinbase()
		cb.TxOut = append(cb.TxOut, &wire.TxOut{Value: value, PkScript: append([]byte(nil), pkScript...)})
	}
}

// AddSigOps appends to the coinbase a zero-value output whose script is n
// OP_CHECKSIG opcodes: n legacy signature operations.
func AddSigOps(n int) Mutator {
	return AddCoinbaseOutput(0, bytes.Repeat([]byte{script.OP_CHECKSIG}, n))
}

// PadTo appends to the coinbase a zero-value output of OP_0 bytes (no
// signature operations, never spendable) sized so that the
// serialized block is exactly size bytes. Apply it after every other
// mutator that changes the block's size. It panics if the block is
// already too big, or if no script length gives exactly size.
func PadTo(size int) Mutator {
	return func(t *Template) {
		cb := t.Coinbase()
		// An output costs 8 value bytes, the script's length prefix and
		// the script; adding one may also lengthen the output count.
		cb.TxOut = append(cb.TxOut, &wire.TxOut{})
		withEmpty := t.Block.SerializeSize() // includes a 1-byte length prefix
		for n := size - withEmpty + 1; n >= 0; n-- {
			if withEmpty-1+wire.CompactSizeLen(uint64(n))+n == size {
				cb.TxOut[len(cb.TxOut)-1].PkScript = make([]byte, n)
				return
			}
		}
		panic("chaingen: cannot pad the block to exactly the size asked")
	}
}

// SetVersion sets the header's version.
func SetVersion(v int32) Mutator {
	return func(t *Template) { t.Block.Header.Version = v }
}

// SetTime sets the header's timestamp.
func SetTime(ts uint32) Mutator {
	return func(t *Template) { t.Block.Header.Timestamp = ts }
}

// SetBits sets the header's compact target.
func SetBits(bits uint32) Mutator {
	return func(t *Template) { t.Block.Header.Bits = bits }
}

// HighHash makes the generator pick a nonce whose hash misses the target,
// so the block fails its proof of work (ErrHighHash).
func HighHash() Mutator {
	return func(t *Template) { t.highHash = true }
}

// BadMerkleRoot makes the header commit to a merkle root that differs from
// the transactions' by one bit; the header is still solved.
func BadMerkleRoot() Mutator {
	return func(t *Template) { t.badMerkle = true }
}

// SetTxs replaces the block's whole transaction list, coinbase included,
// with the result of fn applied to it. No fee accounting is done.
func SetTxs(fn func(txs []*wire.Tx) []*wire.Tx) Mutator {
	return func(t *Template) { t.Block.Transactions = fn(t.Block.Transactions) }
}
