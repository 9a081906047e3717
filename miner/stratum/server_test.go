package stratum

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// testDiff is the share difficulty of the tests: 2^-24, a share in about
// 256 hashes, below the fake chain's network difficulty of 2^-16.
var testDiff = math.Ldexp(1, -24)

func testConfig() Config {
	return Config{Vardiff: VardiffConfig{Min: testDiff, Max: 1}}
}

// ready returns a client subscribed and authorized as worker of a new
// address.
func ready(t *testing.T, s *Server, seed byte) *client {
	t.Helper()
	c := dial(t, s)
	c.subscribe("")
	c.authorize(testAddress(t, seed) + ".rig1")
	return c
}

// TestJobFormat checks a job against the chain's tip, independently of the
// server's code: job id in hex, prevhash in Stratum's word order, the BIP34
// height and the extranonce push at the end of coinb1, a coinbase paying
// the worker the template's value, version/nbits/ntime as 8 hex digits.
func TestJobFormat(t *testing.T) {
	fc := newFakeChain()
	cfg := testConfig()
	cfg.Chain = fc
	s := startServer(t, cfg)
	c := ready(t, s, 1)
	j := c.lastJob()
	if _, err := strconv.ParseUint(j.ID, 16, 64); err != nil {
		t.Errorf("job id %q is not hex", j.ID)
	}
	if !j.Clean {
		t.Error("first job not clean")
	}
	tip := fc.Best().Hash
	var want []byte
	for i := 0; i < 32; i += 4 {
		want = append(want, tip[i+3], tip[i+2], tip[i+1], tip[i])
	}
	if j.PrevHash != hex.EncodeToString(want) {
		t.Errorf("prevhash %s, want %x", j.PrevHash, want)
	}
	for name, v := range map[string]string{"version": j.Version, "nbits": j.Bits, "ntime": j.Time} {
		if len(v) != 8 {
			t.Errorf("%s %q is not 8 hex digits", name, v)
		}
	}
	if j.Version != "20000000" || j.Bits != fmt.Sprintf("%08x", testBits) {
		t.Errorf("version %s bits %s", j.Version, j.Bits)
	}
	cb1, _ := hex.DecodeString(j.Coinb1)
	height, _ := script.NewBuilder().AddInt64(int64(fc.Best().Height) + 1).Script()
	if !bytes.HasSuffix(cb1, append(height, 8)) {
		t.Errorf("coinb1 %x does not end with the height push %x and a push of 8 bytes", cb1, height)
	}
	cb2, _ := hex.DecodeString(j.Coinb2)
	raw := append(append(append([]byte(nil), cb1...), c.en1...), 1, 2, 3, 4)
	tx, err := wire.DecodeTx(append(raw, cb2...))
	if err != nil {
		t.Fatalf("coinbase does not decode: %v", err)
	}
	a, _ := address.Decode(testAddress(t, 1), consensus.RegTestParams.AddressPrefixes())
	subsidy := consensus.CalcBlockSubsidy(int64(fc.Best().Height)+1, fc.params)
	if len(tx.TxOut) != 1 || !bytes.Equal(tx.TxOut[0].PkScript, a.ScriptPubKey()) || tx.TxOut[0].Value != subsidy {
		t.Errorf("coinbase outputs %+v, want %d to the worker's address", tx.TxOut[0], subsidy)
	}
	if c.diff != testDiff {
		t.Errorf("difficulty %v, want %v", c.diff, testDiff)
	}
}

