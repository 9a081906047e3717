package script

// Limits of script number operands.
const (
	// DefaultScriptNumLen is the byte limit of numeric operands.
	DefaultScriptNumLen = 4
	// LockTimeScriptNumLen is the byte limit of CLTV and CSV operands.
	LockTimeScriptNumLen = 5
)

// ScriptNum is a number as script arithmetic sees it (Bitcoin Core's
// CScriptNum): operands are little-endian sign-magnitude byte strings of
// limited length, while results may be wider.
type ScriptNum int64

// MakeScriptNum decodes b as a script number of at most maxLen bytes. With
// requireMinimal it also rejects encodings that are not the shortest one.
// Failures are *Error values with code ErrUnknown, as Bitcoin Core reports
// them (its number exceptions surface as UNKNOWN_ERROR).
func MakeScriptNum(b []byte, requireMinimal bool, maxLen int) (ScriptNum, error) {
	if len(b) > maxLen {
		return 0, scriptError(ErrUnknown, "script number of %d bytes exceeds %d", len(b), maxLen)
	}
	if requireMinimal && !isMinimalNumber(b) {
		return 0, scriptError(ErrUnknown, "non-minimally encoded script number %x", b)
	}
	return decodeNum(b), nil
}

// isMinimalNumber reports whether b is the shortest encoding of its value.
func isMinimalNumber(b []byte) bool {
	n := len(b)
	if n == 0 {
		return true
	}
	// The last byte may only be 0x00 or 0x80 if the byte before it needs
	// its high bit for the magnitude.
	if b[n-1]&0x7f == 0 {
		if n == 1 || b[n-2]&0x80 == 0 {
			return false
		}
	}
	return true
}

// decodeNum decodes a sign-magnitude little-endian number of up to 8 bytes
// without any checks (longer input is truncated by the shifts).
func decodeNum(b []byte) ScriptNum {
	if len(b) == 0 {
		return 0
	}
	var v int64
	for i, c := range b {
		v |= int64(c) << (8 * uint(i))
	}
	last := len(b) - 1
	if b[last]&0x80 != 0 {
		v &^= int64(0x80) << (8 * uint(last))
		return ScriptNum(-v)
	}
	return ScriptNum(v)
}

// Bytes returns the minimal encoding of n.
func (n ScriptNum) Bytes() []byte {
	if n == 0 {
		return nil
	}
	return n.AppendTo(make([]byte, 0, 9))
}

// AppendTo appends the minimal encoding of n to b.
func (n ScriptNum) AppendTo(b []byte) []byte {
	if n == 0 {
		return b
	}
	neg := n < 0
	abs := uint64(n)
	if neg {
		abs = -abs
	}
	for abs > 0 {
		b = append(b, byte(abs))
		abs >>= 8
	}
	last := len(b) - 1
	switch {
	case b[last]&0x80 != 0 && neg:
		b = append(b, 0x80)
	case b[last]&0x80 != 0:
		b = append(b, 0x00)
	case neg:
		b[last] |= 0x80
	}
	return b
}

// Int32 returns n clamped to the int32 range (Core's getint).
func (n ScriptNum) Int32() int32 {
	switch {
	case n > 1<<31-1:
		return 1<<31 - 1
	case n < -1<<31:
		return -1 << 31
	}
	return int32(n)
}

// asBool interprets a stack element as a boolean: false for any encoding of
// zero, including negative zero.
func asBool(b []byte) bool {
	for i, c := range b {
		if c != 0 {
			// Negative zero is false.
			return !(i == len(b)-1 && c == 0x80)
		}
	}
	return false
}

// checkMinimalPush reports whether data is pushed with the opcode that
// MINIMALDATA requires.
func checkMinimalPush(data []byte, op byte) bool {
	n := len(data)
	switch {
	case n == 0:
		return op == OP_0
	case n == 1 && data[0] >= 1 && data[0] <= 16:
		return false // OP_1..OP_16
	case n == 1 && data[0] == 0x81:
		return false // OP_1NEGATE
	case n <= OP_DATA_75:
		return int(op) == n
	case n <= 0xff:
		return op == OP_PUSHDATA1
	case n <= 0xffff:
		return op == OP_PUSHDATA2
	}
	return true
}
