package chain

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// ErrCorrupt marks a database record that does not decode. The chain treats
// it as a storage failure, never as a consensus rejection.
var ErrCorrupt = errors.New("corrupt database record")

func corrupt(what string, format string, args ...any) error {
	return fmt.Errorf("%s: %s: %w", what, fmt.Sprintf(format, args...), ErrCorrupt)
}

// blockStatus is a set of flags kept for every block in the index.
type blockStatus uint8

const (
	// statusHaveData: the block's transactions are stored.
	statusHaveData blockStatus = 1 << iota
	// statusValid: the block was connected to the main chain at least once,
	// so it passed every rule.
	statusValid
	// statusFailed: the block broke a consensus rule.
	statusFailed
	// statusFailedParent: an ancestor broke a consensus rule.
	statusFailedParent
)

// failed reports whether the block or an ancestor is known invalid.
func (s blockStatus) failed() bool { return s&(statusFailed|statusFailedParent) != 0 }

// indexRecord is the stored form of a block index entry: the header, its
// height and its status. Cumulative work is recomputed at load.
type indexRecord struct {
	Header wire.BlockHeader
	Height int32
	Status blockStatus
}

const indexRecordSize = wire.HeaderSize + 4 + 1

func (r *indexRecord) encode() []byte {
	b := r.Header.AppendTo(make([]byte, 0, indexRecordSize))
	b = binary.LittleEndian.AppendUint32(b, uint32(r.Height))
	return append(b, byte(r.Status))
}

func decodeIndexRecord(b []byte) (indexRecord, error) {
	if len(b) != indexRecordSize {
		return indexRecord{}, corrupt("block index record", "%d bytes, want %d", len(b), indexRecordSize)
	}
	h, err := wire.DecodeHeader(b[:wire.HeaderSize])
	if err != nil {
		return indexRecord{}, corrupt("block index record", "%v", err)
	}
	r := indexRecord{Header: h, Height: int32(binary.LittleEndian.Uint32(b[80:84])), Status: blockStatus(b[84])}
	if r.Height < 0 {
		return indexRecord{}, corrupt("block index record", "negative height %d", r.Height)
	}
	return r, nil
}

// Coin is an unspent transaction output with the facts validation needs
// about the transaction that created it.
type Coin struct {
	Value    int64
	PkScript []byte
	Height   int32 // height of the block that created it
	Coinbase bool  // created by a coinbase (maturity applies)
}

// appendCoin appends a coin's stored form: height<<1|coinbase as u32,
// value as u64, then the script with a compact-size length.
func appendCoin(b []byte, c *Coin) []byte {
	code := uint32(c.Height) << 1
	if c.Coinbase {
		code |= 1
	}
	b = binary.LittleEndian.AppendUint32(b, code)
	b = binary.LittleEndian.AppendUint64(b, uint64(c.Value))
	b = wire.AppendCompactSize(b, uint64(len(c.PkScript)))
	return append(b, c.PkScript...)
}

// readCoin decodes one coin from the front of b, returning the bytes read.
// The script is copied, so the result never aliases b.
func readCoin(b []byte) (Coin, int, error) {
	if len(b) < 13 {
		return Coin{}, 0, corrupt("coin", "%d bytes", len(b))
	}
	code := binary.LittleEndian.Uint32(b)
	c := Coin{Height: int32(code >> 1), Coinbase: code&1 == 1, Value: int64(binary.LittleEndian.Uint64(b[4:]))}
	n, sz, err := wire.ReadCompactSize(b[12:])
	if err != nil {
		return Coin{}, 0, corrupt("coin", "script length: %v", err)
	}
	start := 12 + sz
	if n > uint64(len(b)-start) {
		return Coin{}, 0, corrupt("coin", "script length %d beyond record", n)
	}
	c.PkScript = append([]byte(nil), b[start:start+int(n)]...)
	return c, start + int(n), nil
}

func decodeCoin(b []byte) (Coin, error) {
	c, n, err := readCoin(b)
	if err != nil {
		return c, err
	}
	if n != len(b) {
		return Coin{}, corrupt("coin", "%d trailing bytes", len(b)-n)
	}
	return c, nil
}

// blockUndo is what disconnecting a block needs: every coin its
// transactions spent, in the order they were spent.
type blockUndo struct {
	Spent []Coin
}

func (u *blockUndo) encode() []byte {
	b := wire.AppendCompactSize(nil, uint64(len(u.Spent)))
	for i := range u.Spent {
		b = appendCoin(b, &u.Spent[i])
	}
	return b
}

func decodeBlockUndo(b []byte) (blockUndo, error) {
	n, off, err := wire.ReadCompactSize(b)
	if err != nil {
		return blockUndo{}, corrupt("undo record", "count: %v", err)
	}
	if n > uint64(len(b)-off)/13 {
		return blockUndo{}, corrupt("undo record", "count %d beyond record", n)
	}
	u := blockUndo{Spent: make([]Coin, n)}
	for i := range u.Spent {
		c, sz, err := readCoin(b[off:])
		if err != nil {
			return blockUndo{}, fmt.Errorf("undo record coin %d: %w", i, err)
		}
		u.Spent[i] = c
		off += sz
	}
	if off != len(b) {
		return blockUndo{}, corrupt("undo record", "%d trailing bytes", len(b)-off)
	}
	return u, nil
}

// txLocation is a transaction index entry: the block that holds the
// transaction, and the byte range of the transaction inside that block.
type txLocation struct {
	Block  wire.Hash
	Offset uint32
	Len    uint32
}

const txLocationSize = wire.HashSize + 8

func (l *txLocation) encode() []byte {
	b := append(make([]byte, 0, txLocationSize), l.Block[:]...)
	b = binary.LittleEndian.AppendUint32(b, l.Offset)
	return binary.LittleEndian.AppendUint32(b, l.Len)
}

func decodeTxLocation(b []byte) (txLocation, error) {
	if len(b) != txLocationSize {
		return txLocation{}, corrupt("tx index record", "%d bytes, want %d", len(b), txLocationSize)
	}
	var l txLocation
	copy(l.Block[:], b)
	l.Offset = binary.LittleEndian.Uint32(b[32:])
	l.Len = binary.LittleEndian.Uint32(b[36:])
	return l, nil
}
