package script

import (
	"errors"
	"fmt"
)

// ErrorCode identifies why a script failed, one value per Bitcoin Core
// ScriptError. Its String method returns Core's name (the one script_tests.json
// uses), e.g. "EVAL_FALSE".
type ErrorCode int

// Script error codes, in Bitcoin Core's order. Only those that legacy
// (non-witness) script can produce are defined.
const (
	// ErrOK is the absence of an error; no *Error carries it.
	ErrOK ErrorCode = iota
	// ErrUnknown is a failure with no more specific code.
	ErrUnknown
	// ErrEvalFalse means the script finished with false (or nothing) on top.
	ErrEvalFalse
	// ErrOpReturn means OP_RETURN was executed.
	ErrOpReturn

	// ErrScriptSize means a script exceeds MaxScriptSize.
	ErrScriptSize
	// ErrPushSize means a push exceeds MaxScriptElementSize.
	ErrPushSize
	// ErrOpCount means more than MaxOpsPerScript non-push opcodes ran.
	ErrOpCount
	// ErrStackSize means the stack and altstack exceed MaxStackSize.
	ErrStackSize
	// ErrSigCount means a CHECKMULTISIG signature count is out of range.
	ErrSigCount
	// ErrPubKeyCount means a CHECKMULTISIG key count is out of range.
	ErrPubKeyCount

	// ErrVerify means OP_VERIFY failed.
	ErrVerify
	// ErrEqualVerify means OP_EQUALVERIFY failed.
	ErrEqualVerify
	// ErrCheckMultiSigVerify means OP_CHECKMULTISIGVERIFY failed.
	ErrCheckMultiSigVerify
	// ErrCheckSigVerify means OP_CHECKSIGVERIFY failed.
	ErrCheckSigVerify
	// ErrNumEqualVerify means OP_NUMEQUALVERIFY failed.
	ErrNumEqualVerify

	// ErrBadOpcode means an undefined opcode ran or a push was malformed.
	ErrBadOpcode
	// ErrDisabledOpcode means the script contains a disabled opcode.
	ErrDisabledOpcode
	// ErrInvalidStackOperation means an operation needed more stack items.
	ErrInvalidStackOperation
	// ErrInvalidAltStackOperation means OP_FROMALTSTACK found it empty.
	ErrInvalidAltStackOperation
	// ErrUnbalancedConditional means IF/ELSE/ENDIF do not match.
	ErrUnbalancedConditional

	// ErrNegativeLockTime means CLTV/CSV met a negative operand.
	ErrNegativeLockTime
	// ErrUnsatisfiedLockTime means CLTV/CSV's condition is not met.
	ErrUnsatisfiedLockTime

	// ErrSigHashType means a signature's hash type is not allowed (STRICTENC).
	ErrSigHashType
	// ErrSigDER means a signature is not strict DER (DERSIG/STRICTENC/LOW_S).
	ErrSigDER
	// ErrMinimalData means a push or number is not minimally encoded.
	ErrMinimalData
	// ErrSigPushOnly means scriptSig is not push-only (SIGPUSHONLY or P2SH).
	ErrSigPushOnly
	// ErrSigHighS means a signature's S is above half the order (LOW_S).
	ErrSigHighS
	// ErrSigNullDummy means CHECKMULTISIG's dummy is not empty (NULLDUMMY).
	ErrSigNullDummy
	// ErrPubKeyType means a public key is not a valid encoding (STRICTENC).
	ErrPubKeyType
	// ErrCleanStack means the stack holds more than one item at the end.
	ErrCleanStack
	// ErrMinimalIf means an IF argument is not minimal (witness only).
	ErrMinimalIf
	// ErrNullFail means a failed signature check had a non-empty signature.
	ErrNullFail

	// ErrDiscourageUpgradableNops means an upgradable NOP ran.
	ErrDiscourageUpgradableNops

	// ErrOpCodeSeparator means OP_CODESEPARATOR ran (CONST_SCRIPTCODE).
	ErrOpCodeSeparator
	// ErrSigFindAndDelete means the script code contains the signature
	// (CONST_SCRIPTCODE).
	ErrSigFindAndDelete

	numErrorCodes
)

