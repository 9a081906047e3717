package miner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/miner/grind"
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
	n, err := nextBlock(c, txs, now)
	if err != nil {
		return nil, err
	}
	sig, err := script.NewBuilder().AddInt64(int64(n.height)).AddInt64(int64(extraNonce & 0x7fffffffffffffff)).Script()
	if err != nil {
		return nil, fmt.Errorf("coinbase script: %w", err)
	}
	cb := &wire.Tx{Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: sig, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: n.value, PkScript: payTo}}}
	b := &wire.Block{Header: n.header, Transactions: append([]*wire.Tx{cb}, txs...)}
	n.ids[0] = cb.TxHash()
	b.Header.MerkleRoot, _ = wire.MerkleRoot(n.ids)
	return b, nil
}

// next is what a block on the chain's tip holding some transactions is,
// before its coinbase: the header without its merkle root, its height, the
// lowest time it may have, what the coinbase may pay (subsidy plus fees)
// and the transactions' txids after a place for the coinbase's (ids[0]).
type next struct {
	header  wire.BlockHeader
	height  int32
	minTime uint32
	value   int64
	ids     []wire.Hash
}

// nextBlock works out next for txs on c's tip: the time is now, raised
// above the tip's median time past if needed; the bits are the ones the
// chain requires; each txid is hashed once, for the fees and the merkle
// tree. It fails with ErrMissingInput when txs spend unknown outputs.
func nextBlock(c Chain, txs []*wire.Tx, now time.Time) (next, error) {
	best := c.Best()
	p := c.Params()
	height := int64(best.Height) + 1
	ids := make([]wire.Hash, len(txs)+1)
	for i, tx := range txs {
		ids[i+1] = tx.TxHash()
	}
	fees, err := totalFees(c, txs, ids[1:])
	if err != nil {
		return next{}, err
	}
	minTime := best.MedianTime + 1
	return next{
		header: wire.BlockHeader{Version: BlockVersion, PrevBlock: best.Hash,
			Timestamp: uint32(max(now.Unix(), int64(minTime))),
			Bits:      consensus.NextRequiredBits(p, int64(best.Height), int64(best.Time))},
		height:  int32(height),
		minTime: minTime,
		value:   consensus.CalcBlockSubsidy(height, p) + fees,
		ids:     ids,
	}, nil
}

// totalFees adds up what txs, whose txids are ids, pay in fees, their
// inputs found in the chain's coin set or among the outputs of earlier txs.
func totalFees(c Chain, txs []*wire.Tx, ids []wire.Hash) (int64, error) {
	created := make(map[wire.OutPoint]int64)
	var fees int64
	for j, tx := range txs {
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
		txid := ids[j]
		for i, o := range tx.TxOut {
			out += o.Value
			created[wire.OutPoint{Hash: txid, Index: uint32(i)}] = o.Value
		}
		fees += in - out
	}
	return fees, nil
}

// Solve grinds the header's nonce, then the time, on one thread of the
// grinder (package miner/grind), until the block hash meets its target or
// maxTries hashes were tried; it reports success, with the header's nonce
// and time set to the solution.
func Solve(h *wire.BlockHeader, maxTries uint64) bool {
	found, _ := SolveContext(context.Background(), h, &maxTries)
	return found
}

// SolveContext is Solve taking the hashes it does from *tries, and
// stopping early, with ctx's error, when ctx is done. A header whose bits
// give no target is never solved.
func SolveContext(ctx context.Context, h *wire.BlockHeader, tries *uint64) (bool, error) {
	target, err := grind.TargetFromBits(h.Bits)
	if err != nil {
		return false, nil
	}
	for *tries > 0 {
		last := h.Nonce + uint32(min(*tries, uint64(math.MaxUint32-h.Nonce)+1)-1)
		c := grind.NewCounters(1)
		nonce, found := grind.GrindRange(ctx, *h, target, 1, c, h.Nonce, last)
		*tries -= min(c.Total(), *tries)
		if found {
			h.Nonce = nonce
			return true, nil
		}
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if last == math.MaxUint32 {
			h.Timestamp++
		}
		h.Nonce = last + 1
	}
	return false, nil
}
