package script

// GetSigOpCount counts the signature operations of script the legacy way:
// OP_CHECKSIG and OP_CHECKSIGVERIFY count 1; OP_CHECKMULTISIG and
// OP_CHECKMULTISIGVERIFY count 20, or, when accurate is set and the previous
// opcode is OP_1..OP_16, that number. Counting stops silently at the first
// malformed push, as in Bitcoin Core.
func GetSigOpCount(script []byte, accurate bool) int {
	n := 0
	last := byte(OP_INVALIDOPCODE)
	t := MakeTokenizer(script)
	for t.Next() {
		op := t.Opcode()
		switch op {
		case OP_CHECKSIG, OP_CHECKSIGVERIFY:
			n++
		case OP_CHECKMULTISIG, OP_CHECKMULTISIGVERIFY:
			if accurate && last >= OP_1 && last <= OP_16 {
				n += SmallIntValue(last)
			} else {
				n += MaxPubKeysPerMultiSig
			}
		}
		last = op
	}
	return n
}

// GetP2SHSigOpCount returns the accurate signature-operation count of the
// redeem script a P2SH spend reveals: the last push of scriptSig. It returns
// 0 when pkScript is not P2SH, when scriptSig is not push-only or does not
// parse, or when scriptSig is empty.
func GetP2SHSigOpCount(scriptSig, pkScript []byte) int {
	if !IsPayToScriptHash(pkScript) {
		return 0
	}
	var last []byte
	t := MakeTokenizer(scriptSig)
	for t.Next() {
		if t.Opcode() > OP_16 {
			return 0
		}
		last = t.Data()
	}
	if t.Err() != nil {
		return 0
	}
	return GetSigOpCount(last, true)
}
