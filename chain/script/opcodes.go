package script

// Opcodes of Bitcoin's script language, named as in Bitcoin Core.
const (
	OP_0         = 0x00 // push an empty byte vector
	OP_FALSE     = OP_0 // alias of OP_0
	OP_DATA_1    = 0x01 // first direct push: the opcode is the byte count
	OP_DATA_75   = 0x4b // last direct push
	OP_PUSHDATA1 = 0x4c // next byte is the push length
	OP_PUSHDATA2 = 0x4d // next two bytes (LE) are the push length
	OP_PUSHDATA4 = 0x4e // next four bytes (LE) are the push length
	OP_1NEGATE   = 0x4f // push the number -1
	OP_RESERVED  = 0x50 // fails the script when executed
	OP_1         = 0x51 // push the number 1
	OP_TRUE      = OP_1 // alias of OP_1
	OP_2         = 0x52
	OP_3         = 0x53
	OP_4         = 0x54
	OP_5         = 0x55
	OP_6         = 0x56
	OP_7         = 0x57
	OP_8         = 0x58
	OP_9         = 0x59
	OP_10        = 0x5a
	OP_11        = 0x5b
	OP_12        = 0x5c
	OP_13        = 0x5d
	OP_14        = 0x5e
	OP_15        = 0x5f
	OP_16        = 0x60

	// Control flow.
	OP_NOP      = 0x61
	OP_VER      = 0x62
	OP_IF       = 0x63
	OP_NOTIF    = 0x64
	OP_VERIF    = 0x65
	OP_VERNOTIF = 0x66
	OP_ELSE     = 0x67
	OP_ENDIF    = 0x68
	OP_VERIFY   = 0x69
	OP_RETURN   = 0x6a

	// Stack operations.
	OP_TOALTSTACK   = 0x6b
	OP_FROMALTSTACK = 0x6c
	OP_2DROP        = 0x6d
	OP_2DUP         = 0x6e
	OP_3DUP         = 0x6f
	OP_2OVER        = 0x70
	OP_2ROT         = 0x71
	OP_2SWAP        = 0x72
	OP_IFDUP        = 0x73
	OP_DEPTH        = 0x74
	OP_DROP         = 0x75
	OP_DUP          = 0x76
	OP_NIP          = 0x77
	OP_OVER         = 0x78
	OP_PICK         = 0x79
	OP_ROLL         = 0x7a
	OP_ROT          = 0x7b
	OP_SWAP         = 0x7c
	OP_TUCK         = 0x7d

	// Splice operations.
	OP_CAT    = 0x7e
	OP_SUBSTR = 0x7f
	OP_LEFT   = 0x80
	OP_RIGHT  = 0x81
	OP_SIZE   = 0x82

	// Bit logic.
	OP_INVERT      = 0x83
	OP_AND         = 0x84
	OP_OR          = 0x85
	OP_XOR         = 0x86
	OP_EQUAL       = 0x87
	OP_EQUALVERIFY = 0x88
	OP_RESERVED1   = 0x89
	OP_RESERVED2   = 0x8a

	// Numeric.
	OP_1ADD               = 0x8b
	OP_1SUB               = 0x8c
	OP_2MUL               = 0x8d
	OP_2DIV               = 0x8e
	OP_NEGATE             = 0x8f
	OP_ABS                = 0x90
	OP_NOT                = 0x91
	OP_0NOTEQUAL          = 0x92
	OP_ADD                = 0x93
	OP_SUB                = 0x94
	OP_MUL                = 0x95
	OP_DIV                = 0x96
	OP_MOD                = 0x97
	OP_LSHIFT             = 0x98
	OP_RSHIFT             = 0x99
	OP_BOOLAND            = 0x9a
	OP_BOOLOR             = 0x9b
	OP_NUMEQUAL           = 0x9c
	OP_NUMEQUALVERIFY     = 0x9d
	OP_NUMNOTEQUAL        = 0x9e
	OP_LESSTHAN           = 0x9f
	OP_GREATERTHAN        = 0xa0
	OP_LESSTHANOREQUAL    = 0xa1
	OP_GREATERTHANOREQUAL = 0xa2
	OP_MIN                = 0xa3
	OP_MAX                = 0xa4
	OP_WITHIN             = 0xa5

	// Crypto.
	OP_RIPEMD160           = 0xa6
	OP_SHA1                = 0xa7
	OP_SHA256              = 0xa8
	OP_HASH160             = 0xa9
	OP_HASH256             = 0xaa
	OP_CODESEPARATOR       = 0xab
	OP_CHECKSIG            = 0xac
	OP_CHECKSIGVERIFY      = 0xad
	OP_CHECKMULTISIG       = 0xae
	OP_CHECKMULTISIGVERIFY = 0xaf

	// Expansion.
	OP_NOP1                = 0xb0
	OP_CHECKLOCKTIMEVERIFY = 0xb1
	OP_NOP2                = OP_CHECKLOCKTIMEVERIFY
	OP_CHECKSEQUENCEVERIFY = 0xb2
	OP_NOP3                = OP_CHECKSEQUENCEVERIFY
	OP_NOP4                = 0xb3
	OP_NOP5                = 0xb4
	OP_NOP6                = 0xb5
	OP_NOP7                = 0xb6
	OP_NOP8                = 0xb7
	OP_NOP9                = 0xb8
	OP_NOP10               = 0xb9

	// OP_CHECKSIGADD is a tapscript opcode; in legacy script it is invalid.
	OP_CHECKSIGADD = 0xba

	// OP_INVALIDOPCODE is not a real opcode; Bitcoin Core uses it as a marker.
	OP_INVALIDOPCODE = 0xff
)

