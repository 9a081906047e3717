package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	bin "encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
)

var stratumAddrRE = regexp.MustCompile(`msg="stratum listening".* addr=(\S+)`)

// startStratumNode starts a regtest daemon serving Stratum on a free port
// with extra flags, and returns it with the Stratum address.
func startStratumNode(t *testing.T, dir string, extra ...string) (*rpcNode, string) {
	t.Helper()
	args := append([]string{"--network", "regtest", "--datadir", dir, "--stratum-addr", "127.0.0.1:0"}, extra...)
	d := startDaemon(t, args...)
	n := &rpcNode{t: t, d: d, dir: dir, addr: rpcAddrOf(t, d)}
	m := stratumAddrRE.FindStringSubmatch(d.waitFor("stratum listening"))
	if m == nil {
		t.Fatalf("no addr in the stratum log line:\n%s", d.log())
	}
	d.waitFor("node ready")
	cookie, err := os.ReadFile(filepath.Join(dir, "regtest", ".cookie"))
	if err != nil {
		t.Fatal(err)
	}
	n.user, n.pass, _ = strings.Cut(strings.TrimSpace(string(cookie)), ":")
	return n, m[1]
}

// subscribeAuthorize subscribes, records the extranonce1, authorizes
// worker and waits for the first job.
func (m *stratumMiner) subscribeAuthorize(worker string) {
	m.t.Helper()
	var sub []json.RawMessage
	json.Unmarshal(m.call("mining.subscribe", "scripted/1.0"), &sub)
	if len(sub) != 3 {
		m.t.Fatalf("subscribe result %v", sub)
	}
	var en1 string
	json.Unmarshal(sub[1], &en1)
	m.en1, _ = hex.DecodeString(en1)
	if res := m.call("mining.authorize", worker, "x"); string(res) != "true" {
		m.t.Fatalf("authorize: %s", res)
	}
	m.waitJob("")
}

// stratumMiner is a minimal scripted Stratum miner, independent of the
// server's package: its own JSON, its own header assembly, crypto/sha256.
type stratumMiner struct {
	t     *testing.T
	nc    net.Conn
	r     *bufio.Reader
	id    int
	en1   []byte
	job   []json.RawMessage // the newest mining.notify's params
	notes []string          // methods of the notifications received
}

func dialMiner(t *testing.T, addr string) *stratumMiner {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &stratumMiner{t: t, nc: nc, r: bufio.NewReader(nc)}
}

// readMsg reads one line as a generic message.
func (m *stratumMiner) readMsg() (map[string]json.RawMessage, error) {
	m.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := m.r.ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	var msg map[string]json.RawMessage
	if err := json.Unmarshal(line, &msg); err != nil {
		m.t.Fatalf("line %q: %v", line, err)
	}
	var method string
	json.Unmarshal(msg["method"], &method)
	if method != "" {
		m.notes = append(m.notes, method)
		if method == "mining.notify" {
			json.Unmarshal(msg["params"], &m.job)
		}
	}
	return msg, nil
}

// call sends a request and returns the result, failing on an error reply.
func (m *stratumMiner) call(method string, params ...any) json.RawMessage {
	m.t.Helper()
	m.id++
	b, _ := json.Marshal(map[string]any{"id": m.id, "method": method, "params": params})
	m.nc.Write(append(b, '\n'))
	for {
		msg, err := m.readMsg()
		if err != nil {
			m.t.Fatalf("%s: %v", method, err)
		}
		if string(msg["id"]) == strconv.Itoa(m.id) {
			if e := msg["error"]; len(e) > 0 && string(e) != "null" {
				m.t.Fatalf("%s: error %s", method, e)
			}
			return msg["result"]
		}
	}
}

// waitJob reads until a job whose prevhash differs from not arrives.
func (m *stratumMiner) waitJob(not string) {
	m.t.Helper()
	for m.job == nil || m.str(1) == not {
		if _, err := m.readMsg(); err != nil {
			m.t.Fatalf("waiting for a job: %v", err)
		}
	}
}

func (m *stratumMiner) str(i int) string {
	var s string
	json.Unmarshal(m.job[i], &s)
	return s
}

