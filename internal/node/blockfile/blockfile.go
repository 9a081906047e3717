// Package blockfile reads and writes files of blocks in Bitcoin Core's
// blk*.dat record format, the format of Bitcoin Core's -loadblock: each
// record is the network's four magic bytes, the block's size as a
// little-endian uint32, and the serialized block. Bitcoin Core preallocates
// its block files, so a file may end in zero bytes; the Reader treats a run
// of zeros to the end of the file as its end.
package blockfile

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// recordHeaderSize is the size of a record's magic and length fields.
const recordHeaderSize = 8

// Errors that end the reading of a file: past them the record boundaries
// cannot be trusted. They are wrapped in a *FormatError.
var (
	// ErrTruncated means the file ends inside a record.
	ErrTruncated = errors.New("truncated record")
	// ErrBadMagic means a record does not begin with the network's magic.
	ErrBadMagic = errors.New("wrong network magic")
	// ErrRecordSize means a record's length field is outside the sizes a
	// block can have.
	ErrRecordSize = errors.New("impossible record size")
)

// FormatError reports where and how a file stopped being a valid block file.
type FormatError struct {
	// Offset is the byte offset of the record that could not be read.
	Offset int64
	// Err is ErrTruncated, ErrBadMagic or ErrRecordSize.
	Err error
	// Detail says more, for people.
	Detail string
}

// Error describes the problem and its offset.
func (e *FormatError) Error() string {
	return fmt.Sprintf("record at byte offset %d: %v: %s", e.Offset, e.Err, e.Detail)
}

// Unwrap returns the kind of problem.
func (e *FormatError) Unwrap() error { return e.Err }

// Reader reads the records of a block file one by one.
type Reader struct {
	r     *bufio.Reader
	magic [4]byte
	off   int64
}

// NewReader returns a Reader of records with the given network magic.
func NewReader(r io.Reader, magic [4]byte) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 1<<20), magic: magic}
}

// Offset returns the number of bytes consumed so far: the offset of the
// next record.
func (r *Reader) Offset() int64 { return r.off }

// Next returns the bytes of the next record's block (not decoded). It
// returns io.EOF at the end of the file (or of its zero padding), a
// *FormatError when the file is malformed, and other errors as the
// underlying reader returns them.
func (r *Reader) Next() ([]byte, error) {
	start := r.off
	var hdr [recordHeaderSize]byte
	n, err := io.ReadFull(r.r, hdr[:])
	r.off += int64(n)
	switch {
	case err == io.EOF:
		return nil, io.EOF
	case err == io.ErrUnexpectedEOF:
		if allZero(hdr[:n]) {
			return nil, io.EOF
		}
		return nil, &FormatError{Offset: start, Err: ErrTruncated,
			Detail: fmt.Sprintf("the file ends %d bytes into the record header", n)}
	case err != nil:
		return nil, fmt.Errorf("read block file: %w", err)
	}
	if [4]byte(hdr[:4]) != r.magic {
		if allZero(hdr[:]) {
			zeros, err := r.skipZeros()
			if err != nil {
				return nil, err
			}
			if zeros {
				return nil, io.EOF
			}
		}
		return nil, &FormatError{Offset: start, Err: ErrBadMagic,
			Detail: fmt.Sprintf("found %x, want %x", hdr[:4], r.magic[:])}
	}
	size := binary.LittleEndian.Uint32(hdr[4:])
	if size < wire.HeaderSize+1 || size > consensus.MaxBlockSize {
		return nil, &FormatError{Offset: start, Err: ErrRecordSize,
			Detail: fmt.Sprintf("%d bytes (a block has %d to %d)", size, wire.HeaderSize+1, consensus.MaxBlockSize)}
	}
	block := make([]byte, size)
	n, err = io.ReadFull(r.r, block)
	r.off += int64(n)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return nil, &FormatError{Offset: start, Err: ErrTruncated,
			Detail: fmt.Sprintf("the record announces a %d-byte block but the file ends after %d bytes of it", size, n)}
	case err != nil:
		return nil, fmt.Errorf("read block file: %w", err)
	}
	return block, nil
}

// skipZeros consumes the rest of the input and reports whether it was all
// zero bytes.
func (r *Reader) skipZeros() (bool, error) {
	buf := make([]byte, 64<<10)
	for {
		n, err := r.r.Read(buf)
		r.off += int64(n)
		if !allZero(buf[:n]) {
			return false, nil
		}
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("read block file: %w", err)
		}
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Writer writes block records.
type Writer struct {
	w     io.Writer
	magic [4]byte
}

// NewWriter returns a Writer of records with the given network magic.
func NewWriter(w io.Writer, magic [4]byte) *Writer {
	return &Writer{w: w, magic: magic}
}

// WriteBlock appends one record holding b.
func (w *Writer) WriteBlock(b *wire.Block) error {
	return w.WriteRaw(b.Serialize())
}

// WriteRaw appends one record holding the given bytes as the block.
func (w *Writer) WriteRaw(block []byte) error {
	rec := make([]byte, recordHeaderSize, recordHeaderSize+len(block))
	copy(rec, w.magic[:])
	binary.LittleEndian.PutUint32(rec[4:], uint32(len(block)))
	rec = append(rec, block...)
	if _, err := w.w.Write(rec); err != nil {
		return fmt.Errorf("write block record: %w", err)
	}
	return nil
}