// Script limits of Bitcoin's legacy interpreter.
const (
	// MaxScriptSize is the largest script the interpreter runs, in bytes.
	MaxScriptSize = 10000
	// MaxScriptElementSize is the largest element that may be pushed.
	MaxScriptElementSize = 520
	// MaxOpsPerScript is the number of non-push opcodes a script may execute.
	MaxOpsPerScript = 201
	// MaxStackSize is the maximum combined size of the stack and altstack.
	MaxStackSize = 1000
	// MaxPubKeysPerMultiSig is the maximum key count of CHECKMULTISIG.
	MaxPubKeysPerMultiSig = 20
)

// opNames holds each opcode's name as Bitcoin Core's GetOpName prints it.
var opNames = func() [256]string {
	var n [256]string
	for i := range n {
		n[i] = "OP_UNKNOWN"
	}
	n[OP_0] = "0"
	for i := OP_DATA_1; i <= OP_DATA_75; i++ {
		n[i] = "OP_UNKNOWN" // Core prints direct pushes only as data
	}
	n[OP_PUSHDATA1] = "OP_PUSHDATA1"
	n[OP_PUSHDATA2] = "OP_PUSHDATA2"
	n[OP_PUSHDATA4] = "OP_PUSHDATA4"
	n[OP_1NEGATE] = "-1"
	n[OP_RESERVED] = "OP_RESERVED"
	for i := OP_1; i <= OP_16; i++ {
		n[i] = itoa(i - OP_1 + 1)
	}
	named := map[int]string{
		OP_NOP: "OP_NOP", OP_VER: "OP_VER", OP_IF: "OP_IF", OP_NOTIF: "OP_NOTIF",
		OP_VERIF: "OP_VERIF", OP_VERNOTIF: "OP_VERNOTIF", OP_ELSE: "OP_ELSE",
		OP_ENDIF: "OP_ENDIF", OP_VERIFY: "OP_VERIFY", OP_RETURN: "OP_RETURN",
		OP_TOALTSTACK: "OP_TOALTSTACK", OP_FROMALTSTACK: "OP_FROMALTSTACK",
		OP_2DROP: "OP_2DROP", OP_2DUP: "OP_2DUP", OP_3DUP: "OP_3DUP", OP_2OVER: "OP_2OVER",
		OP_2ROT: "OP_2ROT", OP_2SWAP: "OP_2SWAP", OP_IFDUP: "OP_IFDUP", OP_DEPTH: "OP_DEPTH",
		OP_DROP: "OP_DROP", OP_DUP: "OP_DUP", OP_NIP: "OP_NIP", OP_OVER: "OP_OVER",
		OP_PICK: "OP_PICK", OP_ROLL: "OP_ROLL", OP_ROT: "OP_ROT", OP_SWAP: "OP_SWAP",
		OP_TUCK: "OP_TUCK", OP_CAT: "OP_CAT", OP_SUBSTR: "OP_SUBSTR", OP_LEFT: "OP_LEFT",
		OP_RIGHT: "OP_RIGHT", OP_SIZE: "OP_SIZE", OP_INVERT: "OP_INVERT", OP_AND: "OP_AND",
		OP_OR: "OP_OR", OP_XOR: "OP_XOR", OP_EQUAL: "OP_EQUAL", OP_EQUALVERIFY: "OP_EQUALVERIFY",
		OP_RESERVED1: "OP_RESERVED1", OP_RESERVED2: "OP_RESERVED2", OP_1ADD: "OP_1ADD",
		OP_1SUB: "OP_1SUB", OP_2MUL: "OP_2MUL", OP_2DIV: "OP_2DIV", OP_NEGATE: "OP_NEGATE",
		OP_ABS: "OP_ABS", OP_NOT: "OP_NOT", OP_0NOTEQUAL: "OP_0NOTEQUAL", OP_ADD: "OP_ADD",
		OP_SUB: "OP_SUB", OP_MUL: "OP_MUL", OP_DIV: "OP_DIV", OP_MOD: "OP_MOD",
		OP_LSHIFT: "OP_LSHIFT", OP_RSHIFT: "OP_RSHIFT", OP_BOOLAND: "OP_BOOLAND",
		OP_BOOLOR: "OP_BOOLOR", OP_NUMEQUAL: "OP_NUMEQUAL", OP_NUMEQUALVERIFY: "OP_NUMEQUALVERIFY",
		OP_NUMNOTEQUAL: "OP_NUMNOTEQUAL", OP_LESSTHAN: "OP_LESSTHAN",
		OP_GREATERTHAN: "OP_GREATERTHAN", OP_LESSTHANOREQUAL: "OP_LESSTHANOREQUAL",
		OP_GREATERTHANOREQUAL: "OP_GREATERTHANOREQUAL", OP_MIN: "OP_MIN", OP_MAX: "OP_MAX",
		OP_WITHIN: "OP_WITHIN", OP_RIPEMD160: "OP_RIPEMD160", OP_SHA1: "OP_SHA1",
		OP_SHA256: "OP_SHA256", OP_HASH160: "OP_HASH160", OP_HASH256: "OP_HASH256",
		OP_CODESEPARATOR: "OP_CODESEPARATOR", OP_CHECKSIG: "OP_CHECKSIG",
		OP_CHECKSIGVERIFY: "OP_CHECKSIGVERIFY", OP_CHECKMULTISIG: "OP_CHECKMULTISIG",
		OP_CHECKMULTISIGVERIFY: "OP_CHECKMULTISIGVERIFY", OP_NOP1: "OP_NOP1",
		OP_CHECKLOCKTIMEVERIFY: "OP_CHECKLOCKTIMEVERIFY",
		OP_CHECKSEQUENCEVERIFY: "OP_CHECKSEQUENCEVERIFY", OP_NOP4: "OP_NOP4",
		OP_NOP5: "OP_NOP5", OP_NOP6: "OP_NOP6", OP_NOP7: "OP_NOP7", OP_NOP8: "OP_NOP8",
		OP_NOP9: "OP_NOP9", OP_NOP10: "OP_NOP10", OP_CHECKSIGADD: "OP_CHECKSIGADD",
		OP_INVALIDOPCODE: "OP_INVALIDOPCODE",
	}
	for op, s := range named {
		n[op] = s
	}
	return n
}()

