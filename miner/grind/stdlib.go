package grind

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"hash"
)

// stdHasher hashes a header from a saved crypto/sha256 midstate: the
// standard library picks its own fastest SHA-256 for the CPU (the SHA
// extensions, SHA-NI or ARMv8 SHA2, where present). Each nonce costs one
// restore of the saved state, the compression of the header's last 16
// bytes and the 32-byte second hash.
type stdHasher struct {
	d     hash.Hash
	unm   encoding.BinaryUnmarshaler
	state []byte
	tail  [16]byte
	sum   [32]byte
}

// newStdHasher prepares a hasher for the header whose serialization is b
// (its nonce is ignored).
func newStdHasher(b *[80]byte) *stdHasher {
	d := sha256.New()
	d.Write(b[:midstateSize])
	state, err := d.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic("grind: crypto/sha256 cannot save its state: " + err.Error())
	}
	s := &stdHasher{d: d, unm: d.(encoding.BinaryUnmarshaler), state: state}
	copy(s.tail[:], b[midstateSize:])
	return s
}

// digest sets out to the SHA-256d state words of the header with the given
// nonce, as hasher.digest does.
func (s *stdHasher) digest(nonce uint32, out *[8]uint32) {
	binary.LittleEndian.PutUint32(s.tail[12:], nonce)
	if err := s.unm.UnmarshalBinary(s.state); err != nil {
		panic("grind: crypto/sha256 cannot restore its own state: " + err.Error())
	}
	s.d.Write(s.tail[:])
	second := sha256.Sum256(s.d.Sum(s.sum[:0]))
	for i := range out {
		out[i] = binary.BigEndian.Uint32(second[4*i:])
	}
}
