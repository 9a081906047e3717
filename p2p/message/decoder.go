package message

import (
	"encoding/binary"
	"fmt"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// decoder reads values from a payload. The first error sticks: later reads
// return zero values, so callers check err once after a group of reads.
type decoder struct {
	buf []byte
	off int
	err error
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
		d.fail(what, wire.ErrTruncated)
		return nil
	}
	b := d.buf[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}

func (d *decoder) uint8(what string) uint8 {
	if b := d.bytes(1, what); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) uint16BE(what string) uint16 {
	if b := d.bytes(2, what); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (d *decoder) uint32(what string) uint32 {
	if b := d.bytes(4, what); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) uint64(what string) uint64 {
	if b := d.bytes(8, what); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *decoder) hash(what string) (h wire.Hash) {
	if b := d.bytes(wire.HashSize, what); b != nil {
		copy(h[:], b)
	}
	return h
}

// compactSize reads one canonical compact-size integer.
func (d *decoder) compactSize(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n, err := wire.ReadCompactSize(d.buf[d.off:])
	if err != nil {
		d.fail(what, err)
		return 0
	}
	d.off += n
	return v
}

// count reads a compact size used as a number of elements each at least
// minElem bytes long, refusing counts above limit and counts that could not
// fit in what remains, before the caller allocates anything.
func (d *decoder) count(minElem, limit int, what string) int {
	start := d.off
	v := d.compactSize(what)
	if d.err != nil {
		return 0
	}
	if v > uint64(limit) {
		d.off = start
		d.fail(what, fmt.Errorf("%d, limit %d: %w", v, limit, wire.ErrTooLarge))
		return 0
	}
	if v*uint64(minElem) > uint64(d.remaining()) {
		d.off = start
		d.fail(what, fmt.Errorf("%d elements in %d bytes: %w", v, d.remaining(), wire.ErrTooLarge))
		return 0
	}
	return int(v)
}

// finish reports trailing bytes as an error and returns the first error,
// prefixed with the message's command.
func (d *decoder) finish(command string) error {
	if d.err == nil && d.remaining() != 0 {
		d.fail("end of payload", fmt.Errorf("%d bytes: %w", d.remaining(), wire.ErrTrailingBytes))
	}
	if d.err != nil {
		return fmt.Errorf("decode %s: %w", command, d.err)
	}
	return nil
}
