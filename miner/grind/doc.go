// Package grind is nodecoin's portable proof-of-work grinder: SHA-256d over
// the 80-byte block header with the midstate of its first 64 bytes computed
// once per header template, the nonce space split across threads, per-thread
// hash counters without contention, and a stop within milliseconds of a
// cancelled context.
//
// Everything here is pure Go and produces exactly the hashes crypto/sha256
// does (the tests compare them on random headers); a nonce the grinder finds
// is re-verified with wire.DoubleSHA256 of the full header before Grind
// returns it.
//
// Grind searches one header's 2^32 nonces. When they are exhausted it
// reports not found, and rolling the extranonce (a new coinbase, hence a new
// merkle root) or the time, and grinding again, is the caller's job.
package grind
