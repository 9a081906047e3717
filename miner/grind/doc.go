// Package grind is nodecoin's proof-of-work grinder: SHA-256d over the
// 80-byte block header with the midstate of its first 64 bytes computed
// once per header template, the nonce space split across threads, per-thread
// hash counters without contention, and a stop within milliseconds of a
// cancelled context.
//
// Two hash paths give identical results (the tests compare both with
// crypto/sha256 on random headers): crypto/sha256 resumed from a saved
// midstate, which runs on the CPU's SHA extensions (SHA-NI, ARMv8 SHA2)
// where present, and a portable pure-Go compression. The first grind times
// both once and uses the faster. A nonce the grinder finds is re-verified
// with wire.DoubleSHA256 of the full header before Grind returns it.
//
// Grind searches one header's 2^32 nonces. When they are exhausted it
// reports not found, and rolling the extranonce (a new coinbase, hence a new
// merkle root) or the time, and grinding again, is the caller's job.
package grind
