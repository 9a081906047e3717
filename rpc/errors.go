package rpc

import (
	"errors"
	"fmt"
)

// Bitcoin Core's RPC error codes (rpc/protocol.h).
const (
	// CodeInvalidRequest (-32600): the request is not a valid request object.
	CodeInvalidRequest = -32600
	// CodeMethodNotFound (-32601): no method of that name.
	CodeMethodNotFound = -32601
	// CodeInvalidParams (-32602): invalid method parameters.
	CodeInvalidParams = -32602
	// CodeInternal (-32603): internal error (nodecoin: a handler panicked).
	CodeInternal = -32603
	// CodeParse (-32700): the body is not JSON.
	CodeParse = -32700

	// CodeMisc (-1): an error of no other kind, and wrong argument counts.
	CodeMisc = -1
	// CodeType (-3): an argument of the wrong JSON type.
	CodeType = -3
	// CodeInvalidAddressOrKey (-5): invalid address or key; also "not found".
	CodeInvalidAddressOrKey = -5
	// CodeOutOfMemory (-7): ran out of memory during the operation.
	CodeOutOfMemory = -7
	// CodeInvalidParameter (-8): invalid, missing or duplicate parameter.
	CodeInvalidParameter = -8
	// CodeDatabase (-20): database error.
	CodeDatabase = -20
	// CodeDeserialization (-22): error parsing or validating raw data.
	CodeDeserialization = -22
	// CodeVerify (-25): general error during transaction or block submission.
	CodeVerify = -25
	// CodeVerifyRejected (-26): rejected by network rules.
	CodeVerifyRejected = -26
	// CodeVerifyAlreadyInChain (-27): the transaction is already in the chain.
	CodeVerifyAlreadyInChain = -27
	// CodeInWarmup (-28): the node is still starting.
	CodeInWarmup = -28
	// CodeMethodDeprecated (-32): the method is deprecated.
	CodeMethodDeprecated = -32
	// CodeClientNotConnected (-9): no peers.
	CodeClientNotConnected = -9
	// CodeClientInInitialDownload (-10): still downloading initial blocks.
	CodeClientInInitialDownload = -10
	// CodeWallet (-4): an unspecified problem with the wallet (key not
	// found, backup failed).
	CodeWallet = -4
	// CodeWalletInsufficientFunds (-6): not enough funds in the wallet.
	CodeWalletInsufficientFunds = -6
	// CodeWalletKeypoolRanOut (-12): the key pool has no unused key left.
	CodeWalletKeypoolRanOut = -12
	// CodeWalletUnlockNeeded (-13): the wallet must be unlocked with
	// walletpassphrase first.
	CodeWalletUnlockNeeded = -13
	// CodeWalletPassphraseIncorrect (-14): the wallet passphrase is wrong.
	CodeWalletPassphraseIncorrect = -14
	// CodeWalletWrongEncState (-15): a command for an encrypted wallet on
	// an unencrypted one, or the reverse.
	CodeWalletWrongEncState = -15
)

// Error is a JSON-RPC error: the code and message of a reply's "error"
// member. Handlers return it (NewError, Errorf) to choose the code; any
// other error becomes CodeMisc with the error's text.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Error returns the message with its code.
func (e *Error) Error() string { return fmt.Sprintf("%s (code %d)", e.Message, e.Code) }

// NewError returns an *Error with the given code and message.
func NewError(code int, message string) *Error { return &Error{Code: code, Message: message} }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// asError converts a handler's error to the *Error sent to the client.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CodeMisc, Message: err.Error()}
}
