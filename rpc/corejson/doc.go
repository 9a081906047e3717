// Package corejson builds the JSON shapes Bitcoin Core's RPC gives blocks,
// headers, transactions and scripts (getblock, getblockheader,
// getrawtransaction, decoderawtransaction, decodescript), so that clients
// written for Core parse nodecoin's answers unchanged. Amounts are coins as
// JSON numbers with eight decimals, hashes in display order.
package corejson
