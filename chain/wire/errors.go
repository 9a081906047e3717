package wire

import "errors"

// Decoding errors. Decoders wrap one of these with %w and a description of
// where the problem was found, so callers can test for the kind with errors.Is.
var (
	// ErrTruncated means the input ended before the value being read.
	ErrTruncated = errors.New("unexpected end of data")
	// ErrTrailingBytes means bytes remained after a complete value.
	ErrTrailingBytes = errors.New("trailing bytes after value")
	// ErrNonCanonical means a compact-size integer used a longer encoding
	// than its value needs.
	ErrNonCanonical = errors.New("non-canonical compact size")
	// ErrTooLarge means a length or count exceeds what the remaining input
	// (or a protocol limit) allows.
	ErrTooLarge = errors.New("length or count too large")
)
