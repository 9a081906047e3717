package wire

import (
	"encoding/binary"
	"fmt"
)

// Sizes and limits of transaction encoding.
const (
	// MinTxInSize is the encoded size of an input with an empty script.
	MinTxInSize = 32 + 4 + 1 + 4
	// MinTxOutSize is the encoded size of an output with an empty script.
	MinTxOutSize = 8 + 1
	// MinTxSize is the encoded size of a transaction with no inputs or outputs.
	MinTxSize = 4 + 1 + 1 + 4
	// MaxTxInSequenceNum is the sequence number of a final input.
	MaxTxInSequenceNum uint32 = 0xffffffff
	// MaxPrevOutIndex is the outpoint index a coinbase input carries.
	MaxPrevOutIndex uint32 = 0xffffffff
)

// OutPoint names a transaction output: the txid and the output's index.
type OutPoint struct {
	Hash  Hash
	Index uint32
}

// String returns "txid:index" with the txid in display order.
func (o OutPoint) String() string { return fmt.Sprintf("%s:%d", o.Hash, o.Index) }

// IsNull reports whether o is the null outpoint a coinbase input spends.
func (o OutPoint) IsNull() bool { return o.Index == MaxPrevOutIndex && o.Hash.IsZero() }

// TxIn is a transaction input.
type TxIn struct {
	PreviousOutPoint OutPoint
	SignatureScript  []byte
	Sequence         uint32
}

// TxOut is a transaction output: an amount in base units and the script that
// locks it.
type TxOut struct {
	Value    int64
	PkScript []byte
}

// Tx is a transaction in Bitcoin's legacy (non-witness) format.
type Tx struct {
	Version  int32
	TxIn     []*TxIn
	TxOut    []*TxOut
	LockTime uint32
}

// IsCoinBase reports whether tx is a coinbase: exactly one input, spending
// the null outpoint.
func (tx *Tx) IsCoinBase() bool {
	return len(tx.TxIn) == 1 && tx.TxIn[0].PreviousOutPoint.IsNull()
}

// SerializeSize returns the number of bytes Serialize produces.
func (tx *Tx) SerializeSize() int {
	n := 8 + CompactSizeLen(uint64(len(tx.TxIn))) + CompactSizeLen(uint64(len(tx.TxOut)))
	for _, in := range tx.TxIn {
		n += 40 + CompactSizeLen(uint64(len(in.SignatureScript))) + len(in.SignatureScript)
	}
	for _, out := range tx.TxOut {
		n += 8 + CompactSizeLen(uint64(len(out.PkScript))) + len(out.PkScript)
	}
	return n
}

// AppendTo appends the serialized transaction to b and returns the result.
func (tx *Tx) AppendTo(b []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(tx.Version))
	b = AppendCompactSize(b, uint64(len(tx.TxIn)))
	for _, in := range tx.TxIn {
		b = append(b, in.PreviousOutPoint.Hash[:]...)
		b = binary.LittleEndian.AppendUint32(b, in.PreviousOutPoint.Index)
		b = AppendCompactSize(b, uint64(len(in.SignatureScript)))
		b = append(b, in.SignatureScript...)
		b = binary.LittleEndian.AppendUint32(b, in.Sequence)
	}
	b = AppendCompactSize(b, uint64(len(tx.TxOut)))
	for _, out := range tx.TxOut {
		b = binary.LittleEndian.AppendUint64(b, uint64(out.Value))
		b = AppendCompactSize(b, uint64(len(out.PkScript)))
		b = append(b, out.PkScript...)
	}
	return binary.LittleEndian.AppendUint32(b, tx.LockTime)
}

// Serialize returns the transaction's legacy serialization.
func (tx *Tx) Serialize() []byte {
	return tx.AppendTo(make([]byte, 0, tx.SerializeSize()))
}

// TxHash returns the txid: SHA-256d of the serialization, in internal order.
func (tx *Tx) TxHash() Hash { return DoubleSHA256(tx.Serialize()) }

// Copy returns a deep copy of tx that shares no memory with it.
func (tx *Tx) Copy() *Tx {
	c := &Tx{Version: tx.Version, LockTime: tx.LockTime,
		TxIn: make([]*TxIn, len(tx.TxIn)), TxOut: make([]*TxOut, len(tx.TxOut))}
	for i, in := range tx.TxIn {
		c.TxIn[i] = &TxIn{PreviousOutPoint: in.PreviousOutPoint, Sequence: in.Sequence,
			SignatureScript: append([]byte(nil), in.SignatureScript...)}
	}
	for i, out := range tx.TxOut {
		c.TxOut[i] = &TxOut{Value: out.Value, PkScript: append([]byte(nil), out.PkScript...)}
	}
	return c
}

// DecodeTx decodes exactly one legacy transaction from b, refusing trailing
// bytes. The result does not alias b.
func DecodeTx(b []byte) (*Tx, error) {
	d := &decoder{buf: append([]byte(nil), b...)}
	tx := d.tx()
	if err := d.finish("transaction"); err != nil {
		return nil, fmt.Errorf("decode transaction: %w", err)
	}
	return tx, nil
}

// tx reads one transaction. Scripts alias the decoder's buffer; structures
// come from the decoder's arenas.
func (d *decoder) tx() *Tx {
	tx := &carve(&d.txs, 1, d.chunk)[0]
	tx.Version = int32(d.uint32("tx version"))
	nIn := d.count(MinTxInSize, "input count")
	ins := carve(&d.ins, nIn, d.chunk)
	tx.TxIn = carve(&d.inPtr, nIn, d.chunk)
	for i := range ins {
		in := &ins[i]
		in.PreviousOutPoint.Hash = d.hash("outpoint hash")
		in.PreviousOutPoint.Index = d.uint32("outpoint index")
		in.SignatureScript = d.varBytes("signature script")
		in.Sequence = d.uint32("sequence")
		tx.TxIn[i] = in
	}
	nOut := d.count(MinTxOutSize, "output count")
	outs := carve(&d.outs, nOut, d.chunk)
	tx.TxOut = carve(&d.outPtr, nOut, d.chunk)
	for i := range outs {
		out := &outs[i]
		out.Value = int64(d.uint64("output value"))
		out.PkScript = d.varBytes("output script")
		tx.TxOut[i] = out
	}
	tx.LockTime = d.uint32("lock time")
	return tx
}
