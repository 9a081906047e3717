package wire

import (
	"encoding/binary"
	"fmt"
)

// HeaderSize is the encoded size of a block header.
const HeaderSize = 80

// BlockHeader is Bitcoin's 80-byte block header.
type BlockHeader struct {
	Version    int32
	PrevBlock  Hash
	MerkleRoot Hash
	Timestamp  uint32
	Bits       uint32
	Nonce      uint32
}

// Bytes returns the 80-byte serialization of the header.
func (h *BlockHeader) Bytes() [HeaderSize]byte {
	var b [HeaderSize]byte
	binary.LittleEndian.PutUint32(b[0:], uint32(h.Version))
	copy(b[4:36], h.PrevBlock[:])
	copy(b[36:68], h.MerkleRoot[:])
	binary.LittleEndian.PutUint32(b[68:], h.Timestamp)
	binary.LittleEndian.PutUint32(b[72:], h.Bits)
	binary.LittleEndian.PutUint32(b[76:], h.Nonce)
	return b
}

// AppendTo appends the 80-byte serialization of the header to b.
func (h *BlockHeader) AppendTo(b []byte) []byte {
	hb := h.Bytes()
	return append(b, hb[:]...)
}

// BlockHash returns SHA-256d of the header, in internal order.
func (h *BlockHeader) BlockHash() Hash {
	b := h.Bytes()
	return DoubleSHA256(b[:])
}

// DecodeHeader decodes exactly one 80-byte header from b.
func DecodeHeader(b []byte) (BlockHeader, error) {
	if len(b) != HeaderSize {
		err := ErrTruncated
		if len(b) > HeaderSize {
			err = ErrTrailingBytes
		}
		return BlockHeader{}, fmt.Errorf("decode header: %d bytes: %w", len(b), err)
	}
	d := &decoder{buf: b}
	return d.header(), nil
}

func (d *decoder) header() BlockHeader {
	return BlockHeader{
		Version:    int32(d.uint32("block version")),
		PrevBlock:  d.hash("previous block"),
		MerkleRoot: d.hash("merkle root"),
		Timestamp:  d.uint32("timestamp"),
		Bits:       d.uint32("bits"),
		Nonce:      d.uint32("nonce"),
	}
}

// Block is a block: a header and its transactions, the coinbase first.
type Block struct {
	Header       BlockHeader
	Transactions []*Tx
}

// SerializeSize returns the number of bytes Serialize produces.
func (b *Block) SerializeSize() int {
	n := HeaderSize + CompactSizeLen(uint64(len(b.Transactions)))
	for _, tx := range b.Transactions {
		n += tx.SerializeSize()
	}
	return n
}

// AppendTo appends the serialized block to buf.
func (b *Block) AppendTo(buf []byte) []byte {
	buf = b.Header.AppendTo(buf)
	buf = AppendCompactSize(buf, uint64(len(b.Transactions)))
	for _, tx := range b.Transactions {
		buf = tx.AppendTo(buf)
	}
	return buf
}

// Serialize returns the block's serialization.
func (b *Block) Serialize() []byte {
	return b.AppendTo(make([]byte, 0, b.SerializeSize()))
}

// BlockHash returns the hash of the block's header.
func (b *Block) BlockHash() Hash { return b.Header.BlockHash() }

// TxHashes returns the txid of every transaction, in block order.
func (b *Block) TxHashes() []Hash {
	hs := make([]Hash, len(b.Transactions))
	var buf []byte
	for i, tx := range b.Transactions {
		buf = tx.AppendTo(buf[:0])
		hs[i] = DoubleSHA256(buf)
	}
	return hs
}

// DecodeBlock decodes exactly one block from b, refusing trailing bytes. The
// result does not alias b.
func DecodeBlock(b []byte) (*Block, error) {
	d := &decoder{buf: append([]byte(nil), b...), chunk: blockArenaChunk}
	blk := &Block{Header: d.header()}
	n := d.count(MinTxSize, "transaction count")
	blk.Transactions = make([]*Tx, n)
	for i := range blk.Transactions {
		blk.Transactions[i] = d.tx()
		if d.err != nil {
			return nil, fmt.Errorf("decode block: transaction %d: %w", i, d.err)
		}
	}
	if err := d.finish("block"); err != nil {
		return nil, fmt.Errorf("decode block: %w", err)
	}
	return blk, nil
}