// TestEveryMethodAndErrorPath runs a miner through every method and every
// error the server answers, each error as [code, "message", null].
func TestEveryMethodAndErrorPath(t *testing.T) {
	fc := newFakeChain()
	cfg := testConfig()
	cfg.Chain = fc
	s := startServer(t, cfg)

	// Requests before subscribing.
	early := dial(t, s)
	if _, serr := early.call("mining.submit", "x", "1", "00000000", "00000000", "00000000"); serr == nil || serr.Code != CodeNotSubscribed {
		t.Errorf("submit before subscribe: %v, want code 25", serr)
	}

	c := dial(t, s)
	res, serr := c.call("mining.configure", []string{"version-rolling", "minimum-difficulty", "subscribe-extranonce"},
		map[string]any{"version-rolling.mask": "ffffffff", "version-rolling.min-bit-count": 2, "minimum-difficulty.value": testDiff})
	if serr != nil {
		t.Fatal(serr)
	}
	var conf map[string]any
	json.Unmarshal(res, &conf)
	if conf["version-rolling"] != true || conf["version-rolling.mask"] != "1fffe000" ||
		conf["minimum-difficulty"] != true || conf["subscribe-extranonce"] != false {
		t.Errorf("configure result %s", res)
	}
	c.mask = VersionRollingMask
	c.subscribe("")
	if res, serr := c.call("mining.extranonce.subscribe"); serr != nil || string(res) != "true" {
		t.Errorf("extranonce.subscribe: %s %v", res, serr)
	}
	if res, serr := c.call("mining.suggest_difficulty", testDiff); serr != nil || string(res) != "true" {
		t.Errorf("suggest_difficulty: %s %v", res, serr)
	}
	if _, serr := c.call("mining.authorize", "not-an-address", "x"); serr == nil || serr.Code != CodeUnauthorized {
		t.Errorf("authorize with a bad address: %v, want code 24", serr)
	}
	c.authorize(testAddress(t, 2) + ".w")
	j := c.lastJob()
	target := diffTarget(c.diff)
	good := c.mine(j, 1, 0, target, true, 0)
	if res, serr := c.submit(good, false); serr != nil || string(res) != "true" {
		t.Fatalf("good share: %s %v", res, serr)
	}
	low := c.mine(j, 1, 0, ShareTarget(c.diff), false, good.nonce+1)
	notUnder := func(s solved) solved { return s }
	cases := []struct {
		name   string
		params []any
		code   int
	}{
		{"duplicate", []any{c.worker, j.ID, good.en2, fmt.Sprintf("%08x", good.ntime), fmt.Sprintf("%08x", good.nonce)}, CodeDuplicate},
		{"low difficulty", []any{c.worker, j.ID, low.en2, fmt.Sprintf("%08x", low.ntime), fmt.Sprintf("%08x", notUnder(low).nonce)}, CodeLowDifficulty},
		{"unknown job", []any{c.worker, "ffffff", good.en2, fmt.Sprintf("%08x", good.ntime), "00000000"}, CodeStaleJob},
		{"unauthorized worker", []any{testAddress(t, 3), j.ID, good.en2, fmt.Sprintf("%08x", good.ntime), "00000000"}, CodeUnauthorized},
		{"short extranonce2", []any{c.worker, j.ID, "0001", fmt.Sprintf("%08x", good.ntime), "00000000"}, CodeOther},
		{"extranonce2 not hex", []any{c.worker, j.ID, "zzzzzzzz", fmt.Sprintf("%08x", good.ntime), "00000000"}, CodeOther},
		{"ntime too early", []any{c.worker, j.ID, good.en2, "00000001", "00000000"}, CodeOther},
		{"ntime too late", []any{c.worker, j.ID, good.en2, fmt.Sprintf("%08x", time.Now().Unix()+3*3600), "00000000"}, CodeOther},
		{"nonce of 7 digits", []any{c.worker, j.ID, good.en2, fmt.Sprintf("%08x", good.ntime), "0000000"}, CodeOther},
		{"version bits outside the mask", []any{c.worker, j.ID, good.en2, fmt.Sprintf("%08x", good.ntime), "00000000", "00000001"}, CodeOther},
		{"missing params", []any{c.worker, j.ID}, CodeOther},
	}
	for _, tc := range cases {
		res, serr := c.call("mining.submit", tc.params...)
		if serr == nil || serr.Code != tc.code || serr.Message == "" {
			t.Errorf("%s: %s %v, want error code %d", tc.name, res, serr, tc.code)
		}
	}
	// The wire form of an error: [code, "message", null].
	c.sendRaw(`{"id":"x","method":"no.such.method","params":[]}` + "\n")
	line := readLine(t, c)
	if !strings.Contains(line, `"error":[20,"unknown method \"no.such.method\"",null]`) || !strings.Contains(line, `"id":"x"`) ||
		!strings.Contains(line, `"result":null`) {
		t.Errorf("unknown method answered %s", line)
	}
	c.sendRaw("{not json\n")
	if line := readLine(t, c); !strings.Contains(line, `"error":[20,"malformed request",null]`) || !strings.Contains(line, `"id":null`) {
		t.Errorf("malformed line answered %s", line)
	}
	in := s.Info()
	if in.SharesAccepted != 1 || in.SharesRejected[ReasonDuplicate] != 1 || in.SharesRejected[ReasonLowDifficulty] != 1 ||
		in.SharesRejected[ReasonStale] != 1 || in.SharesRejected[ReasonUnauthorized] != 1 ||
		in.SharesRejected[ReasonNotSubscribed] != 1 || in.SharesRejected[ReasonInvalid] != 7 {
		t.Errorf("info %+v", in)
	}
	if in.Connections != 2 || len(in.Workers) != 1 || in.Workers[0].SharesAccepted != 1 || in.Workers[0].HashRate <= 0 ||
		in.Workers[0].Address != testAddress(t, 2) {
		t.Errorf("info %+v", in)
	}
}

