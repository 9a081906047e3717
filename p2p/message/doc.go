// Package message implements the Bitcoin P2P wire protocol as nodecoin
// speaks it: the 24-byte message framing (ReadMessage, WriteMessage) and the
// payload codecs of every message the node sends or understands. It does no
// networking and keeps no peer state.
//
// Every decoder reads untrusted bytes. ReadMessage checks the announced
// payload length against a per-command limit (MaxPayload) before allocating
// anything, and the payload decoders refuse trailing bytes, non-canonical
// compact sizes, element counts above the protocol limits and counts that
// could not fit in the bytes that remain, so a hostile peer can never make
// them allocate more than a small multiple of what it actually sent.
//
// Decoding errors wrap this package's sentinel errors (ErrBadMagic,
// ErrBadCommand, ErrPayloadTooLarge, ErrBadChecksum, ErrNonZeroTxCount) or
// those of package wire (wire.ErrTruncated, wire.ErrTrailingBytes,
// wire.ErrTooLarge, wire.ErrNonCanonical) with %w; test them with errors.Is.
package message