// mineBlock grinds the current job against the network target its nbits
// give and submits the solution; it returns the block hash in display
// order and the coinbase.
func (m *stratumMiner) mineBlock(worker string, en2 uint32) (string, *wire.Tx) {
	m.t.Helper()
	var branch []string
	json.Unmarshal(m.job[4], &branch)
	cb1, _ := hex.DecodeString(m.str(2))
	cb2, _ := hex.DecodeString(m.str(3))
	cb := append(append(append(append([]byte(nil), cb1...), m.en1...), bin.BigEndian.AppendUint32(nil, en2)...), cb2...)
	root := dsha(cb)
	for _, h := range branch {
		b, _ := hex.DecodeString(h)
		root = dsha(append(root[:], b...))
	}
	prev, _ := hex.DecodeString(m.str(1))
	version, _ := strconv.ParseUint(m.str(5), 16, 32)
	bits, _ := strconv.ParseUint(m.str(6), 16, 32)
	ntime, _ := strconv.ParseUint(m.str(7), 16, 32)
	target, _, _ := consensus.CompactToBig(uint32(bits))
	hdr := bin.LittleEndian.AppendUint32(nil, uint32(version))
	for i := 0; i < 32; i += 4 {
		hdr = append(hdr, prev[i+3], prev[i+2], prev[i+1], prev[i])
	}
	hdr = append(hdr, root[:]...)
	hdr = bin.LittleEndian.AppendUint32(hdr, uint32(ntime))
	hdr = bin.LittleEndian.AppendUint32(hdr, uint32(bits))
	hdr = append(hdr, 0, 0, 0, 0)
	for nonce := uint32(0); ; nonce++ {
		bin.LittleEndian.PutUint32(hdr[76:], nonce)
		h := dsha(hdr)
		for i, j := 0, 31; i < j; i, j = i+1, j-1 {
			h[i], h[j] = h[j], h[i]
		}
		if new(big.Int).SetBytes(h[:]).Cmp(target) <= 0 {
			res := m.call("mining.submit", worker, m.str(0), fmt.Sprintf("%08x", en2), m.str(7), fmt.Sprintf("%08x", nonce))
			if string(res) != "true" {
				m.t.Fatalf("submit: %s", res)
			}
			tx, err := wire.DecodeTx(cb)
			if err != nil {
				m.t.Fatal(err)
			}
			return hex.EncodeToString(h[:]), tx
		}
	}
}

func dsha(b []byte) [32]byte {
	a := sha256.Sum256(b)
	return sha256.Sum256(a[:])
}

