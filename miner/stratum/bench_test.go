package stratum

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// benchShare returns a share of a template with a 10-level merkle branch
// (a block of ~1,000 transactions).
func benchShare(b *testing.B) (Share, *template) {
	fc := newFakeChain()
	st, err := OpenStore(b.TempDir(), 1000)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	s, err := New(Config{Chain: fc, Store: st, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	t, err := s.buildTemplate()
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10 {
		t.Branch = append(t.Branch, wire.DoubleSHA256([]byte{byte(i)}))
	}
	cb1, cb2, err := t.coinbase(p2pkh(1))
	if err != nil {
		b.Fatal(err)
	}
	return Share{Coinb1: cb1, Coinb2: cb2, EN1: 0x01020304, Branch: t.Branch, Header: t.Header}, t
}

// BenchmarkStratumShareValidate is one share's check: the coinbase, its
// txid, the merkle root through a 10-level branch, the header, its SHA-256d
// and the target comparison.
func BenchmarkStratumShareValidate(b *testing.B) {
	sh, t := benchShare(b)
	target, _ := jobTarget(testDiff, t.netTarget)
	met := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sh.Header.Nonce = uint32(i)
		h, _ := sh.Hash()
		if target.Meets(h) {
			met++
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "shares/s")
}

// BenchmarkStratumSHA256dHeader is the baseline: crypto/sha256's double
// hash of an 80-byte header, sha256.Sum256(sha256.Sum256(header)).
func BenchmarkStratumSHA256dHeader(b *testing.B) {
	var hdr [80]byte
	var sink byte
	for i := 0; i < b.N; i++ {
		binary.LittleEndian.PutUint32(hdr[76:], uint32(i))
		first := sha256.Sum256(hdr[:])
		h := sha256.Sum256(first[:])
		sink ^= h[0]
	}
	_ = sink
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
}

// BenchmarkStratumSubmit is the whole submit handler of a connection, from
// the parsed request on: parameters, job lookup, share check, duplicate
// check, vardiff, statistics and the share's LevelDB record (no socket).
func BenchmarkStratumSubmit(b *testing.B) {
	fc := newFakeChain()
	st, err := OpenStore(b.TempDir(), 1000)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	// The easiest share difficulty the network allows, so that every
	// share is accepted and recorded.
	s, err := New(Config{Chain: fc, Store: st, Logger: quiet, Vardiff: VardiffConfig{Min: 1e-12, Max: 1e-12},
		SubmitsPerSecond: 1e12})
	if err != nil {
		b.Fatal(err)
	}
	s.refresh(true)
	srv, cli := net.Pipe()
	defer cli.Close()
	go io.Copy(io.Discard, cli)
	c := newConn(s, srv)
	s.wg.Add(1)
	go c.writeLoop()
	defer c.kill()
	c.subscribe(nil)
	worker := testAddress(b, 1)
	if _, serr := c.authorize([]json.RawMessage{json.RawMessage(`"` + worker + `"`)}); serr != nil {
		b.Fatal(serr)
	}
	c.sendJob(s.current(), true)
	c.mu.Lock()
	jobID := c.jobOrder[0]
	ntime := c.jobs[jobID].t.Header.Timestamp
	c.mu.Unlock()
	raw := func(s string) json.RawMessage { return json.RawMessage(`"` + s + `"`) }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		params := []json.RawMessage{raw(worker), raw(jobID), raw(fmt.Sprintf("%08x", i)), raw(fmt.Sprintf("%08x", ntime)), raw("00000000")}
		if _, serr := c.submit(params); serr != nil && serr.Code != CodeLowDifficulty {
			b.Fatal(serr)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "shares/s")
}
