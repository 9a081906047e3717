package script

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// DisasmString returns script in Bitcoin Core's "asm" notation (its
// ScriptToAsmStr, as decodescript and getrawtransaction show
// scriptPubKey.asm): pushes of up to 4 bytes as decimal numbers, longer
// pushes as hex, other opcodes by name ("OP_DUP"; "1".."16" and "-1" for the
// small-number opcodes), separated by spaces. A malformed push ends the
// text with "[error]" and is also returned as an error.
func DisasmString(script []byte) (string, error) {
	return disasm(script, false)
}

// DisasmStringSigHash is DisasmString with Core's signature decoding for
// scriptSigs: a push that is a strictly encoded signature with a defined
// hash type is shown as its DER hex followed by "[ALL]", "[SINGLE|ANYONECANPAY]"
// and so on. Scripts starting with OP_RETURN are never decoded this way.
func DisasmStringSigHash(script []byte) (string, error) {
	return disasm(script, true)
}

func disasm(script []byte, sighashDecode bool) (string, error) {
	var sb strings.Builder
	decode := sighashDecode && !IsUnspendable(script)
	t := MakeTokenizer(script)
	for t.Next() {
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		op, data := t.Opcode(), t.Data()
		switch {
		case op > OP_PUSHDATA4:
			sb.WriteString(OpcodeName(op))
		case len(data) <= 4:
			sb.WriteString(strconv.FormatInt(int64(decodeNum(data)), 10))
		case decode && checkSignatureEncoding(data, VerifyStrictEnc) == nil:
			// A defined hash type is guaranteed by STRICTENC.
			sb.WriteString(hex.EncodeToString(data[:len(data)-1]))
			sb.WriteString("[" + SigHashType(data[len(data)-1]).String() + "]")
		default:
			sb.WriteString(hex.EncodeToString(data))
		}
	}
	if err := t.Err(); err != nil {
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString("[error]")
		return sb.String(), fmt.Errorf("disassemble: %w", err)
	}
	return sb.String(), nil
}

// shortFormOps maps the opcode names ParseShortForm accepts, with and
// without the "OP_" prefix, to their opcodes: Bitcoin Core's table (every
// named opcode from OP_NOP up, and OP_RESERVED) plus a few aliases
// (OP_0, OP_FALSE, OP_TRUE, OP_1NEGATE, OP_1..OP_16, OP_NOP2, OP_NOP3,
// OP_PUSHDATA1/2/4 as bare opcodes).
var shortFormOps = func() map[string]byte {
	m := make(map[string]byte)
	add := func(name string, op byte) {
		m[name] = op
		if rest, ok := strings.CutPrefix(name, "OP_"); ok {
			m[rest] = op
		}
	}
	for op := OP_NOP; op <= OP_NOP10; op++ {
		if n := OpcodeName(byte(op)); n != "OP_UNKNOWN" {
			add(n, byte(op))
		}
	}
	add("OP_RESERVED", OP_RESERVED)
	add("OP_NOP2", OP_NOP2)
	add("OP_NOP3", OP_NOP3)
	add("OP_CHECKSIGADD", OP_CHECKSIGADD)
	add("OP_INVALIDOPCODE", OP_INVALIDOPCODE)
	add("OP_PUSHDATA1", OP_PUSHDATA1)
	add("OP_PUSHDATA2", OP_PUSHDATA2)
	add("OP_PUSHDATA4", OP_PUSHDATA4)
	m["OP_0"], m["OP_FALSE"], m["FALSE"] = OP_0, OP_0, OP_0
	m["OP_TRUE"], m["TRUE"] = OP_1, OP_1
	m["OP_1NEGATE"], m["1NEGATE"] = OP_1NEGATE, OP_1NEGATE
	for i := 1; i <= 16; i++ {
		m["OP_"+strconv.Itoa(i)] = SmallIntOpcode(i)
	}
	return m
}()

// ParseShortForm assembles Bitcoin Core's test notation (its ParseScript,
// used by script_tests.json and tx_valid.json): whitespace-separated words,
// each one of
//
//   - a decimal number in ±0xffffffff, pushed as CScript << n does
//     (OP_0, OP_1NEGATE, OP_1..OP_16 or a minimal number push);
//   - 0x followed by an even number of hex digits, inserted as raw bytes;
//   - 'text' in single quotes (no spaces), pushed as data;
//   - an opcode name, with or without the OP_ prefix ("DUP", "OP_DUP").
func ParseShortForm(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)/2)
	for _, w := range strings.Fields(s) {
		switch {
		case isDecimal(w):
			n, err := strconv.ParseInt(w, 10, 64)
			if err != nil || n > 0xffffffff || n < -0xffffffff {
				return nil, fmt.Errorf("parse script: number %s out of range ±0xffffffff", w)
			}
			out = appendShortFormNumber(out, n)
		case strings.HasPrefix(w, "0x") && len(w) > 2:
			raw, err := hex.DecodeString(w[2:])
			if err != nil {
				return nil, fmt.Errorf("parse script: bad hex %q: %w", w, err)
			}
			out = append(out, raw...)
		case len(w) >= 2 && w[0] == '\'' && w[len(w)-1] == '\'':
			out = appendPush(out, []byte(w[1:len(w)-1]))
		default:
			op, ok := shortFormOps[w]
			if !ok {
				return nil, fmt.Errorf("parse script: unknown opcode %q", w)
			}
			out = append(out, op)
		}
	}
	return out, nil
}

// appendShortFormNumber appends n as Core's CScript << int64 does.
func appendShortFormNumber(b []byte, n int64) []byte {
	switch {
	case n == 0:
		return append(b, OP_0)
	case n == -1 || (n >= 1 && n <= 16):
		return append(b, byte(int64(OP_1-1)+n))
	}
	var tmp [9]byte
	return appendPush(b, ScriptNum(n).AppendTo(tmp[:0]))
}

// isDecimal reports whether w is digits, optionally after a minus sign.
func isDecimal(w string) bool {
	if strings.HasPrefix(w, "-") {
		w = w[1:]
	}
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}
