package script

import (
	"fmt"
	"strings"
)

// Flags is a set of script verification flags, Bitcoin Core's
// SCRIPT_VERIFY_* bits (only those that apply to legacy, non-witness script).
type Flags uint32

// Verification flags. Their names in Core's notation (see String and
// ParseFlags) are given in each comment.
const (
	// VerifyP2SH evaluates BIP16 pay-to-script-hash spends ("P2SH").
	VerifyP2SH Flags = 1 << iota
	// VerifyStrictEnc requires strict DER signatures, defined hash types and
	// compressed or uncompressed public keys ("STRICTENC").
	VerifyStrictEnc
	// VerifyDERSig requires BIP66 strict DER signatures ("DERSIG").
	VerifyDERSig
	// VerifyLowS requires S ≤ N/2 in signatures ("LOW_S").
	VerifyLowS
	// VerifyNullDummy requires CHECKMULTISIG's extra argument to be empty
	// (BIP147, "NULLDUMMY").
	VerifyNullDummy
	// VerifySigPushOnly requires scriptSig to be push-only ("SIGPUSHONLY").
	VerifySigPushOnly
	// VerifyMinimalData requires minimal pushes and minimally encoded numbers
	// ("MINIMALDATA").
	VerifyMinimalData
	// VerifyDiscourageUpgradableNops fails scripts that execute OP_NOP1 or
	// OP_NOP4..OP_NOP10 ("DISCOURAGE_UPGRADABLE_NOPS").
	VerifyDiscourageUpgradableNops
	// VerifyCleanStack requires exactly one stack item after evaluation;
	// it needs VerifyP2SH ("CLEANSTACK").
	VerifyCleanStack
	// VerifyCheckLockTimeVerify enables BIP65 OP_CHECKLOCKTIMEVERIFY
	// ("CHECKLOCKTIMEVERIFY").
	VerifyCheckLockTimeVerify
	// VerifyCheckSequenceVerify enables BIP112 OP_CHECKSEQUENCEVERIFY
	// ("CHECKSEQUENCEVERIFY").
	VerifyCheckSequenceVerify
	// VerifyMinimalIf is Core's MINIMALIF. It only constrains witness
	// scripts, so it has no effect on legacy script ("MINIMALIF").
	VerifyMinimalIf
	// VerifyNullFail requires failed signature checks to use empty
	// signatures ("NULLFAIL").
	VerifyNullFail
	// VerifyConstScriptCode fails scripts that contain OP_CODESEPARATOR or
	// whose script code contains a signature being checked
	// ("CONST_SCRIPTCODE").
	VerifyConstScriptCode

	numFlags = iota
)

// MandatoryVerifyFlags are nodecoin's consensus flags, active from genesis.
const MandatoryVerifyFlags = VerifyP2SH | VerifyStrictEnc | VerifyDERSig | VerifyNullDummy |
	VerifyCheckLockTimeVerify | VerifyCheckSequenceVerify

// StandardVerifyFlags are the policy flags applied to transactions relayed
// and mined: the mandatory flags and Bitcoin Core's standardness flags.
const StandardVerifyFlags = MandatoryVerifyFlags | VerifyLowS | VerifyMinimalData |
	VerifySigPushOnly | VerifyCleanStack | VerifyDiscourageUpgradableNops | VerifyNullFail |
	VerifyConstScriptCode

// flagNames are Core's names of the flags, indexed by bit.
var flagNames = [numFlags]string{
	"P2SH", "STRICTENC", "DERSIG", "LOW_S", "NULLDUMMY", "SIGPUSHONLY", "MINIMALDATA",
	"DISCOURAGE_UPGRADABLE_NOPS", "CLEANSTACK", "CHECKLOCKTIMEVERIFY",
	"CHECKSEQUENCEVERIFY", "MINIMALIF", "NULLFAIL", "CONST_SCRIPTCODE",
}

// witnessFlagNames are Core flags that only concern segwit or taproot,
// which nodecoin does not have.
var witnessFlagNames = map[string]bool{
	"WITNESS": true, "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM": true, "WITNESS_PUBKEYTYPE": true,
	"TAPROOT": true, "DISCOURAGE_UPGRADABLE_TAPROOT_VERSION": true,
	"DISCOURAGE_OP_SUCCESS": true, "DISCOURAGE_UPGRADABLE_PUBKEYTYPE": true,
}

// Has reports whether every flag of want is set in f.
func (f Flags) Has(want Flags) bool { return f&want == want }

// String returns the flags in Core's comma-separated notation, e.g.
// "P2SH,STRICTENC", and "NONE" for the empty set.
func (f Flags) String() string {
	if f == 0 {
		return "NONE"
	}
	var parts []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if rest := f &^ (1<<numFlags - 1); rest != 0 {
		parts = append(parts, fmt.Sprintf("0x%x", uint32(rest)))
	}
	return strings.Join(parts, ",")
}

// ParseFlags parses Core's comma-separated flag notation ("P2SH,STRICTENC").
// "" and "NONE" mean no flags. Unknown names, and Core's witness and taproot
// flags (which have no meaning in nodecoin), are errors.
func ParseFlags(s string) (Flags, error) {
	var f Flags
	if s == "" {
		return 0, nil
	}
next:
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "NONE" || name == "" {
			continue
		}
		for i, n := range flagNames {
			if n == name {
				f |= 1 << i
				continue next
			}
		}
		if witnessFlagNames[name] {
			return 0, fmt.Errorf("script flag %q: segwit and taproot are not supported", name)
		}
		return 0, fmt.Errorf("unknown script flag %q", name)
	}
	return f, nil
}
