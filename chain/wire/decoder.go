package wire

import (
	"encoding/binary"
	"fmt"
)

// decoder reads values from a byte slice. The first error sticks: later reads
// return zero values, so callers check err once after a group of reads.
type decoder struct {
	buf []byte
	off int
	err error

	// Arenas from which a block's transactions, inputs and outputs are
	// carved, so decoding a block makes a few large allocations instead of
	// several per transaction. chunk is how many elements an arena grows by;
	// zero (for a lone transaction) allocates exactly what is asked, so a
	// retained transaction never pins unused arena space.
	chunk  int
	txs    []Tx
	ins    []TxIn
	outs   []TxOut
	inPtr  []*TxIn
	outPtr []*TxOut
}

// blockArenaChunk is how many elements a block decoder's arenas allocate at
// a time.
const blockArenaChunk = 256

// carve returns n elements from the front of *arena, refilling it with
// max(n, chunk) elements when it holds fewer than n. n is already bounded by
// the input length.
func carve[T any](arena *[]T, n, chunk int) []T {
	if n > len(*arena) {
		*arena = make([]T, max(n, chunk))
	}
	s := (*arena)[:n:n]
	*arena = (*arena)[n:]
	return s
}

func (d *decoder) remaining() int { return len(d.buf) - d.off }

func (d *decoder) fail(what string, err error) {
	if d.err == nil {
		d.err = fmt.Errorf("%s at offset %d: %w", what, d.off, err)
	}
}

func (d *decoder) bytes(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.remaining() {
		d.fail(what, ErrTruncated)
		return nil
	}
	b := d.buf[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}

func (d *decoder) uint32(what string) uint32 {
	b := d.bytes(4, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

func (d *decoder) uint64(what string) uint64 {
	b := d.bytes(8, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

func (d *decoder) hash(what string) (h Hash) {
	if b := d.bytes(HashSize, what); b != nil {
		copy(h[:], b)
	}
	return h
}

// count reads a compact size used as a number of elements each at least
// minElem bytes long, refusing counts that could not fit in what remains.
func (d *decoder) count(minElem int, what string) int {
	if d.err != nil {
		return 0
	}
	v, n, err := ReadCompactSize(d.buf[d.off:])
	if err != nil {
		d.fail(what, err)
		return 0
	}
	if v > MaxCompactSize || v*uint64(minElem) > uint64(d.remaining()-n) {
		d.fail(what, fmt.Errorf("%d: %w", v, ErrTooLarge))
		return 0
	}
	d.off += n
	return int(v)
}

// varBytes reads a compact-size length followed by that many bytes. The
// result aliases the decoder's buffer.
func (d *decoder) varBytes(what string) []byte {
	n := d.count(1, what)
	return d.bytes(n, what)
}

// finish reports trailing bytes as an error.
func (d *decoder) finish(what string) error {
	if d.err == nil && d.remaining() != 0 {
		d.fail(what, fmt.Errorf("%d bytes: %w", d.remaining(), ErrTrailingBytes))
	}
	return d.err
}