// itoa formats a small non-negative integer without pulling in strconv at
// package initialisation.
func itoa(v int) string {
	if v < 10 {
		return string(rune('0' + v))
	}
	return string([]byte{byte('0' + v/10), byte('0' + v%10)})
}

// OpcodeName returns the name Bitcoin Core's GetOpName gives op: "0", "-1"
// and "1".."16" for the small-number pushes, "OP_DUP" and the like for the
// others, and "OP_UNKNOWN" for undefined opcodes and direct pushes.
func OpcodeName(op byte) string { return opNames[op] }

// IsSmallInt reports whether op pushes a small integer: OP_0 or OP_1..OP_16.
func IsSmallInt(op byte) bool { return op == OP_0 || (op >= OP_1 && op <= OP_16) }

// SmallIntValue returns the number OP_0 or OP_1..OP_16 pushes, and 0 for any
// other opcode.
func SmallIntValue(op byte) int {
	if op >= OP_1 && op <= OP_16 {
		return int(op) - (OP_1 - 1)
	}
	return 0
}

// SmallIntOpcode returns the opcode pushing n, for 0 ≤ n ≤ 16; for other n it
// returns OP_INVALIDOPCODE.
func SmallIntOpcode(n int) byte {
	switch {
	case n == 0:
		return OP_0
	case n >= 1 && n <= 16:
		return byte(OP_1 - 1 + n)
	}
	return OP_INVALIDOPCODE
}
