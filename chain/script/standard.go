package script

import "fmt"

// ScriptClass is the kind of an output script, by standard template.
type ScriptClass int

// Script classes.
const (
	// NonStandardTy is any script matching no standard template.
	NonStandardTy ScriptClass = iota
	// PubKeyHashTy is pay-to-pubkey-hash:
	// OP_DUP OP_HASH160 <20 bytes> OP_EQUALVERIFY OP_CHECKSIG.
	PubKeyHashTy
	// ScriptHashTy is BIP16 pay-to-script-hash: OP_HASH160 <20 bytes> OP_EQUAL.
	ScriptHashTy
	// PubKeyTy is pay-to-pubkey: <public key> OP_CHECKSIG.
	PubKeyTy
	// MultiSigTy is bare multisig: OP_m <public key>... OP_n OP_CHECKMULTISIG.
	MultiSigTy
	// NullDataTy is a data carrier: OP_RETURN followed by pushes only.
	NullDataTy
)

// String returns the class's name as Bitcoin Core's RPC shows it in
// scriptPubKey.type: "pubkeyhash", "scripthash", "pubkey", "multisig",
// "nulldata" or "nonstandard".
func (c ScriptClass) String() string {
	switch c {
	case PubKeyHashTy:
		return "pubkeyhash"
	case ScriptHashTy:
		return "scripthash"
	case PubKeyTy:
		return "pubkey"
	case MultiSigTy:
		return "multisig"
	case NullDataTy:
		return "nulldata"
	}
	return "nonstandard"
}

// Standardness limits (policy, not consensus).
const (
	// MaxDataCarrierSize is the largest standard OP_RETURN output script:
	// OP_RETURN and a push of up to 80 bytes.
	MaxDataCarrierSize = 83
	// MaxDataCarrierData is the largest standard OP_RETURN payload.
	MaxDataCarrierData = 80
	// MaxStandardMultiSigKeys is the most keys a standard bare multisig has.
	MaxStandardMultiSigKeys = 3
	// MaxStandardScriptSigSize is the largest standard scriptSig, in bytes.
	MaxStandardScriptSigSize = 1650
)

// ScriptInfo is what a standard output script commits to.
type ScriptInfo struct {
	// Class is the script's template.
	Class ScriptClass
	// Hash is the 20-byte hash of PubKeyHashTy and ScriptHashTy scripts.
	Hash []byte
	// PubKeys are the keys of PubKeyTy and MultiSigTy scripts.
	PubKeys [][]byte
	// RequiredSigs is the number of signatures a spend needs (m of a
	// multisig, 1 for the single-key classes, 0 otherwise).
	RequiredSigs int
	// Data are the pushes following OP_RETURN in a NullDataTy script.
	Data [][]byte
}

// ExtractScriptInfo classifies pkScript as Bitcoin Core's Solver does and
// returns what it commits to. Slices alias pkScript.
func ExtractScriptInfo(pkScript []byte) ScriptInfo {
	switch {
	case IsPayToScriptHash(pkScript):
		return ScriptInfo{Class: ScriptHashTy, Hash: pkScript[2:22], RequiredSigs: 1}
	case len(pkScript) >= 1 && pkScript[0] == OP_RETURN && IsPushOnly(pkScript[1:]):
		pushes, _ := ExtractPushes(pkScript[1:])
		return ScriptInfo{Class: NullDataTy, Data: pushes}
	}
	if pk := matchPayToPubKey(pkScript); pk != nil {
		return ScriptInfo{Class: PubKeyTy, PubKeys: [][]byte{pk}, RequiredSigs: 1}
	}
	if isPayToPubKeyHash(pkScript) {
		return ScriptInfo{Class: PubKeyHashTy, Hash: pkScript[3:23], RequiredSigs: 1}
	}
	if m, keys, ok := matchMultiSig(pkScript); ok {
		return ScriptInfo{Class: MultiSigTy, PubKeys: keys, RequiredSigs: m}
	}
	return ScriptInfo{Class: NonStandardTy}
}

