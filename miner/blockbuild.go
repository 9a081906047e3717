package miner

import (
	"errors"
	"fmt"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// BlockVersion is the version of the blocks nodecoin builds: BIP9's top
// bits, as Bitcoin Core's miners use (any version of 4 or more is valid).
const BlockVersion = 0x20000000

// Chain is what block building needs of the chain.
type Chain interface {
	Best() chain.BestState
	Params() *consensus.Params
	Coin(op wire.OutPoint) (*chain.Coin, error)
}

// ErrMissingInput means a transaction given for a block spends an output
// that is neither unspent in the chain nor created earlier in the block.
var ErrMissingInput = errors.New("transaction input not found")

// BuildBlock assembles an unsolved block on the chain's tip holding txs, in
// order, after a coinbase that pays the subsidy plus the transactions' fees
// to payTo. The coinbase script is the BIP34 height followed by extraNonce;
// the time is now, raised above the tip's median time past if needed; the
// bits are the ones the chain requires.
func BuildBlock(c Chain, payTo []byte, txs []*wire.Tx, extraNonce uint64, now time.Time) (*wire.Block, error) {
	best := c.Best()
	p := c.Params()
	height := int64(best.Height) + 1
	fees, err := totalFees(c, txs)
	if err != nil {
		return nil, err
	}
	sig, err := script.NewBuilder().AddInt64(height).AddInt64(int64(extraNonce & 0x7fffffffffffffff)).Script()
	if err != nil {
		return nil, fmt.Errorf("coinbase script: %w", err)
	}
	cb := &wire.Tx{Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: sig, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: consensus.CalcBlockSubsidy(height, p) + fees, PkScript: payTo}}}
	t := uint32(max(now.Unix(), int64(best.MedianTime)+1))
	b := &wire.Block{
		Header: wire.BlockHeader{Version: BlockVersion, PrevBlock: best.Hash, Timestamp: t,
			Bits: consensus.NextRequiredBits(p, int64(best.Height), int64(best.Time))},
		Transactions: append([]*wire.Tx{cb}, txs...),
	}
	b.Header.MerkleRoot, _ = wire.MerkleRoot(b.TxHashes())
	return b, nil
}

// totalFees adds up what txs pay in fees, their inputs found in the chain's
// coin set or among the outputs of earlier txs.
func totalFees(c Chain, txs []*wire.Tx) (int64, error) {
	created := make(map[wire.OutPoint]int64)
	var fees int64
	for _, tx := range txs {
		var in, out int64
		for _, ti := range tx.TxIn {
			if v, ok := created[ti.PreviousOutPoint]; ok {
				in += v
				delete(created, ti.PreviousOutPoint)
				continue
			}
			coin, err := c.Coin(ti.PreviousOutPoint)
			if err != nil {
				return 0, err
			}
			if coin == nil {
				return 0, fmt.Errorf("%s: %w", ti.PreviousOutPoint, ErrMissingInput)
			}
			in += coin.Value
		}
		txid := tx.TxHash()
		for i, o := range tx.TxOut {
			out += o.Value
			created[wire.OutPoint{Hash: txid, Index: uint32(i)}] = o.Value
		}
		fees += in - out
	}
	return fees, nil
}

// Solve grinds the header's nonce, then the time, until the block hash
// meets its target or maxTries hashes were tried; it reports success.
func Solve(h *wire.BlockHeader, maxTries uint64) bool {
	target, _, _ := consensus.CompactToBig(h.Bits)
	for tries := uint64(0); tries < maxTries; tries++ {
		hash := h.BlockHash()
		if consensus.HashToBig(hash).Cmp(target) <= 0 {
			return true
		}
		h.Nonce++
		if h.Nonce == 0 {
			h.Timestamp++
		}
	}
	return false
}
