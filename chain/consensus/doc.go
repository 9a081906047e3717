// Package consensus holds nodecoin's pure consensus rules: compact difficulty
// targets and proof of work, chain work, the aserti3-2d difficulty algorithm,
// block subsidy and money range, the network parameters and genesis blocks,
// and the context-free and contextual checks of blocks and transactions.
//
// Nothing here does I/O or keeps state: every function computes its answer
// from its arguments, so the chain, the mempool and the miner can share the
// rules and tests can exercise them directly. Rule violations are reported as
// *RuleError values carrying Bitcoin Core's reject reasons.
package consensus
