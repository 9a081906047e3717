package grind

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/big"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// icbrt returns the integer cube root of n, floor(n^(1/3)).
func icbrt(n *big.Int) *big.Int {
	lo, hi := big.NewInt(0), new(big.Int).Lsh(big.NewInt(1), uint(n.BitLen()/3+1))
	one := big.NewInt(1)
	for lo.Cmp(hi) < 0 { // invariant: lo^3 <= n < (hi+1)^3
		mid := new(big.Int).Add(lo, hi)
		mid.Add(mid, one).Rsh(mid, 1)
		if new(big.Int).Exp(mid, big.NewInt(3), nil).Cmp(n) <= 0 {
			lo = mid
		} else {
			hi = mid.Sub(mid, one)
		}
	}
	return lo
}

func TestConstants(t *testing.T) {
	var primes []int64
	for p := int64(2); len(primes) < 64; p++ {
		if big.NewInt(p).ProbablyPrime(0) {
			primes = append(primes, p)
		}
	}
	mask := big.NewInt(math.MaxUint32)
	for i, p := range primes {
		// The first 32 fractional bits of p^(1/3) are floor((p*2^96)^(1/3)) mod 2^32.
		want := icbrt(new(big.Int).Lsh(big.NewInt(p), 96))
		if got := uint64(k[i]); want.And(want, mask).Uint64() != got {
			t.Errorf("k[%d] = %#x, want %#x", i, got, want.Uint64())
		}
		if i < 8 {
			want := new(big.Int).Sqrt(new(big.Int).Lsh(big.NewInt(p), 64))
			if got := uint64(iv[i]); want.And(want, mask).Uint64() != got {
				t.Errorf("iv[%d] = %#x, want %#x", i, got, want.Uint64())
			}
		}
	}
}

// sum256 is SHA-256 of any message built on compress, padding per FIPS 180-4.
func sum256(msg []byte) [32]byte {
	p := append([]byte(nil), msg...)
	p = append(p, 0x80)
	for len(p)%64 != 56 {
		p = append(p, 0)
	}
	p = binary.BigEndian.AppendUint64(p, uint64(8*len(msg)))
	s := iv
	var w [64]uint32
	for ; len(p) > 0; p = p[64:] {
		loadBlock(&w, p[:64])
		compress(&s, &w)
	}
	var out [32]byte
	for i, v := range s {
		binary.BigEndian.PutUint32(out[4*i:], v)
	}
	return out
}

func TestCompressVsCrypto(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 300; n++ {
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(r.Uint32())
		}
		if got, want := sum256(msg), sha256.Sum256(msg); got != want {
			t.Fatalf("len %d: sum256 %x, crypto/sha256 %x", n, got, want)
		}
	}
}

func randomHeader(r *rand.Rand) wire.BlockHeader {
	h := wire.BlockHeader{Version: int32(r.Uint32()), Timestamp: r.Uint32(), Bits: r.Uint32(), Nonce: r.Uint32()}
	for i := range h.PrevBlock {
		h.PrevBlock[i] = byte(r.Uint32())
		h.MerkleRoot[i] = byte(r.Uint32())
	}
	return h
}

// checkHash compares every midstate path with wire's SHA-256d for h.
func checkHash(t *testing.T, name string, h wire.BlockHeader) {
	t.Helper()
	b := h.Bytes()
	want := wire.DoubleSHA256(b[:])
	j := NewJob(&h)
	if got := j.Hash(h.Nonce); got != want {
		t.Errorf("%s: Job.Hash %s, want %s", name, got, want)
	}
	m := NewMidstate(b[:64])
	if got := m.HashTail(b[64:76], h.Nonce); got != want {
		t.Errorf("%s: HashTail %s, want %s", name, got, want)
	}
	var hs hasher
	hs.init(&m, b[64:76])
	var d [8]uint32
	hs.digest(h.Nonce^1, &d) // a stale nonce first, as grinding threads reuse hashers
	hs.digest(h.Nonce, &d)
	if got := digestHash(&d); got != want {
		t.Errorf("%s: hasher %s, want %s", name, got, want)
	}
}

func TestHashTable(t *testing.T) {
	tests := []struct {
		name string
		h    wire.BlockHeader
	}{
		{"zero", wire.BlockHeader{}},
		{"ones", wire.BlockHeader{Version: -1, PrevBlock: wire.Hash{0: 0xff, 31: 0xff},
			MerkleRoot: wire.Hash{27: 0xff, 28: 0xfe, 31: 0x01}, Timestamp: math.MaxUint32,
			Bits: math.MaxUint32, Nonce: math.MaxUint32}},
		{"nonce 1", wire.BlockHeader{Nonce: 1}},
		{"nonce 0x80000000", wire.BlockHeader{Nonce: 0x80000000, Bits: 0x1d00ffff}},
		{"main genesis", consensus.MainNetParams.GenesisBlock.Header},
		{"test genesis", consensus.TestNetParams.GenesisBlock.Header},
		{"regtest genesis", consensus.RegTestParams.GenesisBlock.Header},
	}
	for _, tt := range tests {
		checkHash(t, tt.name, tt.h)
	}
	h := consensus.MainNetParams.GenesisBlock.Header
	if j := NewJob(&h); j.Hash(h.Nonce) != consensus.MainNetParams.GenesisHash {
		t.Error("main genesis hash differs from its parameters")
	}
}

func TestHashRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 2000; i++ {
		h := randomHeader(r)
		checkHash(t, "random", h)
		j := NewJob(&h)
		for n := 0; n < 8; n++ { // more nonces on the same midstate
			h.Nonce = r.Uint32()
			b := h.Bytes()
			if got, want := j.Hash(h.Nonce), wire.DoubleSHA256(b[:]); got != want {
				t.Fatalf("header %x: Hash %s, want %s", b, got, want)
			}
		}
	}
}

func TestHashAllocs(t *testing.T) {
	h := randomHeader(rand.New(rand.NewPCG(5, 6)))
	j := NewJob(&h)
	var sink wire.Hash
	if n := testing.AllocsPerRun(100, func() { sink = j.Hash(uint32(sink[0])) }); n != 0 {
		t.Errorf("Job.Hash allocates %v times", n)
	}
}

func TestTarget(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, bits := range []uint32{0x207fffff, 0x1d00ffff, 0x1b0404cb, 0x03123456, 0x2100ffff} {
		tg, err := TargetFromBits(bits)
		if err != nil {
			t.Fatalf("bits %#x: %v", bits, err)
		}
		want, _, _ := consensus.CompactToBig(bits)
		if tg.Big().Cmp(want) != 0 {
			t.Fatalf("bits %#x: target %x, want %x", bits, tg.Big(), want)
		}
		for i := 0; i < 2000; i++ {
			var hash wire.Hash
			for j := range hash {
				hash[j] = byte(r.Uint32())
			}
			// Hashes near the target: copy the target's top bytes.
			be := consensus.BigToHash(want)
			keep := r.IntN(33)
			copy(hash[32-keep:], be[32-keep:])
			wantOK := consensus.HashToBig(hash).Cmp(want) <= 0
			if tg.Meets(hash) != wantOK {
				t.Fatalf("bits %#x hash %s: Meets %v, want %v", bits, hash, !wantOK, wantOK)
			}
			var d [8]uint32
			for j := range d {
				d[j] = binary.BigEndian.Uint32(hash[4*j:])
			}
			if tg.meetsDigest(&d) != wantOK {
				t.Fatalf("bits %#x hash %s: meetsDigest %v, want %v", bits, hash, !wantOK, wantOK)
			}
		}
		if !tg.Meets(consensus.BigToHash(want)) {
			t.Errorf("bits %#x: the target itself does not meet it", bits)
		}
	}
	for _, bits := range []uint32{0, 0x04923456, 0x23000001} {
		if _, err := TargetFromBits(bits); err == nil {
			t.Errorf("bits %#x accepted", bits)
		}
	}
	if _, err := NewTarget(new(big.Int).Lsh(big.NewInt(1), 256)); err == nil {
		t.Error("2^256 accepted")
	}
}

// checkFound asserts that nonce solves h for target by wire's own hashing.
func checkFound(t *testing.T, h wire.BlockHeader, target *big.Int, nonce uint32) {
	t.Helper()
	h.Nonce = nonce
	if consensus.HashToBig(h.BlockHash()).Cmp(target) > 0 {
		t.Fatalf("nonce %d: hash %s above target %x", nonce, h.BlockHash(), target)
	}
}

func TestGrindFinds(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	regtest, _, _ := consensus.CompactToBig(0x207fffff)
	harder := new(big.Int).Lsh(big.NewInt(1), 256-12) // about 2^12 hashes
	for _, target := range []*big.Int{regtest, harder} {
		for _, threads := range []int{1, 2, 3} {
			h := randomHeader(r)
			tg, err := NewTarget(target)
			if err != nil {
				t.Fatal(err)
			}
			c := NewCounters(threads)
			nonce, found := Grind(context.Background(), h, tg, threads, c)
			if !found {
				t.Fatalf("target %x threads %d: not found", target, threads)
			}
			checkFound(t, h, target, nonce)
			if c.Total() == 0 || c.Rejected() != 0 {
				t.Errorf("counters: total %d rejected %d", c.Total(), c.Rejected())
			}
		}
	}
}

// TestGrindGenesis finds the test network's genesis nonce with one thread
// grinding a window around it: it must be the window's first solution.
func TestGrindGenesis(t *testing.T) {
	p := consensus.TestNetParams
	h := p.GenesisBlock.Header
	tg, err := TargetFromBits(h.Bits)
	if err != nil {
		t.Fatal(err)
	}
	want := h.Nonce
	h.Nonce = 0
	nonce, found := grindRange(context.Background(), &h, &tg, 1, nil, want-1000, want+1000)
	if !found || nonce != want {
		t.Fatalf("found %v nonce %d, want %d", found, nonce, want)
	}
	h.Nonce = nonce
	if h.BlockHash() != p.GenesisHash {
		t.Fatal("hash differs from the genesis hash")
	}
}

