package corejson

import (
	"fmt"
	"math/big"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// BlockContext is what the chain knows of a block beyond its bytes.
type BlockContext struct {
	Height        int32
	Confirmations int32 // -1 off the main chain
	MedianTime    uint32
	ChainWork     *big.Int
	Difficulty    float64
	Previous      *wire.Hash
	Next          *wire.Hash
	NumTx         int
}

// Header is getblockheader's verbose answer.
type Header struct {
	Hash              string  `json:"hash"`
	Confirmations     int32   `json:"confirmations"`
	Height            int32   `json:"height"`
	Version           int32   `json:"version"`
	VersionHex        string  `json:"versionHex"`
	MerkleRoot        string  `json:"merkleroot"`
	Time              uint32  `json:"time"`
	MedianTime        uint32  `json:"mediantime"`
	Nonce             uint32  `json:"nonce"`
	Bits              string  `json:"bits"`
	Difficulty        float64 `json:"difficulty"`
	ChainWork         string  `json:"chainwork"`
	NTx               int     `json:"nTx"`
	PreviousBlockHash string  `json:"previousblockhash,omitempty"`
	NextBlockHash     string  `json:"nextblockhash,omitempty"`
}

// NewHeader describes a header in its chain context.
func NewHeader(h *wire.BlockHeader, c BlockContext) Header {
	out := Header{Hash: h.BlockHash().String(), Confirmations: c.Confirmations, Height: c.Height,
		Version: h.Version, VersionHex: fmt.Sprintf("%08x", uint32(h.Version)), MerkleRoot: h.MerkleRoot.String(),
		Time: h.Timestamp, MedianTime: c.MedianTime, Nonce: h.Nonce, Bits: fmt.Sprintf("%08x", h.Bits),
		Difficulty: c.Difficulty, ChainWork: fmt.Sprintf("%064x", c.ChainWork), NTx: c.NumTx}
	if c.Previous != nil {
		out.PreviousBlockHash = c.Previous.String()
	}
	if c.Next != nil {
		out.NextBlockHash = c.Next.String()
	}
	return out
}

// Block is getblock's answer at verbosity 1 (Tx holds txids) or 2 (Tx
// holds decoded transactions).
type Block struct {
	Header
	StrippedSize int `json:"strippedsize"`
	Size         int `json:"size"`
	Weight       int `json:"weight"`
	Tx           any `json:"tx"`
}

// NewBlock describes a block; verbose adds each decoded transaction
// instead of its txid (verbosity 2).
func NewBlock(b *wire.Block, size int, c BlockContext, p address.Prefixes, verbose bool) Block {
	c.NumTx = len(b.Transactions)
	out := Block{Header: NewHeader(&b.Header, c), StrippedSize: size, Size: size, Weight: 4 * size}
	if verbose {
		txs := make([]Tx, len(b.Transactions))
		for i, tx := range b.Transactions {
			txs[i] = NewTx(tx, p, true, nil)
		}
		out.Tx = txs
	} else {
		ids := make([]string, len(b.Transactions))
		for i, h := range b.TxHashes() {
			ids[i] = h.String()
		}
		out.Tx = ids
	}
	return out
}
