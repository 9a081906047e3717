// Package script implements Bitcoin's legacy (non-witness) script system as
// nodecoin uses it: the opcodes and a tokenizer, the interpreter with
// Bitcoin Core's verification flags and error codes, the legacy signature
// hash (SignatureHash with its OP_CODESEPARATOR, FindAndDelete and
// SIGHASH_SINGLE quirks), secp256k1 ECDSA signature checking through
// btcec, legacy sigop counting, standard output templates and builders,
// and Core's "asm" disassembly and test-vector short form.
//
// Verifying an input:
//
//	err := script.VerifyScript(txIn.SignatureScript, prevOut.PkScript,
//		script.MandatoryVerifyFlags, script.NewTxSigChecker(tx, i, sigCache))
//
// Failures are *script.Error values; their Code's String is Bitcoin Core's
// name of the script error (EVAL_FALSE, SIG_DER, ...).
//
// Everything here is pure: no I/O, no global mutable state besides
// sync.Pools of scratch buffers, and safe for concurrent use.
package script
