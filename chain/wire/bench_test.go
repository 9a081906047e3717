package wire

import (
	"crypto/sha256"
	"testing"
)

// p2pkhBlock builds a block of about size bytes holding one-input, two-output
// P2PKH-shaped transactions (a 107-byte scriptSig, 25-byte scriptPubKeys).
func p2pkhBlock(size int) *Block {
	blk := &Block{Header: BlockHeader{Version: 4, Bits: 0x1e00ffff}}
	sigScript := make([]byte, 107)
	pk := make([]byte, 25)
	for i := 0; blk.SerializeSize() < size-300; i++ {
		tx := &Tx{Version: 1,
			TxIn: []*TxIn{{PreviousOutPoint: OutPoint{Hash: DoubleSHA256([]byte{byte(i), byte(i >> 8)}), Index: uint32(i % 3)},
				SignatureScript: sigScript, Sequence: MaxTxInSequenceNum}},
			TxOut: []*TxOut{{Value: int64(i) * 1e5, PkScript: pk}, {Value: 12345, PkScript: pk}}}
		blk.Transactions = append(blk.Transactions, tx)
	}
	root, _ := MerkleRoot(blk.TxHashes())
	blk.Header.MerkleRoot = root
	return blk
}

// BenchmarkDecodeHashBlock decodes a 1 MB block of P2PKH transactions and
// computes its hash, every txid and the merkle root. Compare its MB/s with
// BenchmarkSHA256Block, one SHA-256 pass over the same bytes.
func BenchmarkDecodeHashBlock(b *testing.B) {
	raw := p2pkhBlock(1_000_000).Serialize()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		blk, err := DecodeBlock(raw)
		if err != nil {
			b.Fatal(err)
		}
		blk.BlockHash()
		if root, _ := MerkleRoot(blk.TxHashes()); root != blk.Header.MerkleRoot {
			b.Fatal("merkle root mismatch")
		}
	}
}

// BenchmarkSHA256Block is the baseline for BenchmarkDecodeHashBlock: a single
// SHA-256 over the same serialized block.
func BenchmarkSHA256Block(b *testing.B) {
	raw := p2pkhBlock(1_000_000).Serialize()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		sha256.Sum256(raw)
	}
}