func readLine(t *testing.T, c *client) string {
	t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := c.r.ReadString('\n')
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return line
}

// TestVersionRolling submits shares whose header version has rolled bits
// within the negotiated mask: the server must hash the same version.
func TestVersionRolling(t *testing.T) {
	s := startServer(t, testConfig())
	c := dial(t, s)
	res, serr := c.call("mining.configure", []string{"version-rolling"}, map[string]any{"version-rolling.mask": "00ffe000"})
	if serr != nil || !strings.Contains(string(res), `"version-rolling.mask":"00ffe000"`) {
		t.Fatalf("configure: %s %v", res, serr)
	}
	c.mask = 0x00ffe000
	c.subscribe("")
	c.authorize(testAddress(t, 4))
	j := c.lastJob()
	for i, vb := range []uint32{0x00002000, 0x00ffe000, 0x00404000} {
		sh := c.mine(j, uint32(i), vb, diffTarget(c.diff), true, 0)
		if res, serr := c.submit(sh, true); serr != nil {
			t.Fatalf("version bits %08x: %s %v", vb, res, serr)
		}
		// The same nonce with other bits is another header: not a duplicate,
		// and almost surely above the target.
	}
	sh := c.mine(j, 9, 0x1f000000, diffTarget(c.diff), true, 0)
	if _, serr := c.submit(sh, true); serr == nil || serr.Code != CodeOther {
		t.Errorf("bits outside the miner's mask accepted: %v", serr)
	}
}

// TestBlockFoundSubmittedAtOnce mines until a share meets the network
// target: the chain must receive that block, whose header is the one the
// miner hashed, before the share is answered.
func TestBlockFoundSubmittedAtOnce(t *testing.T) {
	fc := newFakeChain()
	cfg := testConfig()
	cfg.Chain = fc
	s := startServer(t, cfg)
	c := ready(t, s, 5)
	net, _, _ := consensus.CompactToBig(testBits)
	sh := c.mine(c.lastJob(), 77, 0, net, true, 0)
	if res, serr := c.submit(sh, false); serr != nil {
		t.Fatalf("block share: %s %v", res, serr)
	}
	blocks := fc.found()
	if len(blocks) != 1 {
		t.Fatalf("%d blocks submitted, want 1", len(blocks))
	}
	hb := blocks[0].Header.Bytes()
	if !bytes.Equal(hb[:], sh.header) || blocks[0].BlockHash() != wire.Hash(sh.hash) {
		t.Errorf("block header %x, miner hashed %x", hb, sh.header)
	}
	if root, _ := wire.MerkleRoot(blocks[0].TxHashes()); root != blocks[0].Header.MerkleRoot {
		t.Error("block's merkle root does not match its transactions")
	}
	if in := s.Info(); in.BlocksFound != 1 || in.SharesAccepted != 1 {
		t.Errorf("info %+v", in)
	}
	// The share's credited difficulty never exceeds the network's.
	if _, serr := c.call("mining.suggest_difficulty", 1000.0); serr != nil {
		t.Fatal(serr)
	}
	c.waitFor("mining.notify")
	if want := TargetDifficulty(net); c.diff != want {
		t.Errorf("difficulty %v after suggesting 1000, want the network's %v", c.diff, want)
	}
}

