package wire

import (
	"encoding/binary"
	"fmt"
)

// MaxCompactSize is the largest value a compact size may carry when used as
// a length or count (Bitcoin Core's MAX_SIZE, 32 MiB).
const MaxCompactSize = 0x02000000

// CompactSizeLen returns the number of bytes the compact-size encoding of v
// takes: 1, 3, 5 or 9.
func CompactSizeLen(v uint64) int {
	switch {
	case v < 0xfd:
		return 1
	case v <= 0xffff:
		return 3
	case v <= 0xffffffff:
		return 5
	default:
		return 9
	}
}

// AppendCompactSize appends the canonical compact-size encoding of v to b.
func AppendCompactSize(b []byte, v uint64) []byte {
	switch {
	case v < 0xfd:
		return append(b, byte(v))
	case v <= 0xffff:
		return binary.LittleEndian.AppendUint16(append(b, 0xfd), uint16(v))
	case v <= 0xffffffff:
		return binary.LittleEndian.AppendUint32(append(b, 0xfe), uint32(v))
	default:
		return binary.LittleEndian.AppendUint64(append(b, 0xff), v)
	}
}

// ReadCompactSize decodes a canonical compact-size integer from the start of
// b and returns it with the number of bytes read. It does not apply
// MaxCompactSize; callers reading lengths or counts do.
func ReadCompactSize(b []byte) (uint64, int, error) {
	if len(b) == 0 {
		return 0, 0, fmt.Errorf("compact size: %w", ErrTruncated)
	}
	var v uint64
	var n int
	var min uint64
	switch b[0] {
	case 0xfd:
		n, min = 3, 0xfd
		if len(b) < n {
			return 0, 0, fmt.Errorf("compact size: %w", ErrTruncated)
		}
		v = uint64(binary.LittleEndian.Uint16(b[1:]))
	case 0xfe:
		n, min = 5, 0x10000
		if len(b) < n {
			return 0, 0, fmt.Errorf("compact size: %w", ErrTruncated)
		}
		v = uint64(binary.LittleEndian.Uint32(b[1:]))
	case 0xff:
		n, min = 9, 0x100000000
		if len(b) < n {
			return 0, 0, fmt.Errorf("compact size: %w", ErrTruncated)
		}
		v = binary.LittleEndian.Uint64(b[1:])
	default:
		return uint64(b[0]), 1, nil
	}
	if v < min {
		return 0, 0, fmt.Errorf("compact size %d in %d bytes: %w", v, n, ErrNonCanonical)
	}
	return v, n, nil
}
