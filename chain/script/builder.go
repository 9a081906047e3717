package script

import (
	"fmt"
)

// Builder assembles a script from opcodes, data pushes and numbers, always
// choosing the minimal push encoding (what MINIMALDATA requires). Errors
// (a push above MaxScriptElementSize, a script above MaxScriptSize) are
// remembered and returned by Script.
type Builder struct {
	script []byte
	err    error
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder { return &Builder{script: make([]byte, 0, 64)} }

// AddOp appends an opcode.
func (b *Builder) AddOp(op byte) *Builder {
	if b.err == nil {
		b.script = append(b.script, op)
		b.checkSize()
	}
	return b
}

// AddOps appends opcodes.
func (b *Builder) AddOps(ops ...byte) *Builder {
	for _, op := range ops {
		b.AddOp(op)
	}
	return b
}

// AddData appends the minimal push of data: OP_0 for empty data, OP_1..OP_16
// and OP_1NEGATE for the single bytes they stand for, else the smallest of
// direct push, OP_PUSHDATA1, OP_PUSHDATA2 and OP_PUSHDATA4.
func (b *Builder) AddData(data []byte) *Builder {
	if b.err != nil {
		return b
	}
	if len(data) > MaxScriptElementSize {
		b.err = fmt.Errorf("script builder: push of %d bytes exceeds %d", len(data), MaxScriptElementSize)
		return b
	}
	b.script = AppendMinimalPush(b.script, data)
	b.checkSize()
	return b
}

// AddInt64 appends the number n as Bitcoin Core's CScript << n does:
// OP_0, OP_1NEGATE or OP_1..OP_16 where one fits, else a push of its
// script-number encoding (how BIP34 heights are written).
func (b *Builder) AddInt64(n int64) *Builder {
	if b.err != nil {
		return b
	}
	switch {
	case n == 0:
		b.script = append(b.script, OP_0)
	case n == -1 || (n >= 1 && n <= 16):
		b.script = append(b.script, byte(int64(OP_1-1)+n))
	default:
		var tmp [9]byte
		b.script = appendPush(b.script, ScriptNum(n).AppendTo(tmp[:0]))
	}
	b.checkSize()
	return b
}

// Script returns the script built so far, or the first error met.
func (b *Builder) Script() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	return b.script, nil
}

func (b *Builder) checkSize() {
	if len(b.script) > MaxScriptSize {
		b.err = fmt.Errorf("script builder: script of %d bytes exceeds %d", len(b.script), MaxScriptSize)
	}
}

// AppendMinimalPush appends to script the minimal push of data (see
// Builder.AddData), without any size limit.
func AppendMinimalPush(script, data []byte) []byte {
	switch {
	case len(data) == 0:
		return append(script, OP_0)
	case len(data) == 1 && data[0] >= 1 && data[0] <= 16:
		return append(script, OP_1-1+data[0])
	case len(data) == 1 && data[0] == 0x81:
		return append(script, OP_1NEGATE)
	}
	return appendPush(script, data)
}