// TestCleanJobOnNewTip advances the tip: every miner gets a clean job
// within 50 ms and shares of the old job are stale.
func TestCleanJobOnNewTip(t *testing.T) {
	fc := newFakeChain()
	cfg := testConfig()
	cfg.Chain = fc
	s := startServer(t, cfg)
	c := ready(t, s, 6)
	old := c.lastJob()
	sh := c.mine(old, 1, 0, diffTarget(c.diff), true, 0)
	// The median of several tips, so that a loaded machine's hiccup does
	// not decide.
	var took []time.Duration
	for range 7 {
		prev := c.lastJob()
		start := time.Now()
		fc.advance()
		for c.lastJob().PrevHash == prev.PrevHash {
			c.waitFor("mining.notify")
		}
		took = append(took, time.Since(start))
		j := c.lastJob()
		if !j.Clean || j.ID == prev.ID {
			t.Errorf("job after the tip moved: %+v", j)
		}
	}
	slices.Sort(took)
	if took[len(took)/2] > 50*time.Millisecond {
		t.Errorf("clean jobs after %v, want a median within 50 ms", took)
	}
	if _, serr := c.submit(sh, false); serr == nil || serr.Code != CodeStaleJob {
		t.Errorf("share of the old tip: %v, want code 21", serr)
	}
}

// TestRefreshJob checks that jobs are refreshed (not clean) when nothing
// happens for RefreshInterval.
func TestRefreshJob(t *testing.T) {
	cfg := testConfig()
	cfg.RefreshInterval = 100 * time.Millisecond
	s := startServer(t, cfg)
	c := ready(t, s, 7)
	first := c.lastJob()
	c.waitFor("mining.notify")
	j := c.lastJob()
	if j.Clean || j.ID == first.ID || j.PrevHash != first.PrevHash {
		t.Errorf("refreshed job %+v after %+v", j, first)
	}
	// A share of the first job is still good: same tip.
	sh := c.mine(first, 3, 0, diffTarget(testDiff), true, 0)
	if _, serr := c.submit(sh, false); serr != nil {
		t.Errorf("share of an older job of the tip: %v", serr)
	}
}

// TestExtranonceChangeMidSession: a miner resuming its session on a new
// connection while the old one is still open takes its extranonce1 back;
// the old connection, subscribed to extranonce changes, gets a new one by
// mining.set_extranonce and a clean job, and its shares count under the
// new extranonce1 while older jobs keep the one they were issued with.
func TestExtranonceChangeMidSession(t *testing.T) {
	s := startServer(t, testConfig())
	a := dial(t, s)
	a.subscribe("")
	if _, serr := a.call("mining.extranonce.subscribe"); serr != nil {
		t.Fatal(serr)
	}
	a.authorize(testAddress(t, 8))
	oldEN1, oldJob := a.en1, a.lastJob()

	b := dial(t, s)
	b.subscribe(a.sid)
	if !bytes.Equal(b.en1, oldEN1) {
		t.Fatalf("resumed extranonce1 %x, want %x", b.en1, oldEN1)
	}
	m := a.waitFor("mining.set_extranonce")
	var size int
	json.Unmarshal(m.Params[1], &size)
	if bytes.Equal(a.en1, oldEN1) || len(a.en1) != 4 || size != 4 {
		t.Fatalf("set_extranonce %v", m.Params)
	}
	a.waitFor("mining.notify")
	if !a.lastJob().Clean {
		t.Error("job after set_extranonce not clean")
	}
	sh := a.mine(a.lastJob(), 1, 0, diffTarget(testDiff), true, 0)
	if _, serr := a.submit(sh, false); serr != nil {
		t.Errorf("share with the new extranonce1: %v", serr)
	}
	newEN1 := a.en1
	a.en1 = oldEN1
	sh = a.mine(oldJob, 2, 0, diffTarget(testDiff), true, 0)
	if _, serr := a.submit(sh, false); serr != nil {
		t.Errorf("share of the job issued with the old extranonce1: %v", serr)
	}
	a.en1 = newEN1
}

