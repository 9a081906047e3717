package script

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// SigHashType is the hash type of a signature: which parts of the spending
// transaction it commits to. A signature carries it as its last byte; the
// signature hash appends it as four little-endian bytes.
type SigHashType uint32

// Hash types.
const (
	// SigHashAll signs all inputs and outputs.
	SigHashAll SigHashType = 0x01
	// SigHashNone signs the inputs but no outputs.
	SigHashNone SigHashType = 0x02
	// SigHashSingle signs the inputs and the output of the same index.
	SigHashSingle SigHashType = 0x03
	// SigHashAnyOneCanPay, or-ed into another type, signs only this input.
	SigHashAnyOneCanPay SigHashType = 0x80

	// sigHashMask selects the base type, as Bitcoin Core does.
	sigHashMask = 0x1f
)

// String returns Core's name of a defined hash type ("ALL",
// "SINGLE|ANYONECANPAY"), or its value in hex.
func (t SigHashType) String() string {
	var base string
	switch t &^ SigHashAnyOneCanPay {
	case SigHashAll:
		base = "ALL"
	case SigHashNone:
		base = "NONE"
	case SigHashSingle:
		base = "SINGLE"
	default:
		return fmt.Sprintf("0x%x", uint32(t))
	}
	if t&SigHashAnyOneCanPay != 0 {
		return base + "|ANYONECANPAY"
	}
	return base
}

// sigHashOne is the value Bitcoin Core's legacy SignatureHash returns for an
// input index out of range, or SIGHASH_SINGLE without a matching output:
// the number 1 (internal byte order).
var sigHashOne = wire.Hash{0x01}

var preimagePool = sync.Pool{New: func() any {
	b := make([]byte, 0, 1024)
	return &b
}}

// CalcSignatureHash returns Bitcoin's legacy signature hash of input idx of
// tx, signed with hashType over scriptCode. It removes every
// OP_CODESEPARATOR from scriptCode (but does no FindAndDelete of
// signatures; the interpreter does that before calling it), and reproduces
// Core's quirks: an index out of range, or SIGHASH_SINGLE without an output
// of the input's index, yields the hash 1.
func CalcSignatureHash(scriptCode []byte, hashType SigHashType, tx *wire.Tx, idx int) wire.Hash {
	if idx < 0 || idx >= len(tx.TxIn) {
		return sigHashOne
	}
	base := hashType & sigHashMask
	if base == SigHashSingle && idx >= len(tx.TxOut) {
		return sigHashOne
	}
	bp := preimagePool.Get().(*[]byte)
	buf := appendSigHashPreimage((*bp)[:0], scriptCode, hashType, tx, idx)
	h := wire.DoubleSHA256(buf)
	if cap(buf) <= 1<<16 { // do not keep huge buffers alive
		*bp = buf[:0]
		preimagePool.Put(bp)
	}
	return h
}

// appendSigHashPreimage appends the serialization that CalcSignatureHash
// hashes. idx must be in range, and so must the SIGHASH_SINGLE output.
func appendSigHashPreimage(b, scriptCode []byte, hashType SigHashType, tx *wire.Tx, idx int) []byte {
	base := hashType & sigHashMask
	anyoneCanPay := hashType&SigHashAnyOneCanPay != 0
	single, none := base == SigHashSingle, base == SigHashNone

	b = binary.LittleEndian.AppendUint32(b, uint32(tx.Version))
	first, last := 0, len(tx.TxIn)
	if anyoneCanPay {
		first, last = idx, idx+1
	}
	b = wire.AppendCompactSize(b, uint64(last-first))
	for i := first; i < last; i++ {
		in := tx.TxIn[i]
		b = append(b, in.PreviousOutPoint.Hash[:]...)
		b = binary.LittleEndian.AppendUint32(b, in.PreviousOutPoint.Index)
		if i == idx {
			b = appendScriptCode(b, scriptCode)
		} else {
			b = append(b, 0)
		}
		if i != idx && (single || none) {
			b = append(b, 0, 0, 0, 0)
		} else {
			b = binary.LittleEndian.AppendUint32(b, in.Sequence)
		}
	}
	nOut := len(tx.TxOut)
	switch {
	case none:
		nOut = 0
	case single:
		nOut = idx + 1
	}
	b = wire.AppendCompactSize(b, uint64(nOut))
	for i := 0; i < nOut; i++ {
		if single && i != idx {
			// Outputs before the signed one: value -1, empty script.
			b = append(b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0)
			continue
		}
		out := tx.TxOut[i]
		b = binary.LittleEndian.AppendUint64(b, uint64(out.Value))
		b = wire.AppendCompactSize(b, uint64(len(out.PkScript)))
		b = append(b, out.PkScript...)
	}
	b = binary.LittleEndian.AppendUint32(b, tx.LockTime)
	return binary.LittleEndian.AppendUint32(b, uint32(hashType))
}