// GetScriptClass returns the template class of pkScript.
func GetScriptClass(pkScript []byte) ScriptClass {
	switch {
	case IsPayToScriptHash(pkScript):
		return ScriptHashTy
	case len(pkScript) >= 1 && pkScript[0] == OP_RETURN && IsPushOnly(pkScript[1:]):
		return NullDataTy
	case matchPayToPubKey(pkScript) != nil:
		return PubKeyTy
	case isPayToPubKeyHash(pkScript):
		return PubKeyHashTy
	}
	if _, _, ok := matchMultiSig(pkScript); ok {
		return MultiSigTy
	}
	return NonStandardTy
}

// IsPayToPubKeyHash reports whether script is the P2PKH template.
func IsPayToPubKeyHash(script []byte) bool { return isPayToPubKeyHash(script) }

func isPayToPubKeyHash(s []byte) bool {
	return len(s) == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 && s[2] == 20 &&
		s[23] == OP_EQUALVERIFY && s[24] == OP_CHECKSIG
}

// pubKeySizeOK reports whether a push could be a public key: its length
// matches its prefix byte (Core's CPubKey::ValidSize).
func pubKeySizeOK(pk []byte) bool { return pubKeyLenOK(pk) }

// matchPayToPubKey returns the key of a P2PK script, or nil.
func matchPayToPubKey(s []byte) []byte {
	n := len(s)
	if (n == 35 && s[0] == 33 || n == 67 && s[0] == 65) && s[n-1] == OP_CHECKSIG {
		pk := s[1 : n-1]
		if pubKeySizeOK(pk) {
			return pk
		}
	}
	return nil
}

// matchMultiSig matches OP_m <key>... OP_n OP_CHECKMULTISIG with 1 ≤ m ≤ n
// ≤ 16 and n keys of valid sizes.
func matchMultiSig(s []byte) (m int, keys [][]byte, ok bool) {
	if len(s) < 1 || s[len(s)-1] != OP_CHECKMULTISIG {
		return 0, nil, false
	}
	t := MakeTokenizer(s)
	if !t.Next() || t.Opcode() < OP_1 || t.Opcode() > OP_16 {
		return 0, nil, false
	}
	m = SmallIntValue(t.Opcode())
	for t.Next() {
		if t.Opcode() > OP_PUSHDATA4 || !pubKeySizeOK(t.Data()) {
			break
		}
		keys = append(keys, t.Data())
	}
	op := t.Opcode()
	if t.Err() != nil || op < OP_1 || op > OP_16 {
		return 0, nil, false
	}
	n := SmallIntValue(op)
	if len(keys) != n || n < m {
		return 0, nil, false
	}
	// OP_n must be followed by exactly the final OP_CHECKMULTISIG.
	if t.Offset()+1 != len(s) {
		return 0, nil, false
	}
	return m, keys, true
}

// IsStandardScript reports whether pkScript is a standard output script
// for nodecoin's relay policy: P2PKH, P2SH, P2PK, bare multisig of at most
// three keys (1 ≤ m ≤ n ≤ 3), or OP_RETURN with at most 80 bytes of pushed
// data (script at most MaxDataCarrierSize bytes). The one-OP_RETURN-per-
// transaction rule is the caller's.
func IsStandardScript(pkScript []byte) bool {
	info := ExtractScriptInfo(pkScript)
	switch info.Class {
	case NonStandardTy:
		return false
	case MultiSigTy:
		n := len(info.PubKeys)
		return n >= 1 && n <= MaxStandardMultiSigKeys && info.RequiredSigs >= 1 && info.RequiredSigs <= n
	case NullDataTy:
		return len(pkScript) <= MaxDataCarrierSize
	}
	return true
}

