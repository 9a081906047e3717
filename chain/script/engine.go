package script

import (
	"crypto/sha1" //nolint:gosec // OP_SHA1 is part of the script language.
	"crypto/sha256"
	"sync"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// Shared results of comparisons and signature checks. Stack elements are
// never modified in place, so these may be pushed any number of times.
var (
	vchTrue  = []byte{1}
	vchFalse = []byte{}
)

// engine holds the state of one VerifyScript call. Engines are pooled so
// that their stacks' backing arrays are reused.
type engine struct {
	flags   Flags
	checker SigChecker
	stack   [][]byte
	alt     [][]byte
	saved   [][]byte // the stack after scriptSig, for P2SH
	pushBuf []byte   // scratch for FindAndDelete patterns
}

var enginePool = sync.Pool{New: func() any {
	return &engine{stack: make([][]byte, 0, 16), saved: make([][]byte, 0, 16)}
}}

// release clears references to script data and returns e to the pool.
func (e *engine) release() {
	clear(e.stack)
	clear(e.alt)
	clear(e.saved)
	e.stack, e.alt, e.saved = e.stack[:0], e.alt[:0], e.saved[:0]
	e.checker = nil
	if cap(e.stack) > MaxStackSize+2 || cap(e.pushBuf) > 1024 {
		return // let unusually large engines go
	}
	enginePool.Put(e)
}

// VerifyScript runs scriptSig then scriptPubKey (and, for P2SH spends under
// VerifyP2SH, the redeem script) under flags, and returns nil if the spend
// is valid. Failures are *Error values whose Code names Bitcoin Core's
// script error. checker supplies the transaction context; nil means none
// (signature and lock-time checks then fail).
func VerifyScript(scriptSig, scriptPubKey []byte, flags Flags, checker SigChecker) error {
	if flags&VerifyCleanStack != 0 && flags&VerifyP2SH == 0 {
		return scriptError(ErrUnknown, "flag CLEANSTACK requires P2SH")
	}
	if flags&VerifySigPushOnly != 0 && !IsPushOnly(scriptSig) {
		return scriptError(ErrSigPushOnly, "scriptSig is not push-only")
	}
	if checker == nil {
		checker = nullChecker{}
	}
	e := enginePool.Get().(*engine)
	e.flags, e.checker = flags, checker
	defer e.release()

	if err := e.eval(scriptSig); err != nil {
		return err
	}
	if flags&VerifyP2SH != 0 {
		e.saved = append(e.saved[:0], e.stack...)
	}
	if err := e.eval(scriptPubKey); err != nil {
		return err
	}
	if len(e.stack) == 0 || !asBool(e.stack[len(e.stack)-1]) {
		return scriptError(ErrEvalFalse, "script evaluated to false")
	}

	if flags&VerifyP2SH != 0 && IsPayToScriptHash(scriptPubKey) {
		if !IsPushOnly(scriptSig) {
			return scriptError(ErrSigPushOnly, "P2SH scriptSig is not push-only")
		}
		e.stack, e.saved = e.saved, e.stack
		if len(e.stack) == 0 {
			return scriptError(ErrEvalFalse, "P2SH spend without redeem script")
		}
		redeem := e.pop()
		if err := e.eval(redeem); err != nil {
			return err
		}
		if len(e.stack) == 0 || !asBool(e.stack[len(e.stack)-1]) {
			return scriptError(ErrEvalFalse, "redeem script evaluated to false")
		}
	}

	if flags&VerifyCleanStack != 0 && len(e.stack) != 1 {
		return scriptError(ErrCleanStack, "stack holds %d items after evaluation", len(e.stack))
	}
	return nil
}

// condStack is Bitcoin Core's compact IF/ELSE/ENDIF stack: only its depth
// and the position of the first false entry matter.
type condStack struct {
	size       int
	firstFalse int // -1 when every entry is true
}

func (c *condStack) allTrue() bool { return c.firstFalse < 0 }

func (c *condStack) push(v bool) {
	if c.firstFalse < 0 && !v {
		c.firstFalse = c.size
	}
	c.size++
}

func (c *condStack) pop() {
	c.size--
	if c.firstFalse == c.size {
		c.firstFalse = -1
	}
}

func (c *condStack) toggleTop() {
	switch c.firstFalse {
	case -1:
		c.firstFalse = c.size - 1
	case c.size - 1:
		c.firstFalse = -1
	}
	// A false entry below the top stays the first false one.
}

// Stack helpers. Callers check the depth first.

func (e *engine) push(b []byte) { e.stack = append(e.stack, b) }

func (e *engine) pop() []byte {
	n := len(e.stack) - 1
	b := e.stack[n]
	e.stack[n] = nil
	e.stack = e.stack[:n]
	return b
}

// top returns the i-th element from the top (1 = top).
func (e *engine) top(i int) []byte { return e.stack[len(e.stack)-i] }

func (e *engine) need(n int, op byte) error {
	if len(e.stack) < n {
		return scriptError(ErrInvalidStackOperation, "%s needs %d stack items, have %d",
			OpcodeName(op), n, len(e.stack))
	}
	return nil
}

// popNum pops the top element as a script number of at most maxLen bytes.
func (e *engine) popNum(maxLen int) (ScriptNum, error) {
	n, err := MakeScriptNum(e.top(1), e.flags&VerifyMinimalData != 0, maxLen)
	if err != nil {
		return 0, err
	}
	e.pop()
	return n, nil
}

func (e *engine) pushNum(n ScriptNum) { e.push(n.Bytes()) }

func (e *engine) pushBool(v bool) {
	if v {
		e.push(vchTrue)
	} else {
		e.push(vchFalse)
	}
}

// isDisabledOpcode reports whether op fails a script even unexecuted
// (CVE-2010-5137).
func isDisabledOpcode(op byte) bool {
	switch op {
	case OP_CAT, OP_SUBSTR, OP_LEFT, OP_RIGHT, OP_INVERT, OP_AND, OP_OR, OP_XOR,
		OP_2MUL, OP_2DIV, OP_MUL, OP_DIV, OP_MOD, OP_LSHIFT, OP_RSHIFT:
		return true
	}
	return false
}

// eval runs one script on the engine's stack (Bitcoin Core's EvalScript for
// base, non-witness script).
func (e *engine) eval(script []byte) error {
	if len(script) > MaxScriptSize {
		return scriptError(ErrScriptSize, "script of %d bytes exceeds %d", len(script), MaxScriptSize)
	}
	clear(e.alt)
	e.alt = e.alt[:0]
	cond := condStack{firstFalse: -1}
	minimal := e.flags&VerifyMinimalData != 0
	opCount := 0
	codeStart := 0 // where the script code of signature checks begins
	for pc := 0; pc < len(script); {
		exec := cond.allTrue()
		op, data, n, err := parseOp(script, pc)
		if err != nil {
			return err
		}
		pc += n
		if len(data) > MaxScriptElementSize {
			return scriptError(ErrPushSize, "push of %d bytes exceeds %d", len(data), MaxScriptElementSize)
		}
		// OP_RESERVED (below OP_16) does not count.
		if op > OP_16 {
			opCount++
			if opCount > MaxOpsPerScript {
				return scriptError(ErrOpCount, "more than %d operations", MaxOpsPerScript)
			}
		}
		if isDisabledOpcode(op) {
			return scriptError(ErrDisabledOpcode, "%s is disabled", OpcodeName(op))
		}
		if op == OP_CODESEPARATOR && e.flags&VerifyConstScriptCode != 0 {
			return scriptError(ErrOpCodeSeparator, "OP_CODESEPARATOR with CONST_SCRIPTCODE")
		}

		switch {
		case exec && op <= OP_PUSHDATA4:
			if minimal && !checkMinimalPush(data, op) {
				return scriptError(ErrMinimalData, "push of %d bytes not minimal", len(data))
			}
			e.push(data)
		case exec || (op >= OP_IF && op <= OP_ENDIF):
			if err := e.step(op, exec, &cond, &opCount, script, pc, &codeStart); err != nil {
				return err
			}
		}

		if len(e.stack)+len(e.alt) > MaxStackSize {
			return scriptError(ErrStackSize, "stack size exceeds %d", MaxStackSize)
		}
	}
	if cond.size != 0 {
		return scriptError(ErrUnbalancedConditional, "OP_IF without OP_ENDIF")
	}
	return nil
}

// step executes one non-push opcode. pc is the offset just past it.
func (e *engine) step(op byte, exec bool, cond *condStack, opCount *int, script []byte,
	pc int, codeStart *int) error {
	switch op {
	case OP_1NEGATE, OP_1, OP_2, OP_3, OP_4, OP_5, OP_6, OP_7, OP_8, OP_9, OP_10, OP_11,
		OP_12, OP_13, OP_14, OP_15, OP_16:
		e.pushNum(ScriptNum(int(op) - (OP_1 - 1)))

	case OP_NOP:

	case OP_CHECKLOCKTIMEVERIFY:
		if e.flags&VerifyCheckLockTimeVerify == 0 {
			// Not enabled: a plain NOP2, even under
			// DISCOURAGE_UPGRADABLE_NOPS (as in current Bitcoin Core).
			break
		}
		if err := e.need(1, op); err != nil {
			return err
		}
		lt, err := MakeScriptNum(e.top(1), e.flags&VerifyMinimalData != 0, LockTimeScriptNumLen)
		if err != nil {
			return err
		}
		if lt < 0 {
			return scriptError(ErrNegativeLockTime, "negative lock time %d", lt)
		}
		if !e.checker.CheckLockTime(lt) {
			return scriptError(ErrUnsatisfiedLockTime, "lock time %d not satisfied", lt)
		}

	case OP_CHECKSEQUENCEVERIFY:
		if e.flags&VerifyCheckSequenceVerify == 0 {
			break // not enabled: a plain NOP3
		}
		if err := e.need(1, op); err != nil {
			return err
		}
		seq, err := MakeScriptNum(e.top(1), e.flags&VerifyMinimalData != 0, LockTimeScriptNumLen)
		if err != nil {
			return err
		}
		if seq < 0 {
			return scriptError(ErrNegativeLockTime, "negative sequence %d", seq)
		}
		if seq&SequenceLockTimeDisabled != 0 {
			break // reserved for soft forks: a NOP
		}
		if !e.checker.CheckSequence(seq) {
			return scriptError(ErrUnsatisfiedLockTime, "relative lock time %d not satisfied", seq)
		}

	case OP_NOP1, OP_NOP4, OP_NOP5, OP_NOP6, OP_NOP7, OP_NOP8, OP_NOP9, OP_NOP10:
		return e.upgradableNop(op)

	case OP_IF, OP_NOTIF:
		v := false
		if exec {
			if len(e.stack) < 1 {
				return scriptError(ErrUnbalancedConditional, "%s with empty stack", OpcodeName(op))
			}
			v = asBool(e.pop())
			if op == OP_NOTIF {
				v = !v
			}
		}
		cond.push(v)

	case OP_ELSE:
		if cond.size == 0 {
			return scriptError(ErrUnbalancedConditional, "OP_ELSE without OP_IF")
		}
		cond.toggleTop()

	case OP_ENDIF:
		if cond.size == 0 {
			return scriptError(ErrUnbalancedConditional, "OP_ENDIF without OP_IF")
		}
		cond.pop()

	case OP_VERIFY:
		if err := e.need(1, op); err != nil {
			return err
		}
		if !asBool(e.top(1)) {
			return scriptError(ErrVerify, "OP_VERIFY failed")
		}
		e.pop()

	case OP_RETURN:
		return scriptError(ErrOpReturn, "OP_RETURN executed")

	case OP_TOALTSTACK:
		if err := e.need(1, op); err != nil {
			return err
		}
		e.alt = append(e.alt, e.pop())

	case OP_FROMALTSTACK:
		if len(e.alt) < 1 {
			return scriptError(ErrInvalidAltStackOperation, "OP_FROMALTSTACK with empty altstack")
		}
		n := len(e.alt) - 1
		e.push(e.alt[n])
		e.alt[n] = nil
		e.alt = e.alt[:n]

	case OP_2DROP:
		if err := e.need(2, op); err != nil {
			return err
		}
		e.pop()
		e.pop()

	case OP_2DUP:
		if err := e.need(2, op); err != nil {
			return err
		}
		a, b := e.top(2), e.top(1)
		e.push(a)
		e.push(b)

	case OP_3DUP:
		if err := e.need(3, op); err != nil {
			return err
		}
		a, b, c := e.top(3), e.top(2), e.top(1)
		e.push(a)
		e.push(b)
		e.push(c)

	case OP_2OVER:
		if err := e.need(4, op); err != nil {
			return err
		}
		a, b := e.top(4), e.top(3)
		e.push(a)
		e.push(b)

	case OP_2ROT:
		// x1 x2 x3 x4 x5 x6 -- x3 x4 x5 x6 x1 x2
		if err := e.need(6, op); err != nil {
			return err
		}
		s := e.stack[len(e.stack)-6:]
		x1, x2 := s[0], s[1]
		copy(s, s[2:])
		s[4], s[5] = x1, x2

	case OP_2SWAP:
		// x1 x2 x3 x4 -- x3 x4 x1 x2
		if err := e.need(4, op); err != nil {
			return err
		}
		s := e.stack[len(e.stack)-4:]
		s[0], s[1], s[2], s[3] = s[2], s[3], s[0], s[1]

	case OP_IFDUP:
		if err := e.need(1, op); err != nil {
			return err
		}
		if v := e.top(1); asBool(v) {
			e.push(v)
		}

	case OP_DEPTH:
		e.pushNum(ScriptNum(len(e.stack)))

	case OP_DROP:
		if err := e.need(1, op); err != nil {
			return err
		}
		e.pop()

	case OP_DUP:
		if err := e.need(1, op); err != nil {
			return err
		}
		e.push(e.top(1))

	case OP_NIP:
		if err := e.need(2, op); err != nil {
			return err
		}
		top := e.pop()
		e.stack[len(e.stack)-1] = top

	case OP_OVER:
		if err := e.need(2, op); err != nil {
			return err
		}
		e.push(e.top(2))

	case OP_PICK, OP_ROLL:
		if err := e.need(2, op); err != nil {
			return err
		}
		num, err := e.popNum(DefaultScriptNumLen)
		if err != nil {
			return err
		}
		n := int(num.Int32())
		if n < 0 || n >= len(e.stack) {
			return scriptError(ErrInvalidStackOperation, "%s index %d out of range", OpcodeName(op), n)
		}
		pos := len(e.stack) - 1 - n
		v := e.stack[pos]
		if op == OP_ROLL {
			copy(e.stack[pos:], e.stack[pos+1:])
			e.stack[len(e.stack)-1] = v
		} else {
			e.push(v)
		}

	case OP_ROT:
		// x1 x2 x3 -- x2 x3 x1
		if err := e.need(3, op); err != nil {
			return err
		}
		s := e.stack[len(e.stack)-3:]
		s[0], s[1], s[2] = s[1], s[2], s[0]

	case OP_SWAP:
		if err := e.need(2, op); err != nil {
			return err
		}
		s := e.stack[len(e.stack)-2:]
		s[0], s[1] = s[1], s[0]

	case OP_TUCK:
		// x1 x2 -- x2 x1 x2
		if err := e.need(2, op); err != nil {
			return err
		}
		x2 := e.top(1)
		e.push(x2)
		s := e.stack[len(e.stack)-3:]
		s[0], s[1] = s[2], s[0]

	case OP_SIZE:
		if err := e.need(1, op); err != nil {
			return err
		}
		e.pushNum(ScriptNum(len(e.top(1))))

	case OP_EQUAL, OP_EQUALVERIFY:
		if err := e.need(2, op); err != nil {
			return err
		}
		eq := string(e.pop()) == string(e.pop())
		if op == OP_EQUALVERIFY {
			if !eq {
				return scriptError(ErrEqualVerify, "OP_EQUALVERIFY failed")
			}
			break
		}
		e.pushBool(eq)

	case OP_1ADD, OP_1SUB, OP_NEGATE, OP_ABS, OP_NOT, OP_0NOTEQUAL:
		if err := e.need(1, op); err != nil {
			return err
		}
		n, err := e.popNum(DefaultScriptNumLen)
		if err != nil {
			return err
		}
		switch op {
		case OP_1ADD:
			n++
		case OP_1SUB:
			n--
		case OP_NEGATE:
			n = -n
		case OP_ABS:
			if n < 0 {
				n = -n
			}
		case OP_NOT:
			n = boolNum(n == 0)
		case OP_0NOTEQUAL:
			n = boolNum(n != 0)
		}
		e.pushNum(n)

	case OP_ADD, OP_SUB, OP_BOOLAND, OP_BOOLOR, OP_NUMEQUAL, OP_NUMEQUALVERIFY,
		OP_NUMNOTEQUAL, OP_LESSTHAN, OP_GREATERTHAN, OP_LESSTHANOREQUAL,
		OP_GREATERTHANOREQUAL, OP_MIN, OP_MAX:
		if err := e.need(2, op); err != nil {
			return err
		}
		minimal := e.flags&VerifyMinimalData != 0
		a, err := MakeScriptNum(e.top(2), minimal, DefaultScriptNumLen)
		if err != nil {
			return err
		}
		b, err := MakeScriptNum(e.top(1), minimal, DefaultScriptNumLen)
		if err != nil {
			return err
		}
		e.pop()
		e.pop()
		var r ScriptNum
		switch op {
		case OP_ADD:
			r = a + b
		case OP_SUB:
			r = a - b
		case OP_BOOLAND:
			r = boolNum(a != 0 && b != 0)
		case OP_BOOLOR:
			r = boolNum(a != 0 || b != 0)
		case OP_NUMEQUAL, OP_NUMEQUALVERIFY:
			r = boolNum(a == b)
		case OP_NUMNOTEQUAL:
			r = boolNum(a != b)
		case OP_LESSTHAN:
			r = boolNum(a < b)
		case OP_GREATERTHAN:
			r = boolNum(a > b)
		case OP_LESSTHANOREQUAL:
			r = boolNum(a <= b)
		case OP_GREATERTHANOREQUAL:
			r = boolNum(a >= b)
		case OP_MIN:
			r = min(a, b)
		case OP_MAX:
			r = max(a, b)
		}
		if op == OP_NUMEQUALVERIFY {
			if r == 0 {
				return scriptError(ErrNumEqualVerify, "OP_NUMEQUALVERIFY failed")
			}
			break
		}
		e.pushNum(r)

	case OP_WITHIN:
		if err := e.need(3, op); err != nil {
			return err
		}
		minimal := e.flags&VerifyMinimalData != 0
		var v [3]ScriptNum
		for i := range v {
			n, err := MakeScriptNum(e.top(3-i), minimal, DefaultScriptNumLen)
			if err != nil {
				return err
			}
			v[i] = n
		}
		e.pop()
		e.pop()
		e.pop()
		e.pushBool(v[1] <= v[0] && v[0] < v[2])

	case OP_RIPEMD160, OP_SHA1, OP_SHA256, OP_HASH160, OP_HASH256:
		if err := e.need(1, op); err != nil {
			return err
		}
		v := e.pop()
		switch op {
		case OP_RIPEMD160:
			e.push(ripemd160Sum(v))
		case OP_SHA1:
			h := sha1.Sum(v) //nolint:gosec // consensus opcode
			e.push(h[:])
		case OP_SHA256:
			h := sha256.Sum256(v)
			e.push(h[:])
		case OP_HASH160:
			h := new([20]byte)
			hash160Into(h, v)
			e.push(h[:])
		case OP_HASH256:
			h := wire.DoubleSHA256(v)
			e.push(h[:])
		}

	case OP_CODESEPARATOR:
		*codeStart = pc

	case OP_CHECKSIG, OP_CHECKSIGVERIFY:
		if err := e.need(2, op); err != nil {
			return err
		}
		ok, err := e.checkSig(e.top(2), e.top(1), script[*codeStart:])
		if err != nil {
			return err
		}
		e.pop()
		e.pop()
		if op == OP_CHECKSIGVERIFY {
			if !ok {
				return scriptError(ErrCheckSigVerify, "OP_CHECKSIGVERIFY failed")
			}
			break
		}
		e.pushBool(ok)

	case OP_CHECKMULTISIG, OP_CHECKMULTISIGVERIFY:
		return e.checkMultiSig(op, opCount, script[*codeStart:])

	default:
		return scriptError(ErrBadOpcode, "opcode 0x%02x (%s) is invalid", op, OpcodeName(op))
	}
	return nil
}

// upgradableNop handles the NOPs reserved for soft forks.
func (e *engine) upgradableNop(op byte) error {
	if e.flags&VerifyDiscourageUpgradableNops != 0 {
		return scriptError(ErrDiscourageUpgradableNops, "%s is reserved for upgrades", OpcodeName(op))
	}
	return nil
}

func boolNum(v bool) ScriptNum {
	if v {
		return 1
	}
	return 0
}

// deleteSig applies FindAndDelete of sig's push to scriptCode, failing under
// CONST_SCRIPTCODE when something is deleted.
func (e *engine) deleteSig(scriptCode, sig []byte) ([]byte, error) {
	e.pushBuf = appendPush(e.pushBuf[:0], sig)
	sc, found := findAndDelete(scriptCode, e.pushBuf)
	if found > 0 && e.flags&VerifyConstScriptCode != 0 {
		return nil, scriptError(ErrSigFindAndDelete, "script code contains the signature")
	}
	return sc, nil
}

// checkSig is the body of OP_CHECKSIG: it reports whether the signature
// verifies, or an error when the encoding rules or NULLFAIL are violated.
func (e *engine) checkSig(sig, pubKey, scriptCode []byte) (bool, error) {
	scriptCode, err := e.deleteSig(scriptCode, sig)
	if err != nil {
		return false, err
	}
	if err := checkSignatureEncoding(sig, e.flags); err != nil {
		return false, err
	}
	if err := checkPubKeyEncoding(pubKey, e.flags); err != nil {
		return false, err
	}
	ok := e.checker.CheckSig(sig, pubKey, scriptCode)
	if !ok && e.flags&VerifyNullFail != 0 && len(sig) > 0 {
		return false, scriptError(ErrNullFail, "failed signature check with non-empty signature")
	}
	return ok, nil
}

// checkMultiSig executes OP_CHECKMULTISIG(VERIFY):
//
//	dummy [sig ...] nsigs [pubkey ...] nkeys -- bool
func (e *engine) checkMultiSig(op byte, opCount *int, scriptCode []byte) error {
	minimal := e.flags&VerifyMinimalData != 0
	i := 1
	if err := e.need(i, op); err != nil {
		return err
	}
	nk, err := MakeScriptNum(e.top(i), minimal, DefaultScriptNumLen)
	if err != nil {
		return err
	}
	nKeys := int(nk.Int32())
	if nKeys < 0 || nKeys > MaxPubKeysPerMultiSig {
		return scriptError(ErrPubKeyCount, "key count %d out of range", nKeys)
	}
	*opCount += nKeys
	if *opCount > MaxOpsPerScript {
		return scriptError(ErrOpCount, "more than %d operations", MaxOpsPerScript)
	}
	i++
	ikey := i
	// ikey2 is the position of the last non-signature item (top = 1); with
	// NULLFAIL it marks where the signatures start during cleanup.
	ikey2 := nKeys + 2
	i += nKeys
	if err := e.need(i, op); err != nil {
		return err
	}
	ns, err := MakeScriptNum(e.top(i), minimal, DefaultScriptNumLen)
	if err != nil {
		return err
	}
	nSigs := int(ns.Int32())
	if nSigs < 0 || nSigs > nKeys {
		return scriptError(ErrSigCount, "signature count %d out of range", nSigs)
	}
	i++
	isig := i
	i += nSigs
	if err := e.need(i, op); err != nil {
		return err
	}

	for k := 0; k < nSigs; k++ {
		if scriptCode, err = e.deleteSig(scriptCode, e.top(isig+k)); err != nil {
			return err
		}
	}

	success := true
	for success && nSigs > 0 {
		sig, pubKey := e.top(isig), e.top(ikey)
		// The order of these checks is observable (CHECKMULTISIG NOT with
		// STRICTENC); it follows Bitcoin Core.
		if err := checkSignatureEncoding(sig, e.flags); err != nil {
			return err
		}
		if err := checkPubKeyEncoding(pubKey, e.flags); err != nil {
			return err
		}
		if e.checker.CheckSig(sig, pubKey, scriptCode) {
			isig++
			nSigs--
		}
		ikey++
		nKeys--
		// More signatures left than keys: too many have failed.
		if nSigs > nKeys {
			success = false
		}
	}

	// Pop the arguments; with NULLFAIL a failed check needs empty signatures.
	for ; i > 1; i-- {
		if !success && e.flags&VerifyNullFail != 0 && ikey2 == 0 && len(e.top(1)) > 0 {
			return scriptError(ErrNullFail, "failed multisig check with non-empty signature")
		}
		if ikey2 > 0 {
			ikey2--
		}
		e.pop()
	}
	// The extra item CHECKMULTISIG consumes (an old off-by-one).
	if len(e.stack) < 1 {
		return scriptError(ErrInvalidStackOperation, "%s lacks its dummy item", OpcodeName(op))
	}
	if e.flags&VerifyNullDummy != 0 && len(e.top(1)) != 0 {
		return scriptError(ErrSigNullDummy, "multisig dummy item is not empty")
	}
	e.pop()
	if op == OP_CHECKMULTISIGVERIFY {
		if !success {
			return scriptError(ErrCheckMultiSigVerify, "OP_CHECKMULTISIGVERIFY failed")
		}
		return nil
	}
	e.pushBool(success)
	return nil
}

// VerifyInput verifies input idx of tx against the output script it spends
// (pkScript) under flags, checking signatures with an optional cache. It is
// VerifyScript with the input's scriptSig and a TxSigChecker.
func VerifyInput(tx *wire.Tx, idx int, pkScript []byte, flags Flags, cache SigCache) error {
	if idx < 0 || idx >= len(tx.TxIn) {
		return scriptError(ErrUnknown, "input %d out of range (%d inputs)", idx, len(tx.TxIn))
	}
	checker := MakeTxSigChecker(tx, idx, cache)
	return VerifyScript(tx.TxIn[idx].SignatureScript, pkScript, flags, &checker)
}
