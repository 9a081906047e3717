package grind

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"hash"
	"sync"
	"time"

	"github.com/nodecoin/nodecoin/chain/wire"
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

// calibrationHashes is how many hashes each path does when the faster one
// is chosen.
const calibrationHashes = 4096

// useStdlib reports whether the grinding threads use crypto/sha256 from a
// saved midstate rather than the portable compression: whichever hashes
// faster on this machine, measured once, at the first grind. Both give
// identical hashes (tested).
var useStdlib = sync.OnceValue(func() bool {
	var hdr wire.BlockHeader
	b := hdr.Bytes()
	std := newStdHasher(&b)
	var h hasher
	j := NewJob(&hdr)
	h.init(&j.mid, j.tail[:])
	var d [8]uint32
	start := time.Now()
	for n := range uint32(calibrationHashes) {
		std.digest(n, &d)
	}
	stdTime := time.Since(start)
	start = time.Now()
	for n := range uint32(calibrationHashes) {
		h.digest(n, &d)
	}
	return stdTime < time.Since(start)
})
