package stratum

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// testBits is the network difficulty of the fake chain: a target of
// 0xffff × 2^224, difficulty 2^-16, so that shares of difficulty 2^-24
// are found in a few hundred hashes and blocks in about 65,536.
const testBits = 0x1f00ffff

// fakeChain is a chain of fixed tip whose blocks are recorded, not
// validated.
type fakeChain struct {
	params *consensus.Params

	mu     sync.Mutex
	best   chain.BestState
	subs   []func(chain.Notification)
	blocks []*wire.Block
}

func newFakeChain() *fakeChain {
	p := *consensus.RegTestParams
	p.PowLimitBits = testBits
	p.PowLimit, _, _ = consensus.CompactToBig(testBits)
	fc := &fakeChain{params: &p}
	fc.best = chain.BestState{Hash: wire.DoubleSHA256([]byte("genesis")), Height: 100, Bits: testBits,
		Time: uint32(time.Now().Unix() - 60), MedianTime: uint32(time.Now().Unix() - 600)}
	return fc
}

func (fc *fakeChain) Best() chain.BestState {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.best
}

func (fc *fakeChain) Params() *consensus.Params { return fc.params }

func (fc *fakeChain) Coin(wire.OutPoint) (*chain.Coin, error) { return nil, nil }

func (fc *fakeChain) Subscribe(fn func(chain.Notification)) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.subs = append(fc.subs, fn)
}

func (fc *fakeChain) ProcessBlock(b *wire.Block) (chain.ProcessResult, error) {
	fc.mu.Lock()
	fc.blocks = append(fc.blocks, b)
	fc.mu.Unlock()
	return chain.ProcessResult{Hash: b.BlockHash(), MainChain: true}, nil
}

// advance moves the tip to a new block and notifies the subscribers.
func (fc *fakeChain) advance() {
	fc.mu.Lock()
	fc.best.Height++
	fc.best.Hash = wire.DoubleSHA256(fc.best.Hash[:])
	subs := slices.Clone(fc.subs)
	n := chain.Notification{Type: chain.BlockConnected, Hash: fc.best.Hash, Height: fc.best.Height}
	fc.mu.Unlock()
	for _, fn := range subs {
		fn(n)
	}
}

// Header knows the blocks handed to ProcessBlock, all on the main chain.
func (fc *fakeChain) Header(hash wire.Hash) (chain.HeaderInfo, bool) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	for _, b := range fc.blocks {
		if b.BlockHash() == hash {
			return chain.HeaderInfo{Hash: hash, Header: b.Header, MainChain: true}, true
		}
	}
	return chain.HeaderInfo{}, false
}

// disconnect notifies the subscribers that the block with hash left the
// main chain.
func (fc *fakeChain) disconnect(hash wire.Hash) {
	fc.mu.Lock()
	subs := slices.Clone(fc.subs)
	n := chain.Notification{Type: chain.BlockDisconnected, Hash: hash, Height: fc.best.Height}
	fc.mu.Unlock()
	for _, fn := range subs {
		fn(n)
	}
}

func (fc *fakeChain) found() []*wire.Block {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return append([]*wire.Block(nil), fc.blocks...)
}

// testAddress returns a regtest P2PKH address made from seed.
func testAddress(t testing.TB, seed byte) string {
	t.Helper()
	a, err := address.NewAddressPubKeyHash(bytes.Repeat([]byte{seed}, 20), consensus.RegTestParams.AddressPrefixes())
	if err != nil {
		t.Fatal(err)
	}
	return a.String()
}

// startServer runs a server with cfg (Chain, Store and Addr filled in when
// unset) until the test ends.
func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Chain == nil {
		cfg.Chain = newFakeChain()
	}
	if cfg.Store == nil {
		st, err := OpenStore(t.TempDir(), 100)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		cfg.Store = st
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("server still running 15 s after cancellation")
		}
	})
	return s
}