// TestResumeAfterReconnect: after a disconnection, subscribing with the
// subscription id gives the same extranonce1 back; an unknown id gives a
// new one.
func TestResumeAfterReconnect(t *testing.T) {
	s := startServer(t, testConfig())
	a := dial(t, s)
	a.subscribe("")
	a.authorize(testAddress(t, 9))
	sid, en1 := a.sid, a.en1
	a.nc.Close()
	waitUntil(t, func() bool { return s.Info().Connections == 0 })

	b := dial(t, s)
	b.subscribe(sid)
	if b.sid != sid || !bytes.Equal(b.en1, en1) {
		t.Errorf("resumed with %s %x, want %s %x", b.sid, b.en1, sid, en1)
	}
	b.authorize(testAddress(t, 9))
	sh := b.mine(b.lastJob(), 1, 0, diffTarget(testDiff), true, 0)
	if _, serr := b.submit(sh, false); serr != nil {
		t.Errorf("share after resuming: %v", serr)
	}
	c := dial(t, s)
	c.subscribe("00000000deadbeef")
	if c.sid == sid || bytes.Equal(c.en1, en1) {
		t.Errorf("an unknown session id got %s %x", c.sid, c.en1)
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for start := time.Now(); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatal("condition not met within 5 s")
		}
	}
}

