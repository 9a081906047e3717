package consensus

import (
	"encoding/binary"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// The texts in the genesis coinbases. Each network's differs, so main and
// test, which share their proof-of-work limit, still have distinct genesis
// blocks.
const (
	mainGenesisText    = "nodecoin/main 26 Nov 2026: a Bitcoin-family chain of 60-second blocks"
	testGenesisText    = "nodecoin/test 26 Nov 2026: a Bitcoin-family chain of 60-second blocks"
	regTestGenesisText = "nodecoin/regtest 26 Nov 2026: blocks on demand for tests"
)

// The genesis nonces, found once by internal/tools/genesis (the first nonce
// from 0 up whose header hash meets the network's limit).
const (
	mainGenesisNonce    uint32 = 10430215
	testGenesisNonce    uint32 = 524068
	regTestGenesisNonce uint32 = 5
)

// GenesisReward is the value of the genesis coinbase's single output,
// 50 NDC. It pays to an OP_RETURN script and can never be spent.
const GenesisReward = 50 * Coin

// opReturn is the OP_RETURN opcode, which makes an output unspendable.
const opReturn = 0x6a

// NewGenesisBlock builds a genesis block: version 4, time GenesisTime, the
// given bits and nonce, and a single coinbase transaction (version 1, null
// prevout, final sequence, lock time 0) whose signature script pushes the
// bits as 4 little-endian bytes, the number 4 and the text, as Bitcoin's
// genesis does, and whose only output pays GenesisReward to a bare
// OP_RETURN script. The text should be at most 75 bytes, keeping the
// script within the 100-byte coinbase limit; longer texts are truncated.
func NewGenesisBlock(bits uint32, text string, nonce uint32) *wire.Block {
	const maxText = 75 // largest single-byte push; 5+2+1+75 = 83 bytes
	if len(text) > maxText {
		text = text[:maxText]
	}
	sigScript := make([]byte, 0, 8+len(text))
	sigScript = append(sigScript, 4)
	sigScript = binary.LittleEndian.AppendUint32(sigScript, bits)
	sigScript = append(sigScript, 1, 4)
	sigScript = append(sigScript, byte(len(text)))
	sigScript = append(sigScript, text...)

	coinbase := &wire.Tx{
		Version: 1,
		TxIn: []*wire.TxIn{{
			PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript:  sigScript,
			Sequence:         wire.MaxTxInSequenceNum,
		}},
		TxOut: []*wire.TxOut{{
			Value:    GenesisReward,
			PkScript: []byte{opReturn},
		}},
		LockTime: 0,
	}
	root, _ := wire.MerkleRoot([]wire.Hash{coinbase.TxHash()})
	return &wire.Block{
		Header: wire.BlockHeader{
			Version:    4,
			MerkleRoot: root,
			Timestamp:  GenesisTime,
			Bits:       bits,
			Nonce:      nonce,
		},
		Transactions: []*wire.Tx{coinbase},
	}
}