// coreGetOp steps over the operation at pc the way Bitcoin Core's GetOp
// does, including how far it advances when the push is truncated: past the
// opcode, and past the length bytes if they are complete.
func coreGetOp(script []byte, pc int) (op byte, next int, ok bool) {
	if pc >= len(script) {
		return OP_INVALIDOPCODE, pc, false
	}
	op = script[pc]
	pc++
	if op > OP_PUSHDATA4 {
		return op, pc, true
	}
	rest := len(script) - pc
	var size int
	switch op {
	case OP_PUSHDATA1:
		if rest < 1 {
			return OP_INVALIDOPCODE, pc, false
		}
		size = int(script[pc])
		pc++
	case OP_PUSHDATA2:
		if rest < 2 {
			return OP_INVALIDOPCODE, pc, false
		}
		size = int(binary.LittleEndian.Uint16(script[pc:]))
		pc += 2
	case OP_PUSHDATA4:
		if rest < 4 {
			return OP_INVALIDOPCODE, pc, false
		}
		s := binary.LittleEndian.Uint32(script[pc:])
		pc += 4
		if uint64(s) > uint64(len(script)-pc) {
			return OP_INVALIDOPCODE, pc, false
		}
		size = int(s)
	default:
		size = int(op)
	}
	if size > len(script)-pc {
		return OP_INVALIDOPCODE, pc, false
	}
	return op, pc + size, true
}

// appendScriptCode appends scriptCode, length-prefixed, with its
// OP_CODESEPARATORs removed. Like Bitcoin Core, the length prefix counts
// every byte but the separators even when a truncated push at the end means
// fewer bytes follow.
func appendScriptCode(b, sc []byte) []byte {
	seps := 0
	for pc := 0; ; {
		op, next, ok := coreGetOp(sc, pc)
		pc = next
		if !ok {
			break
		}
		if op == OP_CODESEPARATOR {
			seps++
		}
	}
	b = wire.AppendCompactSize(b, uint64(len(sc)-seps))
	begin, pc := 0, 0
	for {
		op, next, ok := coreGetOp(sc, pc)
		pc = next
		if !ok {
			break
		}
		if op == OP_CODESEPARATOR {
			b = append(b, sc[begin:pc-1]...)
			begin = pc
		}
	}
	if begin != len(sc) {
		b = append(b, sc[begin:pc]...)
	}
	return b
}

// appendPush appends the push of data as Bitcoin Core's CScript << vector
// encodes it (the direct or PUSHDATA form by size only; no small-number
// opcodes).
func appendPush(b, data []byte) []byte {
	n := len(data)
	switch {
	case n < OP_PUSHDATA1:
		b = append(b, byte(n))
	case n <= 0xff:
		b = append(b, OP_PUSHDATA1, byte(n))
	case n <= 0xffff:
		b = append(b, OP_PUSHDATA2, byte(n), byte(n>>8))
	default:
		b = append(b, OP_PUSHDATA4, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	}
	return append(b, data...)
}

// findAndDelete removes from script every occurrence of the byte string
// pattern that starts at an operation boundary, as Bitcoin Core's
// FindAndDelete does, and returns the result with the number of deletions.
// When nothing is deleted it returns script itself.
func findAndDelete(script, pattern []byte) ([]byte, int) {
	if len(pattern) == 0 || !containsBytes(script, pattern) {
		return script, 0
	}
	var result []byte
	found := 0
	pc, pc2 := 0, 0
	for {
		result = append(result, script[pc2:pc]...)
		for len(script)-pc >= len(pattern) && string(script[pc:pc+len(pattern)]) == string(pattern) {
			pc += len(pattern)
			found++
		}
		pc2 = pc
		_, next, ok := coreGetOp(script, pc)
		pc = next
		if !ok {
			break
		}
	}
	if found == 0 {
		return script, 0
	}
	return append(result, script[pc2:]...), found
}

// containsBytes reports whether pattern occurs anywhere in s.
func containsBytes(s, pattern []byte) bool {
	for i := 0; i+len(pattern) <= len(s); i++ {
		if s[i] == pattern[0] && string(s[i:i+len(pattern)]) == string(pattern) {
			return true
		}
	}
	return false
}

// RawTxInSignature signs input idx of tx, spending an output locked by
// subScript, with key: a canonical low-S DER signature followed by the
// hash-type byte, ready to be pushed in a scriptSig.
func RawTxInSignature(tx *wire.Tx, idx int, subScript []byte, hashType SigHashType,
	key *btcec.PrivateKey) ([]byte, error) {
	if idx < 0 || idx >= len(tx.TxIn) {
		return nil, fmt.Errorf("sign input %d: transaction has %d inputs", idx, len(tx.TxIn))
	}
	if hashType&sigHashMask == SigHashSingle && idx >= len(tx.TxOut) {
		return nil, fmt.Errorf("sign input %d with SIGHASH_SINGLE: transaction has %d outputs",
			idx, len(tx.TxOut))
	}
	if hashType > 0xff {
		return nil, fmt.Errorf("sign input %d: hash type 0x%x does not fit in a byte", idx, uint32(hashType))
	}
	h := CalcSignatureHash(subScript, hashType, tx, idx)
	sig := ecdsa.Sign(key, h[:])
	return append(sig.Serialize(), byte(hashType)), nil
}

// SignatureScript returns the P2PKH scriptSig for input idx of tx:
// <signature> <public key>, the key serialized compressed when compress is
// set. subScript is the script of the output being spent.
func SignatureScript(tx *wire.Tx, idx int, subScript []byte, hashType SigHashType,
	key *btcec.PrivateKey, compress bool) ([]byte, error) {
	sig, err := RawTxInSignature(tx, idx, subScript, hashType, key)
	if err != nil {
		return nil, err
	}
	var pk []byte
	if compress {
		pk = key.PubKey().SerializeCompressed()
	} else {
		pk = key.PubKey().SerializeUncompressed()
	}
	return NewBuilder().AddData(sig).AddData(pk).Script()
}
