// Package nodetest builds regtest block chains for the tests and benchmarks
// of the node, and writes them as block files for --loadblock.
package nodetest

import (
	"errors"
	"fmt"
	"os"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/node/blockfile"
)

// OpTrue is the output script of every output RegtestChain creates: anyone
// can spend it with an empty scriptSig.
var OpTrue = []byte{script.OP_TRUE}

// BulkScript is the output script of the coins RegtestChain leaves unspent
// for good: 8 KB (an OP_TRUE after a long push, consensus-valid and never
// spent), so a chain of a few hundred blocks outgrows a small --dbcache
// and the node flushes its coin cache while importing.
var BulkScript = append(append([]byte{script.OP_PUSHDATA2, 0x40, 0x1f}, make([]byte, 8000)...), script.OP_TRUE)

// RegtestChain returns n solved regtest blocks extending the genesis block,
// one minute apart. Each coinbase pays the subsidy to OpTrue. Once
// coinbases mature, each block at height h also spends the coinbase of
// height h-100 into two outputs (the first paying BulkScript, the second
// OpTrue), and spends the second output of the previous block's such
// transaction, so the coin set both grows and shrinks. seed goes into
// every coinbase, so different seeds give different chains.
func RegtestChain(n int, seed int64) ([]*wire.Block, error) {
	p := consensus.RegTestParams
	prevHash := p.GenesisHash
	prevTime := p.GenesisBlock.Header.Timestamp
	blocks := make([]*wire.Block, 0, n)
	var prevSplit *wire.Tx // the previous block's coinbase-spending tx
	for i := 0; i < n; i++ {
		height := int64(i + 1)
		var txs []*wire.Tx
		var split *wire.Tx
		if c := height - consensus.CoinbaseMaturity; c >= 1 {
			cb := blocks[c-1].Transactions[0]
			v := cb.TxOut[0].Value
			split = &wire.Tx{Version: 1,
				TxIn:  []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()}, Sequence: wire.MaxTxInSequenceNum}},
				TxOut: []*wire.TxOut{{Value: v / 2, PkScript: BulkScript}, {Value: v - v/2, PkScript: OpTrue}}}
			txs = append(txs, split)
		}
		if prevSplit != nil {
			txs = append(txs, &wire.Tx{Version: 1,
				TxIn:  []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: prevSplit.TxHash(), Index: 1}, Sequence: wire.MaxTxInSequenceNum}},
				TxOut: []*wire.TxOut{{Value: prevSplit.TxOut[1].Value, PkScript: OpTrue}}})
		}
		prevSplit = split
		b, err := NewBlock(prevHash, prevTime+60, height, seed, txs...)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, b)
		prevHash, prevTime = b.BlockHash(), b.Header.Timestamp
	}
	return blocks, nil
}

// NewBlock builds and solves a regtest block at the given height on the
// block prev, with timestamp t, a coinbase paying the subsidy to OpTrue
// (its scriptSig the BIP34 height, then extraNonce) and the given
// transactions, which must pay no fee.
func NewBlock(prev wire.Hash, t uint32, height, extraNonce int64, txs ...*wire.Tx) (*wire.Block, error) {
	p := consensus.RegTestParams
	sig, err := script.NewBuilder().AddInt64(height).AddInt64(extraNonce).Script()
	if err != nil {
		return nil, fmt.Errorf("coinbase script: %w", err)
	}
	cb := &wire.Tx{Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: sig, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: consensus.CalcBlockSubsidy(height, p), PkScript: OpTrue}}}
	b := &wire.Block{Header: wire.BlockHeader{Version: 4, PrevBlock: prev, Timestamp: t, Bits: p.PowLimitBits},
		Transactions: append([]*wire.Tx{cb}, txs...)}
	b.Header.MerkleRoot, _ = wire.MerkleRoot(b.TxHashes())
	if !consensus.SolveHeader(&b.Header, p.PowLimit) {
		return nil, errors.New("no nonce solves the regtest block header")
	}
	return b, nil
}

// WriteBlockFile writes blocks to a new file at path in the block file
// format of the regtest network.
func WriteBlockFile(path string, blocks []*wire.Block) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create block file: %w", err)
	}
	w := blockfile.NewWriter(f, consensus.RegTestParams.Magic)
	for _, b := range blocks {
		if err := w.WriteBlock(b); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close block file: %w", err)
	}
	return nil
}
