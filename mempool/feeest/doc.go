// Package feeest estimates the fee rate a transaction needs to confirm within
// a number of blocks, for the estimatesmartfee RPC, from the confirmation
// times the node itself has observed. It is a deliberately simple, honest
// estimator in the spirit of Bitcoin Core's CBlockPolicyEstimator: when it
// lacks data it says so (ErrInsufficientData) and never makes a number up.
//
// # Events
//
// The mempool (or the node) reports three events:
//
//   - TxEntered: a transaction entered the mempool while the tip was at some
//     height. The estimator remembers its fee-rate bucket and entry height.
//   - TxLeft: it left the mempool unconfirmed (evicted, replaced, expired);
//     it is forgotten and counts neither way.
//   - BlockConnected: a block at some height confirmed some transactions.
//     The old observations decay by one block, then every tracked one of
//     those transactions is recorded as "a transaction of this fee rate
//     needed height - entryHeight blocks" and forgotten.
//
// Transactions whose fee rate does not tell their story should not be
// reported: ones with unconfirmed parents in the mempool (their package fee
// rate is what miners see), ones re-added from disconnected blocks, ones
// reloaded from disk at startup (their real entry height is lost), and ones
// received during initial block download.
//
// # Fee-rate buckets
//
// Fee rates are in base units per 1,000 bytes. The buckets are geometric: the
// first lower bound is MinBucketFeeRate (1,000) and each next one is the
// previous times 1.1, rounded, as long as it does not exceed MaxBucketFeeRate
// (10,000,000): 97 buckets. Rates below 1,000 fall into the first bucket and
// rates above the last bound into the last bucket. A factor of 1.1 (Core uses
// 1.05) halves the number of buckets so each gathers more data, at the price
// of answers that are at most 10% coarser.
//
// # Confirmation-time bins
//
// For each bucket the estimator keeps a histogram of observed confirmation
// times (in blocks). The bins end at the "target edges" 1, 2, ..., 16, then
// every 2 blocks to 32, every 4 to 64, every 8 to 128, every 16 to 256, every
// 32 to 512, every 64 to 960, and 1008 (MaxTarget): 64 edges, plus one bin for
// transactions that needed more than 1008 blocks. A transaction confirmed
// after d blocks lands in the bin of the first edge >= d. A question about
// target t is answered with the largest edge <= t: "confirmed within that
// edge" implies "confirmed within t", so the answer holds for t, only a little
// strictly. Exact bins for the first 16 blocks keep short targets precise;
// coarser bins keep the state (97 x 65 counts) and the file (about 50 KB)
// small.
//
// # Decay
//
// On every new block all counts are multiplied by Decay (0.998), so an
// observation's weight halves in about 346 blocks (about 5.8 hours at 60 s
// blocks) and the estimator follows the market; a jump in height multiplies
// by Decay once per block skipped. Counts below 1e-9 become zero.
//
// # Estimation
//
// For target edge e and a bucket, the successes are the decayed count of
// transactions confirmed within e blocks, and the attempts are all decayed
// confirmations plus the transactions still tracked in the mempool that have
// already waited at least e blocks (tip height - entry height >= e). Those
// waiting transactions are not decayed: they are failures for every target
// they have already missed, and without them a bucket whose cheap
// transactions never confirm would look good on the few that did, and the
// estimate would be biased low. Transactions that waited less than e blocks
// are left out: their outcome for e is not known yet.
//
// Buckets are scanned from the highest fee rate down and grouped into ranges,
// each range just large enough to hold SufficientData (30) decayed attempts.
// A range passes when successes/attempts >= SuccessThreshold (0.85; with
// conservative, ConservativeThreshold 0.95). The scan stops at the first
// failing range; the estimate is the lower bound of the lowest bucket of the
// last passing range. Requiring every range above the answer to pass (not
// only the total above it) keeps a mass of quick high-fee transactions from
// hiding a failing cheap bucket; it implies the brief's rule that at least 85%
// of the transactions at or above the answer confirmed within the target. A
// last range at the bottom with too little data does not lower the estimate.
//
// If no range passes for the asked target (too little data, or not even the
// highest fees confirm that fast), the next larger edges are tried in turn
// and the answer names the edge it holds for; if none works,
// EstimateSmartFee returns ErrInsufficientData. The caller should still
// raise the answer to the node's minimum relay and mempool fee rates.
//
// # Reorganisations
//
// BlockDisconnected needs no call and has no method. A BlockConnected at a
// height not above the highest seen (a replacement block after a reorg, a
// replay) forgets the listed transactions without recording or decaying
// anything. This is conservative: those confirmations are lost as data, but
// nothing is counted twice and no re-added transaction is timed from a wrong
// entry height.
//
// # Persistence
//
// Save writes the decayed counts and the last block height, not the tracked
// mempool transactions (Core does the same). The format, all integers
// little-endian:
//
//	magic "NCFEEST\x00" (8 bytes), version u32 (1),
//	bucket count u32 (97), bin count u32 (65), last height i32 (-1: none),
//	97 x 65 counts as IEEE-754 float64 bits, bucket-major,
//	SHA-256 of all the preceding bytes (32 bytes).
//
// Load refuses a file with another magic, version or layout, a truncated
// file, trailing bytes, a wrong checksum or a count that is negative, not
// finite or above 1e12, with an error that says which, and leaves the
// estimator empty. A changed bucket or bin layout must change the version.
//
// # Differences from Bitcoin Core
//
// One horizon instead of three (short, medium, long), one histogram per
// bucket instead of per-target running averages, no separate count of
// transactions that left the mempool unconfirmed (TxLeft forgets them, by
// design), the lower bound of a bucket as the answer instead of the
// average fee rate of the transactions in the passing range, and no
// half/double-target combination in EstimateSmartFee: conservative mode only
// raises the threshold.
//
// An Estimator is safe for concurrent use; one mutex guards it. The package
// imports nothing of nodecoin but chain/wire.
package feeest
