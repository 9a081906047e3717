// Package miner builds blocks for the chain's tip and finds their proof of
// work. Today it holds the block assembly and the simple grinder behind
// regtest's generatetoaddress and generateblock.
package miner
