package grind

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// scanners returns every scanner of header this machine can run, by path.
func scanners(t testing.TB, h *wire.BlockHeader) map[string]scanner {
	t.Helper()
	j := NewJob(h)
	return allScanners(h, &j)
}

// topWord is the most significant 32 bits of the block hash of h with
// nonce, computed with crypto/sha256 over the whole header.
func topWord(h wire.BlockHeader, nonce uint32) uint32 {
	h.Nonce = nonce
	b := h.Bytes()
	first := sha256.Sum256(b[:])
	second := sha256.Sum256(first[:])
	return binary.LittleEndian.Uint32(second[28:])
}

// TestScannersMatchCryptoSHA256 runs every hash path over runs of nonces of
// random headers with the limit set to the lowest top word of the run, as
// crypto/sha256 computes it, so each path must find exactly the first nonce
// having it; and with a limit just below it, so each must find none.
func TestScannersMatchCryptoSHA256(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	var h wire.BlockHeader
	for path := range scanners(t, &h) {
		t.Logf("testing the %s path", path)
	}
	cases := 0
	for range 200 {
		h := randomHeader(rng)
		count := 1 + rng.IntN(64)
		step := uint32(1 + rng.IntN(3))
		first := rng.Uint32()
		if rng.IntN(4) == 0 {
			first = math.MaxUint32 - uint32(rng.IntN(20)) // nonces wrap around
		}
		tops := make([]uint32, count)
		want := 0
		for i := range tops {
			tops[i] = topWord(h, first+uint32(i)*step)
			if tops[i] < tops[want] {
				want = i
			}
		}
		for path, sc := range scanners(t, &h) {
			if sc.name() != path {
				t.Fatalf("scanner for %s names itself %s", path, sc.name())
			}
			got, ok := sc.scan(first, step, count, tops[want])
			if !ok || got != want {
				t.Fatalf("%s: %d nonces from %d step %d, limit %#x: got %d %v, want %d (tops %x)",
					path, count, first, step, tops[want], got, ok, want, tops)
			}
			if tops[want] > 0 {
				if got, ok := sc.scan(first, step, count, tops[want]-1); ok || got != count {
					t.Fatalf("%s: limit below every top word: got %d %v, want %d false", path, got, ok, count)
				}
			}
			cases++
		}
	}
	t.Logf("%d scans compared", cases)
}

// TestScannerFindsEveryPosition puts the only qualifying nonce at each
// position of a run, so both interleaved lanes of the SHA-NI path and the
// odd nonce after its pairs are each shown to report the right index.
func TestScannerFindsEveryPosition(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	h := randomHeader(rng)
	const count = 37 // two AVX-512 passes, four AVX2 passes, 18 SHA-NI pairs, and a tail
	for pos := range count {
		// Look for a first nonce such that the run's lowest top word sits
		// at pos.
		for first := rng.Uint32(); ; first += count {
			tops := make([]uint32, count)
			low := 0
			for i := range tops {
				tops[i] = topWord(h, first+uint32(i))
				if tops[i] < tops[low] {
					low = i
				}
			}
			if low != pos {
				continue
			}
			for path, sc := range scanners(t, &h) {
				if got, ok := sc.scan(first, 1, count, tops[low]); !ok || got != pos {
					t.Fatalf("%s: lowest at %d: got %d %v", path, pos, got, ok)
				}
			}
			break
		}
	}
}

// TestPathChoice checks that Path names the SHA-NI path exactly when the
// CPU has it, and that Grind's threads use the path Path names.
func TestPathChoice(t *testing.T) {
	var h wire.BlockHeader
	j := NewJob(&h)
	got := newScanner(&h, &j).name()
	if got != Path() {
		t.Fatalf("threads scan with %s, Path says %s", got, Path())
	}
	if _, ok := scanners(t, &h)[got]; !ok {
		t.Fatalf("path %s is not one this machine runs", got)
	}
	t.Logf("hash path: %s", got)
}

// TestGeneratedAssemblyUpToDate checks that the assembly files are what
// their generators write, so the generators stay the source.
func TestGeneratedAssemblyUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the generators")
	}
	out, err := exec.Command("go", "run", "../../internal/tools/asmgen").Output()
	if err != nil {
		t.Fatalf("go run asmgen: %v", err)
	}
	have, err := os.ReadFile("grind_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, have) {
		t.Error("grind_amd64.s differs from the output of internal/tools/asmgen: run go generate ./miner/grind")
	}
}

// BenchmarkScan is one nonce (an op) through each hash path's scanner on
// one thread, scanned in runs of CheckInterval nonces as Grind does.
func BenchmarkScan(b *testing.B) {
	h := randomHeader(rand.New(rand.NewPCG(21, 22)))
	for path, sc := range scanners(b, &h) {
		b.Run(path, func(b *testing.B) {
			for n := 0; n < b.N; n += CheckInterval {
				sc.scan(uint32(n), 1, min(CheckInterval, b.N-n), 0)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "H/s")
		})
	}
}
