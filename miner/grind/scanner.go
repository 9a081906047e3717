package grind

import (
	"math/bits"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// scanner hashes runs of one header's nonces for one grinding thread.
type scanner interface {
	// scan hashes count nonces first, first+step, first+2*step, ...
	// (modulo 2^32) and returns the index of the first whose block hash's
	// most significant word (the top 32 bits of the hash read as a
	// little-endian number) is at most limit, or count and false.
	scan(first, step uint32, count int, limit uint32) (int, bool)
	// name names the hash path, as Path does.
	name() string
}

// Hash paths, as Path names them.
const (
	// PathSHANI is the project's amd64 assembly: two nonces interleaved
	// through the SHA extensions, the first block's constant rounds and
	// the second hash's last rounds skipped.
	PathSHANI = "sha-ni"
	// PathStdlib is crypto/sha256 resumed from a saved midstate.
	PathStdlib = "crypto/sha256"
	// PathPortable is the pure-Go compression over precomputed words.
	PathPortable = "portable"
)

// Path names the hash path Grind uses on this machine: PathSHANI where
// the CPU has the SHA extensions (and SSSE3 and SSE4.1) on amd64,
// otherwise the faster of PathStdlib and PathPortable, timed once.
func Path() string {
	switch {
	case haveSHANI:
		return PathSHANI
	case useStdlib():
		return PathStdlib
	default:
		return PathPortable
	}
}

// newScanner returns a scanner of header, whose job is j, on the path
// Path names.
func newScanner(header *wire.BlockHeader, j *Job) scanner {
	if s := newSHANIScanner(j); s != nil {
		return s
	}
	if useStdlib() {
		b := header.Bytes()
		return &digestScanner{digest: newStdHasher(&b).digest, path: PathStdlib}
	}
	h := new(hasher)
	h.init(&j.mid, j.tail[:])
	return &digestScanner{digest: h.digest, path: PathPortable}
}

// digestScanner scans with a function giving a nonce's SHA-256d state
// words.
type digestScanner struct {
	digest func(nonce uint32, out *[8]uint32)
	path   string
}

// scan implements scanner.
func (s *digestScanner) scan(first, step uint32, count int, limit uint32) (int, bool) {
	var d [8]uint32
	n := first
	for i := 0; i < count; i++ {
		s.digest(n, &d)
		if bits.ReverseBytes32(d[7]) <= limit {
			return i, true
		}
		n += step
	}
	return count, false
}

// name implements scanner.
func (s *digestScanner) name() string { return s.path }