// ExtractPushes returns the data of every push in script. It fails if the
// script does not parse or holds a non-push opcode; OP_1NEGATE and
// OP_1..OP_16 yield their number's encoding, OP_RESERVED is refused.
func ExtractPushes(script []byte) ([][]byte, error) {
	var pushes [][]byte
	t := MakeTokenizer(script)
	for t.Next() {
		op := t.Opcode()
		switch {
		case op <= OP_PUSHDATA4:
			d := t.Data()
			if d == nil {
				d = []byte{}
			}
			pushes = append(pushes, d)
		case op == OP_1NEGATE || (op >= OP_1 && op <= OP_16):
			pushes = append(pushes, ScriptNum(int(op)-(OP_1-1)).Bytes())
		default:
			return nil, fmt.Errorf("extract pushes: %s at offset %d is not a push", OpcodeName(op), t.Offset()-1)
		}
	}
	if err := t.Err(); err != nil {
		return nil, fmt.Errorf("extract pushes: %w", err)
	}
	return pushes, nil
}

// PayToPubKeyHashScript returns the P2PKH script paying to a 20-byte
// public-key hash.
func PayToPubKeyHashScript(hash160 []byte) ([]byte, error) {
	if len(hash160) != 20 {
		return nil, fmt.Errorf("pay-to-pubkey-hash: hash of %d bytes, want 20", len(hash160))
	}
	s := make([]byte, 0, 25)
	s = append(s, OP_DUP, OP_HASH160, 20)
	s = append(s, hash160...)
	return append(s, OP_EQUALVERIFY, OP_CHECKSIG), nil
}

// PayToScriptHashScript returns the P2SH script paying to a 20-byte script
// hash.
func PayToScriptHashScript(hash160 []byte) ([]byte, error) {
	if len(hash160) != 20 {
		return nil, fmt.Errorf("pay-to-script-hash: hash of %d bytes, want 20", len(hash160))
	}
	s := make([]byte, 0, 23)
	s = append(s, OP_HASH160, 20)
	s = append(s, hash160...)
	return append(s, OP_EQUAL), nil
}

// PayToPubKeyScript returns the P2PK script paying to a serialized public
// key (33 or 65 bytes).
func PayToPubKeyScript(pubKey []byte) ([]byte, error) {
	if !pubKeySizeOK(pubKey) {
		return nil, fmt.Errorf("pay-to-pubkey: %d-byte key with prefix is not a public key", len(pubKey))
	}
	s := make([]byte, 0, len(pubKey)+2)
	s = append(s, byte(len(pubKey)))
	s = append(s, pubKey...)
	return append(s, OP_CHECKSIG), nil
}

// MultiSigScript returns the bare multisig script OP_m <keys> OP_n
// OP_CHECKMULTISIG. It requires 1 ≤ m ≤ n ≤ 16 and well-sized keys; whether
// it is standard (n ≤ 3) is IsStandardScript's business.
func MultiSigScript(m int, pubKeys [][]byte) ([]byte, error) {
	n := len(pubKeys)
	if n < 1 || n > 16 || m < 1 || m > n {
		return nil, fmt.Errorf("multisig: %d of %d keys is out of range", m, n)
	}
	s := []byte{SmallIntOpcode(m)}
	for i, pk := range pubKeys {
		if !pubKeySizeOK(pk) {
			return nil, fmt.Errorf("multisig: key %d (%d bytes) is not a public key", i, len(pk))
		}
		s = appendPush(s, pk)
	}
	return append(s, SmallIntOpcode(n), OP_CHECKMULTISIG), nil
}

// NullDataScript returns OP_RETURN followed by a minimal push of data. It
// refuses data above MaxDataCarrierData bytes (not standard).
func NullDataScript(data []byte) ([]byte, error) {
	if len(data) > MaxDataCarrierData {
		return nil, fmt.Errorf("null data: %d bytes exceed %d", len(data), MaxDataCarrierData)
	}
	if len(data) == 0 {
		return []byte{OP_RETURN}, nil
	}
	return AppendMinimalPush([]byte{OP_RETURN}, data), nil
}
