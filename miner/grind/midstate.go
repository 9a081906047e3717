package grind

import (
	"encoding/binary"
	"math/bits"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// Block sizes and SHA-256 padding of the two blocks hashed per nonce.
const (
	// midstateSize is how many header bytes the midstate covers.
	midstateSize = 64
	// tailSize is the header bytes after the midstate, without the nonce.
	tailSize = wire.HeaderSize - midstateSize - 4
	// headerBits is the bit length of the first hash's message.
	headerBits = 8 * wire.HeaderSize
	// digestBits is the bit length of the second hash's message.
	digestBits = 8 * 32
	// padMarker is the word holding the 0x80 byte that starts the padding.
	padMarker = 0x80000000
)

// tailPad is the header's second SHA-256 block with its constant padding in
// place: words 0-2 take the header's last 12 bytes before the nonce, word 3
// the nonce, then the 0x80 marker, zeros and the 640-bit length.
var tailPad = [16]uint32{4: padMarker, 15: headerBits}

// digestPad is the second hash's only block with its constant padding in
// place: words 0-7 take the first hash, then the 0x80 marker, zeros and the
// 256-bit length.
var digestPad = [16]uint32{8: padMarker, 15: digestBits}

// Midstate is the SHA-256 state after compressing the first 64 bytes of a
// block header: its version, previous block hash and the first 28 bytes of
// its merkle root. It stays the same for every nonce, time and bits.
type Midstate [8]uint32

// NewMidstate returns the midstate of a header whose serialization starts
// with first64; it panics if first64 is shorter than 64 bytes.
func NewMidstate(first64 []byte) Midstate {
	var w [64]uint32
	loadBlock(&w, first64[:midstateSize])
	m := Midstate(iv)
	compress((*[8]uint32)(&m), &w)
	return m
}

// HashTail returns the block hash (SHA-256d, in internal order) of the
// header whose first 64 bytes gave m, whose next 12 bytes (the end of the
// merkle root, the time and the bits) are tail and whose nonce is nonce. It
// panics if tail is shorter than 12 bytes.
func (m *Midstate) HashTail(tail []byte, nonce uint32) wire.Hash {
	var h hasher
	h.init(m, tail)
	var d [8]uint32
	h.digest(nonce, &d)
	return digestHash(&d)
}

// Job is a header prepared for grinding: the midstate of its first 64 bytes
// and the words of its last 16 bytes except the nonce.
type Job struct {
	mid  Midstate
	tail [tailSize]byte
}

// NewJob prepares header h for grinding; h's nonce is ignored.
func NewJob(h *wire.BlockHeader) Job {
	b := h.Bytes()
	j := Job{mid: NewMidstate(b[:midstateSize])}
	copy(j.tail[:], b[midstateSize:midstateSize+tailSize])
	return j
}

// Hash returns the block hash (SHA-256d, in internal order) of the job's
// header with the given nonce. It does not allocate.
func (j *Job) Hash(nonce uint32) wire.Hash {
	return j.mid.HashTail(j.tail[:], nonce)
}

// hasher holds one thread's message schedules for a job: w1 is the header's
// second block and w2 the second hash's block, their constant words and
// padding written once, so hashing a nonce only writes the nonce word and
// the first hash.
type hasher struct {
	mid    [8]uint32
	w1, w2 [64]uint32
}

// init prepares h for the header with midstate m and the 12 bytes tail
// after the midstate.
func (h *hasher) init(m *Midstate, tail []byte) {
	_ = tail[tailSize-1]
	h.mid = *m
	copy(h.w1[:16], tailPad[:])
	for i := 0; i < tailSize/4; i++ {
		h.w1[i] = binary.BigEndian.Uint32(tail[4*i:])
	}
	copy(h.w2[:16], digestPad[:])
}

// digest sets out to the SHA-256d state words of the header with the given
// nonce: the block hash's bytes are out's words, each big-endian.
func (h *hasher) digest(nonce uint32, out *[8]uint32) {
	// The nonce is serialized little-endian; the block reads big-endian words.
	h.w1[3] = bits.ReverseBytes32(nonce)
	*out = h.mid
	compress(out, &h.w1)
	copy(h.w2[:8], out[:])
	*out = iv
	compress(out, &h.w2)
}

// digestHash returns the hash whose bytes are d's words, each big-endian.
func digestHash(d *[8]uint32) wire.Hash {
	var hash wire.Hash
	for i, v := range d {
		binary.BigEndian.PutUint32(hash[4*i:], v)
	}
	return hash
}