var errorCodeNames = [numErrorCodes]string{
	ErrOK:                       "OK",
	ErrUnknown:                  "UNKNOWN_ERROR",
	ErrEvalFalse:                "EVAL_FALSE",
	ErrOpReturn:                 "OP_RETURN",
	ErrScriptSize:               "SCRIPT_SIZE",
	ErrPushSize:                 "PUSH_SIZE",
	ErrOpCount:                  "OP_COUNT",
	ErrStackSize:                "STACK_SIZE",
	ErrSigCount:                 "SIG_COUNT",
	ErrPubKeyCount:              "PUBKEY_COUNT",
	ErrVerify:                   "VERIFY",
	ErrEqualVerify:              "EQUALVERIFY",
	ErrCheckMultiSigVerify:      "CHECKMULTISIGVERIFY",
	ErrCheckSigVerify:           "CHECKSIGVERIFY",
	ErrNumEqualVerify:           "NUMEQUALVERIFY",
	ErrBadOpcode:                "BAD_OPCODE",
	ErrDisabledOpcode:           "DISABLED_OPCODE",
	ErrInvalidStackOperation:    "INVALID_STACK_OPERATION",
	ErrInvalidAltStackOperation: "INVALID_ALTSTACK_OPERATION",
	ErrUnbalancedConditional:    "UNBALANCED_CONDITIONAL",
	ErrNegativeLockTime:         "NEGATIVE_LOCKTIME",
	ErrUnsatisfiedLockTime:      "UNSATISFIED_LOCKTIME",
	ErrSigHashType:              "SIG_HASHTYPE",
	ErrSigDER:                   "SIG_DER",
	ErrMinimalData:              "MINIMALDATA",
	ErrSigPushOnly:              "SIG_PUSHONLY",
	ErrSigHighS:                 "SIG_HIGH_S",
	ErrSigNullDummy:             "SIG_NULLDUMMY",
	ErrPubKeyType:               "PUBKEYTYPE",
	ErrCleanStack:               "CLEANSTACK",
	ErrMinimalIf:                "MINIMALIF",
	ErrNullFail:                 "NULLFAIL",
	ErrDiscourageUpgradableNops: "DISCOURAGE_UPGRADABLE_NOPS",
	ErrOpCodeSeparator:          "OP_CODESEPARATOR",
	ErrSigFindAndDelete:         "SIG_FINDANDDELETE",
}

// String returns Bitcoin Core's name of the error code, e.g. "SIG_DER".
func (c ErrorCode) String() string {
	if c >= 0 && c < numErrorCodes {
		return errorCodeNames[c]
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// ErrorCodeFromString returns the code whose Core name is s.
func ErrorCodeFromString(s string) (ErrorCode, bool) {
	for i, n := range errorCodeNames {
		if n == s {
			return ErrorCode(i), true
		}
	}
	return ErrUnknown, false
}

// Error is a script failure: a Core-compatible code and a description. Test
// for a code with errors.As, or with errors.Is against another *Error of the
// same code (e.g. errors.Is(err, &Error{Code: ErrEvalFalse})).
type Error struct {
	// Code is the failure's Bitcoin Core script error.
	Code ErrorCode
	// Description says what happened in more detail.
	Description string
}

// Error returns the code's name followed by the description.
func (e *Error) Error() string {
	if e.Description == "" {
		return "script: " + e.Code.String()
	}
	return "script: " + e.Code.String() + ": " + e.Description
}

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// scriptError builds an *Error with a formatted description.
func scriptError(c ErrorCode, format string, args ...any) *Error {
	return &Error{Code: c, Description: fmt.Sprintf(format, args...)}
}

// GetErrorCode returns the ErrorCode of err if it wraps an *Error, ErrOK for a
// nil err and ErrUnknown otherwise.
func GetErrorCode(err error) ErrorCode {
	if err == nil {
		return ErrOK
	}
	var se *Error
	if errors.As(err, &se) {
		return se.Code
	}
	return ErrUnknown
}