// TestAbuseLimits: malformed lines are answered, then the connection is
// dropped; an overlong line ends the connection; submits beyond the rate
// are refused.
func TestAbuseLimits(t *testing.T) {
	cfg := testConfig()
	cfg.MaxMalformed = 3
	cfg.SubmitsPerSecond = 1
	s := startServer(t, cfg)

	c := dial(t, s)
	for i := range 3 {
		c.sendRaw("][\n")
		line := readLine(t, c)
		if !strings.Contains(line, "malformed request") {
			t.Errorf("malformed line %d answered %q", i, line)
		}
	}
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.r.ReadString('\n'); err != io.EOF {
		t.Errorf("connection still open after repeated malformed lines: %v", err)
	}

	// Unknown methods are answered, not counted as abuse.
	u := dial(t, s)
	for i := range 6 {
		if _, serr := u.call("mining.get_transactions", "1"); serr == nil || serr.Code != CodeOther {
			t.Fatalf("unknown method %d: %v", i, serr)
		}
	}
	u.subscribe("")

	long := dial(t, s)
	long.sendRaw(`{"id":1,"method":"mining.subscribe","params":["` + strings.Repeat("a", MaxLineLength) + "\"]}\n")
	line := readLine(t, long)
	if !strings.Contains(line, "line longer than") {
		t.Errorf("overlong line answered %q", line)
	}
	long.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := long.r.ReadString('\n'); err != io.EOF {
		t.Errorf("connection still open after an overlong line: %v", err)
	}

	// A line just within the limit is served.
	ok := dial(t, s)
	pad := MaxLineLength - len(`{"id":1,"method":"mining.subscribe","params":[""]}`) - 1
	ok.sendRaw(`{"id":1,"method":"mining.subscribe","params":["` + strings.Repeat("a", pad) + "\"]}\n")
	if line := readLine(t, ok); !strings.Contains(line, `"error":null`) {
		t.Errorf("line of %d bytes answered %q", MaxLineLength, line)
	}

	r := ready(t, s, 10)
	j := r.lastJob()
	var limited bool
	for i := range 5 {
		_, serr := r.call("mining.submit", r.worker, j.ID, fmt.Sprintf("%08x", i), j.Time, "00000000")
		if serr != nil && strings.Contains(serr.Message, "too many submits") {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("5 submits at once at 1 per second: none refused")
	}
	if s.Info().SharesRejected[ReasonRateLimited] == 0 {
		t.Error("rate-limited submits not counted")
	}
}

// TestShutdownSendsReconnect: cancelling Run sends every miner
// client.reconnect and closes the connection.
func TestShutdownSendsReconnect(t *testing.T) {
	st, err := OpenStore(t.TempDir(), 10)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := New(Config{Chain: newFakeChain(), Store: st, Addr: "127.0.0.1:0", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	c := dial(t, s)
	c.subscribe("")
	cancel()
	m := c.waitFor("client.reconnect")
	if string(m.ID) != "null" {
		t.Errorf("client.reconnect id %s", m.ID)
	}
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.r.ReadString('\n'); err != io.EOF {
		t.Errorf("connection open after shutdown: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
}

// TestManyIdleConnections holds 1,000 idle connections (half subscribed)
// and checks the server still serves a miner promptly.
func TestManyIdleConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 connections")
	}
	s := startServer(t, testConfig())
	conns := make([]net.Conn, 0, 1000)
	defer func() {
		for _, nc := range conns {
			nc.Close()
		}
	}()
	for i := range 1000 {
		nc, err := net.Dial("tcp", s.Addr().String())
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, nc)
		if i%2 == 0 {
			fmt.Fprintf(nc, `{"id":1,"method":"mining.subscribe","params":[]}`+"\n")
		}
	}
	waitUntil(t, func() bool { return s.Info().Connections == 1000 })
	start := time.Now()
	c := ready(t, s, 11)
	sh := c.mine(c.lastJob(), 1, 0, diffTarget(testDiff), true, 0)
	if _, serr := c.submit(sh, false); serr != nil {
		t.Fatal(serr)
	}
	t.Logf("miner served in %v beside 1,000 idle connections", time.Since(start))
}

// TestShareTargetConventions: difficulty 1 is 0xFFFF×2^208 and hashes up
// to 2^224/d are accepted too; the job target is never below the
// network's.
func TestShareTargetConventions(t *testing.T) {
	two224 := new(big.Int).Lsh(big.NewInt(1), 224)
	for _, tc := range []struct {
		d    float64
		want *big.Int
	}{
		{1, two224},
		{2, new(big.Int).Lsh(big.NewInt(1), 223)},
		{0.5, new(big.Int).Lsh(big.NewInt(1), 225)},
		{65536, new(big.Int).Lsh(big.NewInt(1), 208)},
	} {
		if got := ShareTarget(tc.d); got.Cmp(tc.want) != 0 {
			t.Errorf("ShareTarget(%v) = %x, want %x", tc.d, got, tc.want)
		}
		if got := ShareTarget(tc.d); got.Cmp(diffTarget(tc.d)) < 0 {
			t.Errorf("ShareTarget(%v) below the 0xFFFF convention", tc.d)
		}
	}
	if d := TargetDifficulty(new(big.Int).Lsh(big.NewInt(0xffff), 208)); d != 1 {
		t.Errorf("difficulty of 0xFFFF<<208 = %v, want 1", d)
	}
	if got := ShareTarget(1e-80); got.BitLen() != 256 {
		t.Errorf("tiny difficulty target %x, want 2^256-1", got)
	}
	net, _, _ := consensus.CompactToBig(0x1d00ffff) // difficulty 1
	tg, d := jobTarget(1000, net)
	if d != 1 || tg.Big().Cmp(net) != 0 {
		t.Errorf("job of difficulty 1000 on a difficulty-1 network: %v %x", d, tg.Big())
	}
	// A hash between 0xFFFF×2^208 and 2^224 meets difficulty 1.
	tg, _ = jobTarget(1, new(big.Int).Lsh(big.NewInt(1), 200))
	var h wire.Hash
	v := new(big.Int).Sub(two224, big.NewInt(1)).Bytes()
	for i := range v {
		h[i] = v[len(v)-1-i]
	}
	if !tg.Meets(h) {
		t.Error("hash 2^224-1 refused at difficulty 1")
	}
	if HashDifficulty(h) >= 1 {
		t.Errorf("HashDifficulty(2^224-1) = %v", HashDifficulty(h))
	}
}

// TestShareHashIndependent compares Share.Hash with a header built here
// with crypto/sha256 from the job's hex fields.
func TestShareHashIndependent(t *testing.T) {
	fc := newFakeChain()
	cfg := testConfig()
	cfg.Chain = fc
	s := startServer(t, cfg)
	c := ready(t, s, 12)
	tmpl := s.current()
	cb1, cb2, err := tmpl.coinbase(mustScript(t, testAddress(t, 12)))
	if err != nil {
		t.Fatal(err)
	}
	j := c.lastJob()
	if hex.EncodeToString(cb1) != j.Coinb1 || hex.EncodeToString(cb2) != j.Coinb2 {
		t.Fatal("template parts differ from the job sent")
	}
	for i := range 50 {
		en2, nonce, vbits := uint32(i*7919), uint32(i*104729), uint32(i)<<13&VersionRollingMask
		en1 := binary.BigEndian.Uint32(c.en1)
		sh := Share{Coinb1: cb1, Coinb2: cb2, EN1: en1, EN2: en2, Branch: tmpl.Branch, Header: tmpl.Header}
		sh.Header.Version = int32(uint32(tmpl.Header.Version)&^VersionRollingMask | vbits)
		sh.Header.Nonce = nonce
		got, _ := sh.Hash()
		c.mask = VersionRollingMask
		hdr := headerOf(t, j, c.en1, binary.BigEndian.AppendUint32(nil, en2), tmpl.Header.Timestamp, nonce, vbits, c.mask)
		if want := dsha(hdr); got != wire.Hash(want) {
			t.Fatalf("share %d: hash %x, independent %x", i, got, want)
		}
	}
}

func mustScript(t *testing.T, addr string) []byte {
	a, err := address.Decode(addr, consensus.RegTestParams.AddressPrefixes())
	if err != nil {
		t.Fatal(err)
	}
	return a.ScriptPubKey()
}

// TestRegtestChainAcceptsStratumBlock mines through Stratum on a real
// regtest chain: every share meets regtest's target, so each accepted
// share is a block the chain connects, paying the worker.
func TestRegtestChainAcceptsStratumBlock(t *testing.T) {
	c0, err := chain.Open(t.Context(), chain.Config{Dir: t.TempDir(), Params: consensus.RegTestParams, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer c0.Close()
	s := startServer(t, Config{Chain: c0})
	c := ready(t, s, 13)
	for i := range 3 {
		j := c.lastJob()
		netT, _, _ := consensus.CompactToBig(consensus.RegTestPowLimitBits)
		sh := c.mine(j, uint32(i), 0, netT, true, 0)
		if _, serr := c.submit(sh, false); serr != nil {
			t.Fatalf("block %d: %v", i+1, serr)
		}
		for c.lastJob().PrevHash == j.PrevHash { // the clean job of the new tip
			c.waitFor("mining.notify")
		}
		if got := c0.Best(); got.Height != int32(i+1) || got.Hash != wire.Hash(sh.hash) {
			t.Fatalf("tip %d %s, want %d %x", got.Height, got.Hash, i+1, sh.hash)
		}
	}
	b, err := c0.Block(c0.Best().Hash)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Transactions[0].TxOut[0].PkScript, mustScript(t, testAddress(t, 13))) {
		t.Error("solo block does not pay the worker")
	}
	if in := s.Info(); in.BlocksFound != 3 {
		t.Errorf("blocks found %d", in.BlocksFound)
	}
}

// TestSessionExpires: a subscription id resumes its extranonce1 within
// SessionLifetime of the disconnection, not after.
func TestSessionExpires(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Now().Unix())
	cfg := testConfig()
	cfg.Now = func() time.Time { return time.Unix(clock.Load(), 0) }
	s := startServer(t, cfg)
	for _, tc := range []struct {
		after  time.Duration
		resume bool
	}{{SessionLifetime - time.Minute, true}, {SessionLifetime + time.Minute, false}} {
		a := dial(t, s)
		a.subscribe("")
		a.nc.Close()
		waitUntil(t, func() bool { return s.Info().Connections == 0 })
		clock.Add(int64(tc.after / time.Second))
		b := dial(t, s)
		b.subscribe(a.sid)
		if got := bytes.Equal(b.en1, a.en1) && b.sid == a.sid; got != tc.resume {
			t.Errorf("resuming %v after the disconnection: %v, want %v", tc.after, got, tc.resume)
		}
		b.nc.Close()
		waitUntil(t, func() bool { return s.Info().Connections == 0 })
	}
}
