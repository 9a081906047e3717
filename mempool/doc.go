// Package mempool holds the transactions waiting to be mined: Bitcoin Core's
// acceptance policy (standardness, fees, chain limits, BIP125 replacement),
// a memory budget with eviction by descendant fee rate and a rising minimum
// fee, expiry, an orphan pool, the response to block connections and
// reorganisations, persistence across restarts, and the queries the RPC
// layer and the block template builder need.
//
// A Pool takes one mutex (Pool.mu) in every exported method; it calls the
// chain (Coin, Best, BlockHashAt, BlockInfo) while holding it, and never the
// other way round: the chain delivers notifications with its own lock
// released, so HandleNotification may call back into the chain. The lock
// order is therefore always Pool.mu → chain lock.
//
// Sizes: nodecoin has no witness data, so a transaction's virtual size is its
// serialized size and its weight four times that. Fee rates are in base units
// per 1,000 bytes (Core's CFeeRate per kvB).
//
// Memory accounting: the budget (Config.MaxBytes, -maxmempool) is compared
// with an estimate of the heap each entry holds, like Core's
// DynamicMemoryUsage: the serialized transaction's bytes, the Go structs of
// the transaction, its inputs and outputs, the entry itself and the index
// maps' per-element overhead (see entryUsage).
package mempool