func TestGrindCancel(t *testing.T) {
	h := randomHeader(rand.New(rand.NewPCG(11, 12)))
	var never Target // only an all-zero hash meets it
	for _, threads := range []int{1, 2, 4} {
		ctx, cancel := context.WithCancel(context.Background())
		c := NewCounters(threads)
		done := make(chan time.Time)
		go func() {
			_, found := Grind(ctx, h, never, threads, c)
			if found {
				t.Error("found a nonce for a zero target")
			}
			done <- time.Now()
		}()
		time.Sleep(30 * time.Millisecond)
		start := time.Now()
		cancel()
		stopped := <-done
		if d := stopped.Sub(start); d > 50*time.Millisecond {
			t.Errorf("threads %d: stopped %v after cancel", threads, d)
		} else {
			t.Logf("threads %d: stopped %v after cancel, %d hashes", threads, d, c.Total())
		}
		if c.Total() == 0 {
			t.Errorf("threads %d: no hashes counted", threads)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := NewCounters(2)
	if _, found := Grind(ctx, h, never, 2, c); found || c.Total() != 0 {
		t.Errorf("cancelled before: found %v after %d hashes", found, c.Total())
	}
}

func TestGrindExhaustCounts(t *testing.T) {
	h := randomHeader(rand.New(rand.NewPCG(13, 14)))
	var never Target
	for _, tc := range []struct {
		threads     int
		first, last uint32
	}{
		{1, 0, 9999},
		{3, 5, 3*CheckInterval + 7},
		{2, math.MaxUint32 - 5000, math.MaxUint32}, // the top of the nonce space, no wrap
		{4, 100, 101},
		{2, 7, 7},
	} {
		c := NewCounters(tc.threads)
		if _, found := grindRange(context.Background(), &h, &never, tc.threads, c, tc.first, tc.last); found {
			t.Fatal("found a nonce for a zero target")
		}
		want := uint64(tc.last-tc.first) + 1
		if c.Total() != want {
			t.Errorf("%+v: counted %d hashes, want %d", tc, c.Total(), want)
		}
		for i := range tc.threads {
			// Thread i hashes first+i, first+i+threads, ... up to last.
			wantI := uint64(0)
			if uint64(i) < want {
				wantI = (want-uint64(i)-1)/uint64(tc.threads) + 1
			}
			if c.Thread(i) != wantI {
				t.Errorf("%+v: thread %d counted %d, want %d", tc, i, c.Thread(i), wantI)
			}
		}
	}
}

// TestCountersConcurrentRead reads the counters while Grind runs, as a hash
// rate display does; run under -race.
func TestCountersConcurrentRead(t *testing.T) {
	h := randomHeader(rand.New(rand.NewPCG(15, 16)))
	var never Target
	c := NewCounters(2)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	var last uint64
	wg.Go(func() {
		for ctx.Err() == nil {
			n := c.Total()
			if n < last {
				t.Errorf("total went down from %d to %d", last, n)
			}
			last = n
			time.Sleep(time.Millisecond)
		}
	})
	Grind(ctx, h, never, 2, c)
	wg.Wait()
	if c.Total() < last || c.Total() == 0 {
		t.Errorf("final total %d, last read %d", c.Total(), last)
	}
}

func TestCountersTooFew(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for too few counters")
		}
	}()
	Grind(context.Background(), wire.BlockHeader{}, Target{}, 3, NewCounters(2))
}

func BenchmarkGrindHash(b *testing.B) {
	h := randomHeader(rand.New(rand.NewPCG(17, 18)))
	j := NewJob(&h)
	var hs hasher
	hs.init(&j.mid, j.tail[:])
	var d [8]uint32
	var nonce uint32
	for b.Loop() {
		hs.digest(nonce, &d)
		nonce++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "H/s")
}

func BenchmarkCryptoSHA256d(b *testing.B) {
	h := randomHeader(rand.New(rand.NewPCG(17, 18)))
	hb := h.Bytes()
	var nonce uint32
	for b.Loop() {
		binary.LittleEndian.PutUint32(hb[76:], nonce)
		first := sha256.Sum256(hb[:])
		_ = sha256.Sum256(first[:])
		nonce++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "H/s")
}

// benchGrind runs Grind on threads threads over b.N nonces against a
// target no hash meets, so ns/op is the wall time per nonce of the whole
// grinder (scanner, counters, stop checks) on this machine's hash path.
func benchGrind(b *testing.B, threads int) {
	h := randomHeader(rand.New(rand.NewPCG(19, 20)))
	var never Target
	c := NewCounters(threads)
	b.ResetTimer()
	grindRange(context.Background(), &h, &never, threads, c, 0, uint32(min(b.N, math.MaxUint32)-1))
	b.StopTimer()
	if c.Total() != uint64(b.N) {
		b.Fatalf("%d hashes counted for %d nonces", c.Total(), b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "H/s")
}

// BenchmarkGrind1Thread is the grinder's rate on one thread.
func BenchmarkGrind1Thread(b *testing.B) { benchGrind(b, 1) }

// BenchmarkGrind2Threads is the grinder's rate on two threads.
func BenchmarkGrind2Threads(b *testing.B) { benchGrind(b, 2) }
