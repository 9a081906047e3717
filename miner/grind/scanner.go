package grind

import (
	"math"
	"math/bits"
	"sync"
	"time"

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
	// PathAVX512 is the project's amd64 assembly hashing 16 nonces in
	// the lanes of AVX-512 registers.
	PathAVX512 = "avx-512"
	// PathAVX2 is the same with 8 nonces in AVX2 registers.
	PathAVX2 = "avx2"
	// PathStdlib is crypto/sha256 resumed from a saved midstate.
	PathStdlib = "crypto/sha256"
	// PathPortable is the pure-Go compression over precomputed words.
	PathPortable = "portable"
)

// Path names the hash path Grind uses on this machine: the fastest of
// those the CPU runs, timed once (calibrate), at the first grind.
func Path() string { return fastestPath() }

// newScanner returns a scanner of header, whose job is j, on the path
// Path names.
func newScanner(header *wire.BlockHeader, j *Job) scanner {
	return scannerFor(Path(), header, j)
}

// scannerFor returns a scanner of header, whose job is j, on path, one of
// the paths this machine runs.
func scannerFor(path string, header *wire.BlockHeader, j *Job) scanner {
	switch path {
	case PathStdlib:
		b := header.Bytes()
		return &digestScanner{digest: newStdHasher(&b).digest, path: PathStdlib}
	case PathPortable:
		h := new(hasher)
		h.init(&j.mid, j.tail[:])
		return &digestScanner{digest: h.digest, path: PathPortable}
	default:
		return asmScanner(path, j)
	}
}

// allScanners returns a scanner of header, whose job is j, for every hash
// path this machine runs, by path.
func allScanners(header *wire.BlockHeader, j *Job) map[string]scanner {
	all := make(map[string]scanner)
	for _, path := range append([]string{PathStdlib, PathPortable}, asmPaths...) {
		all[path] = scannerFor(path, header, j)
	}
	return all
}

// laneScanner scans with assembly that hashes lanes nonces at once, and
// hashes the nonces after the last full set with the portable code.
type laneScanner struct {
	lanes     int
	scanLanes func(first, step, count, limit uint32) (index uint32, found bool)
	rest      hasher
	path      string
}

// newLaneScanner returns a laneScanner of job j whose assembly is
// scanLanes.
func newLaneScanner(j *Job, lanes int, path string, scanLanes func(first, step, count, limit uint32) (uint32, bool)) *laneScanner {
	s := &laneScanner{lanes: lanes, scanLanes: scanLanes, path: path}
	s.rest.init(&j.mid, j.tail[:])
	return s
}

// scan implements scanner.
func (s *laneScanner) scan(first, step uint32, count int, limit uint32) (int, bool) {
	full := count - count%s.lanes
	if full > 0 {
		if i, ok := s.scanLanes(first, step, uint32(full), limit); ok {
			return int(i), true
		}
	}
	var d [8]uint32
	for i := full; i < count; i++ {
		s.rest.digest(first+uint32(i)*step, &d)
		if bits.ReverseBytes32(d[7]) <= limit {
			return i, true
		}
	}
	return count, false
}

// name implements scanner.
func (s *laneScanner) name() string { return s.path }

// calibrationHashes is how many nonces each path hashes, three times, when
// the fastest is chosen: about 10 ms in all, once.
const calibrationHashes = 4096

// fastestPath times every path this machine runs on the same header, once,
// keeping each path's best of three runs, and names the fastest.
var fastestPath = sync.OnceValue(func() string {
	var h wire.BlockHeader
	j := NewJob(&h)
	best, bestTime := PathPortable, time.Duration(math.MaxInt64)
	for path, sc := range allScanners(&h, &j) {
		t := time.Duration(math.MaxInt64)
		for range 3 {
			start := time.Now()
			sc.scan(0, 1, calibrationHashes, 0)
			t = min(t, time.Since(start))
		}
		if t < bestTime {
			best, bestTime = path, t
		}
	}
	return best
})

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