func regtestAddress(t *testing.T, seed byte) address.Address {
	t.Helper()
	a, err := address.NewAddressPubKeyHash(bytes.Repeat([]byte{seed}, 20), consensus.RegTestParams.AddressPrefixes())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestStratumMinesARealBlock starts `nodecoin daemon --network regtest
// --stratum-addr 127.0.0.1:0`; a scripted miner subscribes, authorizes,
// mines two blocks (regtest's target is trivial), and the node's RPC
// confirms them: getblockcount, getbestblockhash, the coinbase paying the
// worker, getstratuminfo. At shutdown the miner is told client.reconnect.
func TestStratumMinesARealBlock(t *testing.T) {
	n, addr := startStratumNode(t, t.TempDir())
	m := dialMiner(t, addr)
	worker := regtestAddress(t, 42).String() + ".rig"
	m.subscribeAuthorize(worker)
	for i := range 2 {
		prev := m.str(1)
		hash, cb := m.mineBlock(worker, uint32(i))
		var count int
		n.call(&count, "getblockcount")
		var best string
		n.call(&best, "getbestblockhash")
		if count != i+1 || best != hash {
			t.Fatalf("after block %d: getblockcount %d, getbestblockhash %s; mined %s", i+1, count, best, hash)
		}
		var blk struct {
			Tx []string `json:"tx"`
		}
		n.call(&blk, "getblock", hash)
		if len(blk.Tx) != 1 || blk.Tx[0] != cb.TxHash().String() {
			t.Errorf("block %s holds %v, want the miner's coinbase %s", hash, blk.Tx, cb.TxHash())
		}
		if !bytes.Equal(cb.TxOut[0].PkScript, regtestAddress(t, 42).ScriptPubKey()) {
			t.Error("the block does not pay the worker")
		}
		m.waitJob(prev)
	}
	var info struct {
		Connections int               `json:"connections"`
		Accepted    int               `json:"sharesaccepted"`
		Blocks      int               `json:"blocksfound"`
		Rejected    map[string]uint64 `json:"sharesrejected"`
		Workers     []struct {
			Name   string  `json:"name"`
			HashPS float64 `json:"hashps"`
		} `json:"workers"`
	}
	n.call(&info, "getstratuminfo")
	if info.Connections != 1 || info.Accepted != 2 || info.Blocks != 2 || len(info.Workers) != 1 ||
		info.Workers[0].Name != worker || info.Workers[0].HashPS <= 0 {
		t.Errorf("getstratuminfo %+v", info)
	}
	// The same figures as metrics.
	body := scrapeMetrics(t, n.d)
	for _, want := range []string{"nodecoin_stratum_connections 1\n", "nodecoin_stratum_workers 1\n",
		"nodecoin_stratum_shares_accepted_total 2\n", "nodecoin_stratum_blocks_found_total 2\n",
		`nodecoin_stratum_shares_rejected_total{reason="stale"} 0`, "nodecoin_stratum_hashrate_hashes_per_second "} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	n.d.stop()
	for {
		msg, err := m.readMsg()
		if err != nil {
			t.Fatalf("no client.reconnect before the connection closed (%v); got %v", err, m.notes)
		}
		if string(msg["method"]) == `"client.reconnect"` {
			break
		}
	}
}

// TestStratumPPLNSSurvivesRestart runs the daemon in PPLNS mode: the
// miner's block share is recorded, the next job's coinbase pays the miner
// its part and the operator (the node's wallet) its fee, and after a
// restart the job's coinbase still pays the miner from the persisted
// share window.
func TestStratumPPLNSSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	flags := []string{"--stratum-payout", "pplns", "--stratum-pplns-window", "10", "--stratum-operator-fee", "2.5"}
	n, addr := startStratumNode(t, dir, flags...)
	m := dialMiner(t, addr)
	var sub []json.RawMessage
	json.Unmarshal(m.call("mining.subscribe"), &sub)
	var en1 string
	json.Unmarshal(sub[1], &en1)
	m.en1, _ = hex.DecodeString(en1)
	miner := regtestAddress(t, 43)
	m.call("mining.authorize", miner.String(), "")
	m.waitJob("")
	prev := m.str(1)
	m.mineBlock(miner.String(), 0)
	m.waitJob(prev)
	paysMiner := func(m *stratumMiner) {
		t.Helper()
		var tx *wire.Tx
		for range 5 { // the job of the new tip, then the one with the block's share
			cb1, _ := hex.DecodeString(m.str(2))
			cb2, _ := hex.DecodeString(m.str(3))
			raw := append(append(append([]byte(nil), cb1...), m.en1...), 0, 0, 0, 0)
			var err error
			if tx, err = wire.DecodeTx(append(raw, cb2...)); err != nil {
				t.Fatal(err)
			}
			if len(tx.TxOut) == 2 {
				break
			}
			if _, err := m.readMsg(); err != nil {
				t.Fatal(err)
			}
		}
		if len(tx.TxOut) != 2 || !bytes.Equal(tx.TxOut[0].PkScript, miner.ScriptPubKey()) {
			t.Fatalf("PPLNS coinbase outputs %+v, want the miner then the operator", tx.TxOut)
		}
		total := tx.TxOut[0].Value + tx.TxOut[1].Value
		if fee := total * 25_000 / 1_000_000; tx.TxOut[1].Value != fee {
			t.Errorf("operator output %d of %d, want %d", tx.TxOut[1].Value, total, fee)
		}
	}
	paysMiner(m)
	n.d.stop()

	_, addr = startStratumNode(t, dir, flags...)
	m2 := dialMiner(t, addr)
	json.Unmarshal(m2.call("mining.subscribe"), &sub)
	json.Unmarshal(sub[1], &en1)
	m2.en1, _ = hex.DecodeString(en1)
	m2.call("mining.authorize", miner.String(), "")
	m2.waitJob("")
	paysMiner(m2)
}
