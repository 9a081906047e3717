package miner

import (
	"errors"
	"fmt"
	"time"

	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// MaxCoinbaseTag is the longest tag CoinbaseParts writes after the
// extranonce, keeping the signature script well inside consensus's 100
// bytes.
const MaxCoinbaseTag = 40

// ErrNoOutputs means a coinbase was asked for without outputs.
var ErrNoOutputs = errors.New("coinbase without outputs")

// Template is an unsolved block on the chain's tip whose coinbase is still
// open: the miner writes ExtraNonceLen bytes of its own into the
// coinbase's signature script, right after the BIP34 height, and chooses
// the coinbase's outputs, as Stratum's coinb1/coinb2 split needs. A
// Template is immutable once built and safe for concurrent reads.
type Template struct {
	// Header is the block header with a zero merkle root and nonce; its
	// version, previous block, time and bits are set.
	Header wire.BlockHeader
	// Height is the height of the block.
	Height int32
	// Value is what the coinbase may pay: the subsidy plus the fees of Txs.
	Value int64
	// Txs are the block's transactions after the coinbase, in order.
	Txs []*wire.Tx
	// Branch is the merkle branch of the coinbase (leaf 0), lowest level
	// first, in internal byte order.
	Branch []wire.Hash
	// MinTime is the earliest header time the chain accepts: the tip's
	// median time past plus one.
	MinTime uint32
	// ExtraNonceLen is the number of extranonce bytes in the coinbase.
	ExtraNonceLen int
}

// NewTemplate assembles a Template on the chain's tip holding txs, in
// order, with extraNonceLen (1 to 75) bytes of extranonce in the coinbase.
// The time is now, raised above the tip's median time past if needed; the
// bits are the ones the chain requires. It fails with ErrMissingInput as
// BuildBlock does when txs spend unknown outputs.
func NewTemplate(c Chain, txs []*wire.Tx, extraNonceLen int, now time.Time) (*Template, error) {
	if extraNonceLen < 1 || extraNonceLen > 75 {
		return nil, fmt.Errorf("extranonce of %d bytes: want 1 to 75", extraNonceLen)
	}
	n, err := nextBlock(c, txs, now)
	if err != nil {
		return nil, err
	}
	return &Template{
		Header:        n.header,
		Height:        n.height,
		Value:         n.value,
		Txs:           txs,
		Branch:        wire.MerkleBranch(n.ids, 0),
		MinTime:       n.minTime,
		ExtraNonceLen: extraNonceLen,
	}, nil
}

// CoinbaseParts returns the serialized coinbase transaction paying outs,
// cut where the extranonce goes: coinb1 ends with the push opcode that
// follows the BIP34 height, coinb2 starts with tag (at most MaxCoinbaseTag
// bytes, e.g. "/nodecoin/") and holds the rest of the transaction. The
// coinbase is coinb1 ‖ extranonce (ExtraNonceLen bytes) ‖ coinb2. The
// outputs must add up to at most Value; that is the caller's to ensure.
func (t *Template) CoinbaseParts(outs []*wire.TxOut, tag []byte) (coinb1, coinb2 []byte, err error) {
	if len(outs) == 0 {
		return nil, nil, ErrNoOutputs
	}
	if len(tag) > MaxCoinbaseTag {
		return nil, nil, fmt.Errorf("coinbase tag of %d bytes: at most %d", len(tag), MaxCoinbaseTag)
	}
	heightPush, err := script.NewBuilder().AddInt64(int64(t.Height)).Script()
	if err != nil {
		return nil, nil, fmt.Errorf("coinbase height: %w", err)
	}
	// The extranonce is one direct push (opcode = its length, 1 to 75), so
	// the signature script stays push-only.
	sig := make([]byte, 0, len(heightPush)+1+t.ExtraNonceLen+len(tag))
	sig = append(sig, heightPush...)
	sig = append(sig, byte(t.ExtraNonceLen))
	cut := len(sig)
	sig = append(sig, make([]byte, t.ExtraNonceLen)...)
	sig = append(sig, tag...)
	cb := &wire.Tx{Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: sig, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: outs}
	raw := cb.Serialize()
	// version (4), input count (1), outpoint (36), script length (1: the
	// script is below 253 bytes), then the script.
	off := 4 + 1 + 36 + 1 + cut
	return raw[:off:off], raw[off+t.ExtraNonceLen:], nil
}

// Block returns the block of the template with the given coinbase, its
// header's merkle root computed from the coinbase and the branch, and the
// header's version, time and nonce as given.
func (t *Template) Block(coinbase *wire.Tx, version int32, timestamp, nonce uint32) *wire.Block {
	h := t.Header
	h.Version, h.Timestamp, h.Nonce = version, timestamp, nonce
	h.MerkleRoot = wire.MerkleRootFromBranch(coinbase.TxHash(), t.Branch, 0)
	return &wire.Block{Header: h, Transactions: append([]*wire.Tx{coinbase}, t.Txs...)}
}