// msg is a line from the server: a response or a notification.
type msg struct {
	ID     json.RawMessage   `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
	Result json.RawMessage   `json:"result"`
	Error  *Error            `json:"error"`
}

// client is a scripted Stratum miner.
type client struct {
	t      testing.TB
	nc     net.Conn
	r      *bufio.Reader
	id     int
	notes  []msg
	en1    []byte
	sid    string
	diff   float64
	jobs   []jobParams
	mask   uint32
	worker string
}

// jobParams is a mining.notify as the miner reads it.
type jobParams struct {
	ID, PrevHash, Coinb1, Coinb2 string
	Branch                       []string
	Version, Bits, Time          string
	Clean                        bool
}

func dial(t testing.TB, s *Server) *client {
	t.Helper()
	nc, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &client{t: t, nc: nc, r: bufio.NewReader(nc)}
}

// sendRaw writes a raw line.
func (c *client) sendRaw(line string) {
	c.t.Helper()
	c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c.nc, line); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read reads one line from the server, failing the test after 5 s.
func (c *client) read() (msg, error) {
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		return msg{}, err
	}
	var m msg
	if err := json.Unmarshal(line, &m); err != nil {
		c.t.Fatalf("server sent %q: %v", line, err)
	}
	return m, nil
}

// note records a notification's effect on the miner's state.
func (c *client) note(m msg) {
	c.notes = append(c.notes, m)
	switch m.Method {
	case "mining.set_difficulty":
		json.Unmarshal(m.Params[0], &c.diff)
	case "mining.notify":
		var j jobParams
		var clean bool
		for i, dst := range []any{&j.ID, &j.PrevHash, &j.Coinb1, &j.Coinb2, &j.Branch, &j.Version, &j.Bits, &j.Time, &clean} {
			if err := json.Unmarshal(m.Params[i], dst); err != nil {
				c.t.Fatalf("mining.notify param %d: %v", i, err)
			}
		}
		j.Clean = clean
		if len(m.Params) != 9 || !bytes.HasPrefix(bytes.TrimSpace(m.Params[4]), []byte("[")) {
			// Miners iterate the branch: an empty one is [], never null.
			c.t.Errorf("mining.notify: %d params, merkle branch %s; want 9 and an array", len(m.Params), m.Params[4])
		}
		c.jobs = append(c.jobs, j)
	case "mining.set_extranonce":
		var en1 string
		json.Unmarshal(m.Params[0], &en1)
		c.en1, _ = hex.DecodeString(en1)
	}
}

// call sends a request and returns its response, recording the
// notifications read before it.
func (c *client) call(method string, params ...any) (json.RawMessage, *Error) {
	c.t.Helper()
	c.id++
	if params == nil {
		params = []any{}
	}
	b, _ := json.Marshal(map[string]any{"id": c.id, "method": method, "params": params})
	c.sendRaw(string(b) + "\n")
	for {
		m, err := c.read()
		if err != nil {
			c.t.Fatalf("%s: no response: %v", method, err)
		}
		if m.Method != "" {
			c.note(m)
			continue
		}
		if string(m.ID) != strconv.Itoa(c.id) {
			c.t.Fatalf("%s: response to id %s, want %d", method, m.ID, c.id)
		}
		return m.Result, m.Error
	}
}

// waitFor reads until a notification of method arrives and returns it.
func (c *client) waitFor(method string) msg {
	c.t.Helper()
	for {
		m, err := c.read()
		if err != nil {
			c.t.Fatalf("waiting for %s: %v", method, err)
		}
		if m.Method != "" {
			c.note(m)
		}
		if m.Method == method {
			return m
		}
	}
}

// subscribe subscribes (resuming sid when not empty) and records the
// extranonce1 and subscription id.
func (c *client) subscribe(sid string) {
	c.t.Helper()
	params := []any{"testminer/1.0"}
	if sid != "" {
		params = append(params, sid)
	}
	res, serr := c.call("mining.subscribe", params...)
	if serr != nil {
		c.t.Fatalf("subscribe: %v", serr)
	}
	var out []json.RawMessage
	if err := json.Unmarshal(res, &out); err != nil || len(out) != 3 {
		c.t.Fatalf("subscribe result %s", res)
	}
	var subs [][]string
	var en1 string
	var en2size int
	json.Unmarshal(out[0], &subs)
	json.Unmarshal(out[1], &en1)
	json.Unmarshal(out[2], &en2size)
	if len(subs) != 2 || subs[0][0] != "mining.set_difficulty" || subs[1][0] != "mining.notify" || subs[0][1] != subs[1][1] {
		c.t.Fatalf("subscriptions %v", subs)
	}
	if len(en1) != 8 || en2size != 4 {
		c.t.Fatalf("extranonce1 %q, extranonce2 size %d; want 4 bytes each", en1, en2size)
	}
	c.en1, _ = hex.DecodeString(en1)
	c.sid = subs[0][1]
}

// authorize authorizes worker and waits for the first job.
func (c *client) authorize(worker string) {
	c.t.Helper()
	res, serr := c.call("mining.authorize", worker, "x")
	if serr != nil || string(res) != "true" {
		c.t.Fatalf("authorize %s: %s %v", worker, res, serr)
	}
	c.worker = worker
	if len(c.jobs) == 0 {
		c.waitFor("mining.notify")
	}
}

// lastJob returns the newest job.
func (c *client) lastJob() jobParams {
	c.t.Helper()
	if len(c.jobs) == 0 {
		c.t.Fatal("no job")
	}
	return c.jobs[len(c.jobs)-1]
}

// solved is a share found by the miner.
type solved struct {
	job                       jobParams
	en2                       string
	ntime, nonce, versionBits uint32
	hash                      [32]byte // block hash, internal order
	header                    []byte
}

// dsha is SHA-256d with crypto/sha256, independent of the code under test.
func dsha(b []byte) [32]byte {
	a := sha256.Sum256(b)
	return sha256.Sum256(a[:])
}

// hashValue reads a hash (internal order) as the number it stands for.
func hashValue(h [32]byte) *big.Int {
	var be [32]byte
	for i := range h {
		be[i] = h[31-i]
	}
	return new(big.Int).SetBytes(be[:])
}

// headerOf builds the 80-byte header a miner hashes for job with the
// given extranonces, time, nonce and version bits (mask applied).
func headerOf(t testing.TB, j jobParams, en1, en2 []byte, ntime, nonce, vbits, mask uint32) []byte {
	t.Helper()
	cb1, err1 := hex.DecodeString(j.Coinb1)
	cb2, err2 := hex.DecodeString(j.Coinb2)
	prev, err3 := hex.DecodeString(j.PrevHash)
	if err1 != nil || err2 != nil || err3 != nil || len(prev) != 32 {
		t.Fatalf("job %+v does not decode", j)
	}
	cb := append(append(append(append([]byte(nil), cb1...), en1...), en2...), cb2...)
	root := dsha(cb)
	for _, h := range j.Branch {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != 32 {
			t.Fatalf("branch %q", h)
		}
		root = dsha(append(root[:], b...))
	}
	version, _ := strconv.ParseUint(j.Version, 16, 32)
	bits, _ := strconv.ParseUint(j.Bits, 16, 32)
	v := uint32(version)&^mask | vbits&mask
	hdr := binary.LittleEndian.AppendUint32(nil, v)
	for i := 0; i < 32; i += 4 { // undo Stratum's word order
		hdr = append(hdr, prev[i+3], prev[i+2], prev[i+1], prev[i])
	}
	hdr = append(hdr, root[:]...)
	hdr = binary.LittleEndian.AppendUint32(hdr, ntime)
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(bits))
	hdr = binary.LittleEndian.AppendUint32(hdr, nonce)
	return hdr
}

// mine searches nonces from start for a share of job whose hash is within
// target (meet) or above it (!meet).
func (c *client) mine(j jobParams, en2 uint32, vbits uint32, target *big.Int, meet bool, start uint32) solved {
	c.t.Helper()
	en2b := binary.BigEndian.AppendUint32(nil, en2)
	ntime64, _ := strconv.ParseUint(j.Time, 16, 32)
	ntime := uint32(ntime64)
	for nonce := start; nonce < start+50_000_000; nonce++ {
		hdr := headerOf(c.t, j, c.en1, en2b, ntime, nonce, vbits, c.mask)
		h := dsha(hdr)
		if (hashValue(h).Cmp(target) <= 0) == meet {
			return solved{job: j, en2: hex.EncodeToString(en2b), ntime: ntime, nonce: nonce, versionBits: vbits, hash: h, header: hdr}
		}
	}
	c.t.Fatal("no share found")
	return solved{}
}

// submit submits a share.
func (c *client) submit(s solved, withVersion bool) (json.RawMessage, *Error) {
	c.t.Helper()
	params := []any{c.worker, s.job.ID, s.en2, fmt.Sprintf("%08x", s.ntime), fmt.Sprintf("%08x", s.nonce)}
	if withVersion {
		params = append(params, fmt.Sprintf("%08x", s.versionBits))
	}
	return c.call("mining.submit", params...)
}

// diffTarget is the share target of difficulty d, computed here as
// floor(0xFFFF × 2^208 / d), the stricter convention.
func diffTarget(d float64) *big.Int {
	n := new(big.Float).SetPrec(300).SetInt(new(big.Int).Lsh(big.NewInt(0xffff), 208))
	n.Quo(n, new(big.Float).SetPrec(300).SetFloat64(d))
	t, _ := n.Int(nil)
	return t
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
