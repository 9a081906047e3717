// Package rpcminer mines against a running node over JSON-RPC, as
// `nodecoin mine` does: it asks the node for a block template
// (getblocktemplate), builds the block with its own coinbase, grinds the
// header with miner/grind while a long poll waits for a newer template,
// and hands a solved block back with submitblock.
//
// The node may be down, restart or refuse a call at any time: every RPC
// failure is retried with a back-off of one to ten seconds, and only the
// caller's context (or a node without a wallet when no payout address was
// given) ends Run.
package rpcminer

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"

	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/miner/grind"
)

// Template is the part of a getblocktemplate result the miner uses.
type Template struct {
	// Version is the block version to use.
	Version int32 `json:"version"`
	// PreviousBlockHash is the tip the block builds on, in display order.
	PreviousBlockHash string `json:"previousblockhash"`
	// Transactions are the transactions to include after the coinbase, in
	// order.
	Transactions []TemplateTx `json:"transactions"`
	// CoinbaseValue is what the coinbase may pay: subsidy plus fees, in
	// base units.
	CoinbaseValue int64 `json:"coinbasevalue"`
	// LongPollID names the template for a long poll.
	LongPollID string `json:"longpollid"`
	// Target is the proof-of-work target as 64 hex digits.
	Target string `json:"target"`
	// MinTime is the earliest valid block time.
	MinTime int64 `json:"mintime"`
	// CurTime is the block time the node suggests.
	CurTime int64 `json:"curtime"`
	// Bits is the compact target as 8 hex digits.
	Bits string `json:"bits"`
	// Height is the height of the block to build.
	Height int64 `json:"height"`
}

// TemplateTx is one transaction of a Template.
type TemplateTx struct {
	// Data is the serialized transaction in hex.
	Data string `json:"data"`
	// TxID is its transaction id in display order.
	TxID string `json:"txid"`
}

// ExtraNonceSize is the size of the extranonce push in the coinbase
// script, after the BIP34 height.
const ExtraNonceSize = 8

// CoinbaseScript returns the coinbase signature script of a block at
// height: the BIP34 height push, then an 8-byte push of extraNonce
// (little-endian).
func CoinbaseScript(height int64, extraNonce uint64) ([]byte, error) {
	var en [ExtraNonceSize]byte
	binary.LittleEndian.PutUint64(en[:], extraNonce)
	s, err := script.NewBuilder().AddInt64(height).AddData(en[:]).Script()
	if err != nil {
		return nil, fmt.Errorf("coinbase script: %w", err)
	}
	return s, nil
}

// BuildBlock builds the unsolved block of t: a coinbase paying
// t.CoinbaseValue to payTo with the given extranonce, t's transactions in
// order, the merkle root, and a header with t's version, previous block,
// bits and the given time (raised to t.MinTime if below it), nonce 0. It
// returns the block and the target its hash must meet, taken from
// t.Target.
func BuildBlock(t *Template, payTo []byte, extraNonce uint64, timestamp int64) (*wire.Block, grind.Target, error) {
	prev, err := wire.NewHashFromStr(t.PreviousBlockHash)
	if err != nil {
		return nil, grind.Target{}, fmt.Errorf("template previousblockhash: %w", err)
	}
	var bits uint32
	if _, err := fmt.Sscanf(t.Bits, "%08x", &bits); err != nil || len(t.Bits) != 8 {
		return nil, grind.Target{}, fmt.Errorf("template bits %q: not 8 hex digits", t.Bits)
	}
	tb, ok := new(big.Int).SetString(t.Target, 16)
	if !ok {
		return nil, grind.Target{}, fmt.Errorf("template target %q: not hex", t.Target)
	}
	target, err := grind.NewTarget(tb)
	if err != nil {
		return nil, grind.Target{}, fmt.Errorf("template target %q: %w", t.Target, err)
	}
	sig, err := CoinbaseScript(t.Height, extraNonce)
	if err != nil {
		return nil, grind.Target{}, err
	}
	cb := &wire.Tx{Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: sig, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: t.CoinbaseValue, PkScript: payTo}}}
	txs := make([]*wire.Tx, 0, 1+len(t.Transactions))
	txs = append(txs, cb)
	for i, tt := range t.Transactions {
		raw, err := hex.DecodeString(tt.Data)
		if err != nil {
			return nil, grind.Target{}, fmt.Errorf("template transaction %d: %w", i, err)
		}
		tx, err := wire.DecodeTx(raw)
		if err != nil {
			return nil, grind.Target{}, fmt.Errorf("template transaction %d: %w", i, err)
		}
		if tt.TxID != "" && tx.TxHash().String() != tt.TxID {
			return nil, grind.Target{}, fmt.Errorf("template transaction %d: data hashes to %s, not txid %s", i, tx.TxHash(), tt.TxID)
		}
		txs = append(txs, tx)
	}
	b := &wire.Block{
		Header: wire.BlockHeader{Version: t.Version, PrevBlock: prev,
			Timestamp: uint32(max(timestamp, t.MinTime)), Bits: bits},
		Transactions: txs,
	}
	root, mutated := wire.MerkleRoot(b.TxHashes())
	if mutated {
		return nil, grind.Target{}, errors.New("template transactions give a mutated merkle tree (duplicate transactions)")
	}
	b.Header.MerkleRoot = root
	return b, target, nil
}
