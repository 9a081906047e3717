package script

import (
	"encoding/binary"
	"fmt"
)

// Tokenizer walks a script one operation at a time without allocating.
// Typical use:
//
//	t := MakeTokenizer(script)
//	for t.Next() {
//		op, data := t.Opcode(), t.Data()
//		...
//	}
//	if err := t.Err(); err != nil { ... }
//
// A push whose length runs past the end of the script stops the walk and is
// reported by Err as ErrBadOpcode (Bitcoin Core's GetOp failure).
type Tokenizer struct {
	script []byte
	offset int
	op     byte
	data   []byte
	err    error
}

// MakeTokenizer returns a tokenizer positioned before the first operation of
// script.
func MakeTokenizer(script []byte) Tokenizer {
	return Tokenizer{script: script}
}

// Next advances to the next operation and reports whether there is one. It
// returns false at the end of the script and on a malformed push; Err tells
// the two apart.
func (t *Tokenizer) Next() bool {
	if t.err != nil || t.offset >= len(t.script) {
		return false
	}
	op, data, n, err := parseOp(t.script, t.offset)
	if err != nil {
		t.err = err
		t.op, t.data = OP_INVALIDOPCODE, nil
		return false
	}
	t.op, t.data = op, data
	t.offset += n
	return true
}

// parseOp decodes the operation starting at script[off]. It returns the
// opcode, the pushed data (nil for non-push opcodes, empty non-nil never
// matters), and the encoded length of the operation.
func parseOp(script []byte, off int) (op byte, data []byte, n int, err error) {
	op = script[off]
	rest := len(script) - off - 1
	var size, hdr int
	switch {
	case op > OP_PUSHDATA4:
		return op, nil, 1, nil
	case op < OP_PUSHDATA1:
		size = int(op)
	case op == OP_PUSHDATA1:
		if rest < 1 {
			return op, nil, 0, scriptError(ErrBadOpcode, "OP_PUSHDATA1 at offset %d lacks its length byte", off)
		}
		hdr, size = 1, int(script[off+1])
	case op == OP_PUSHDATA2:
		if rest < 2 {
			return op, nil, 0, scriptError(ErrBadOpcode, "OP_PUSHDATA2 at offset %d lacks its length bytes", off)
		}
		hdr, size = 2, int(binary.LittleEndian.Uint16(script[off+1:]))
	default: // OP_PUSHDATA4
		if rest < 4 {
			return op, nil, 0, scriptError(ErrBadOpcode, "OP_PUSHDATA4 at offset %d lacks its length bytes", off)
		}
		hdr = 4
		s := binary.LittleEndian.Uint32(script[off+1:])
		if uint64(s) > uint64(rest-hdr) {
			return op, nil, 0, scriptError(ErrBadOpcode, "push of %d bytes at offset %d runs past the script's end", s, off)
		}
		size = int(s)
	}
	if size > rest-hdr {
		return op, nil, 0, scriptError(ErrBadOpcode, "push of %d bytes at offset %d runs past the script's end", size, off)
	}
	start := off + 1 + hdr
	return op, script[start : start+size : start+size], 1 + hdr + size, nil
}

// Opcode returns the current operation's opcode.
func (t *Tokenizer) Opcode() byte { return t.op }

// Data returns the bytes the current operation pushes (nil for non-push
// opcodes and empty pushes). The slice aliases the script.
func (t *Tokenizer) Data() []byte { return t.data }

// Offset returns the byte offset just past the current operation.
func (t *Tokenizer) Offset() int { return t.offset }

// Done reports whether the whole script was consumed without error.
func (t *Tokenizer) Done() bool { return t.err == nil && t.offset >= len(t.script) }

// Err returns the parse error that stopped the walk, or nil.
func (t *Tokenizer) Err() error { return t.err }

// Op is one decoded script operation.
type Op struct {
	// Opcode is the operation's opcode.
	Opcode byte
	// Data is the pushed data for push opcodes (aliases the script).
	Data []byte
}

// ParseScript decodes the whole script into its operations. On a malformed
// push it returns the operations before it together with the error.
func ParseScript(script []byte) ([]Op, error) {
	var ops []Op
	t := MakeTokenizer(script)
	for t.Next() {
		ops = append(ops, Op{Opcode: t.Opcode(), Data: t.Data()})
	}
	if err := t.Err(); err != nil {
		return ops, fmt.Errorf("parse script: %w", err)
	}
	return ops, nil
}

// IsPushOnly reports whether script consists only of push operations (in
// Bitcoin Core's sense: every opcode up to OP_16, OP_RESERVED included) and
// parses completely.
func IsPushOnly(script []byte) bool {
	t := MakeTokenizer(script)
	for t.Next() {
		if t.Opcode() > OP_16 {
			return false
		}
	}
	return t.Err() == nil
}

// IsPayToScriptHash reports whether script is exactly the BIP16 template
// OP_HASH160 <20 bytes> OP_EQUAL.
func IsPayToScriptHash(script []byte) bool {
	return len(script) == 23 && script[0] == OP_HASH160 && script[1] == OP_DATA_1+19 &&
		script[22] == OP_EQUAL
}

// IsUnspendable reports whether script can never be satisfied: it starts
// with OP_RETURN or exceeds MaxScriptSize (Bitcoin Core's IsUnspendable).
func IsUnspendable(script []byte) bool {
	return (len(script) > 0 && script[0] == OP_RETURN) || len(script) > MaxScriptSize
}
