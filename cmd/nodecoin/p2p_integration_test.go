package main

// Integration tests of the P2P network with real daemons on loopback:
// convergence and relay along a line of nodes, a partition healing to the
// side with more work, initial sync of 1,000 blocks from two peers, and a
// scripted hostile peer banned while an honest peer keeps the node in sync.

import (
	"crypto/rand"
	le "encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/node/nodetest"
	"github.com/nodecoin/nodecoin/p2p/message"
)

// p2pWait bounds the waits for the network to converge.
const p2pWait = 60 * time.Second

var p2pAddrRE = regexp.MustCompile(`msg="P2P listening".* addr=(\S+)`)

// p2pNode is a regtest daemon with its RPC client and P2P address.
type p2pNode struct {
	*rpcNode
	p2p string
}

// startP2PNode starts a regtest daemon with the given extra arguments
// (listening on 127.0.0.1, port 0, unless they say otherwise).
func startP2PNode(t *testing.T, args ...string) *p2pNode {
	t.Helper()
	dir := t.TempDir()
	return startP2PNodeIn(t, dir, args...)
}

func startP2PNodeIn(t *testing.T, dir string, args ...string) *p2pNode {
	t.Helper()
	d := startDaemon(t, append([]string{"--network", "regtest", "--datadir", dir}, args...)...)
	n := &rpcNode{t: t, d: d, dir: dir, addr: rpcAddrOf(t, d)}
	m := p2pAddrRE.FindStringSubmatch(d.waitFor(`msg="P2P listening"`))
	if m == nil {
		t.Fatal("no P2P address logged")
	}
	d.waitFor("node ready")
	cookie, err := os.ReadFile(filepath.Join(dir, "regtest", ".cookie"))
	if err != nil {
		t.Fatal(err)
	}
	user, pass, ok := strings.Cut(strings.TrimSpace(string(cookie)), ":")
	if !ok {
		t.Fatalf("cookie %q", cookie)
	}
	n.user, n.pass = user, pass
	return &p2pNode{rpcNode: n, p2p: m[1]}
}

func (n *p2pNode) best() string {
	var h string
	n.call(&h, "getbestblockhash")
	return h
}

// waitTip waits until every node's tip is want.
func waitTip(t *testing.T, want string, nodes ...*p2pNode) {
	t.Helper()
	deadline := time.Now().Add(p2pWait)
	for {
		done := true
		for _, n := range nodes {
			if n.best() != want {
				done = false
			}
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			for i, n := range nodes {
				var c int
				n.call(&c, "getblockcount")
				t.Logf("node %d: height %d tip %s\n%s", i, c, n.best(), n.d.log())
			}
			t.Fatalf("tips did not converge on %s within %v", want, p2pWait)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitInPool waits until txid is in n's mempool.
func waitInPool(t *testing.T, n *p2pNode, txid string) {
	t.Helper()
	deadline := time.Now().Add(p2pWait)
	for {
		var pool []string
		if n.call(&pool, "getrawmempool"); slices.Contains(pool, txid) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("transaction %s did not reach the pool (%v):\n%s", txid, pool, n.d.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitPeers waits until n has at least count peers.
func waitPeers(t *testing.T, n *p2pNode, count int) {
	t.Helper()
	deadline := time.Now().Add(p2pWait)
	for {
		var c int
		if n.call(&c, "getconnectioncount"); c >= count {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d peers, want %d:\n%s", c, count, n.d.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestP2PLineConvergesAndRelaysTx(t *testing.T) {
	w := newP2PKHWallet(t)
	a := startP2PNode(t)
	b := startP2PNode(t, "--connect", a.p2p)
	c := startP2PNode(t, "--connect", b.p2p)
	waitPeers(t, b, 2)
	var hashes []string
	a.call(&hashes, "generatetoaddress", 101, w.addr.String())
	waitTip(t, hashes[100], a, b, c)

	// The peer lists agree with the line: b has a (manual) and c (inbound).
	var peers []struct {
		Inbound        bool
		ConnectionType string `json:"connection_type"`
		SubVer         string `json:"subver"`
		Version        int32
		Services       string
	}
	b.call(&peers, "getpeerinfo")
	if len(peers) != 2 {
		t.Fatalf("b has %d peers", len(peers))
	}
	for _, p := range peers {
		if p.Version != message.ProtocolVersion || !strings.HasPrefix(p.SubVer, "/nodecoin:") || p.Services != "0000000000000001" {
			t.Errorf("peer %+v", p)
		}
	}

	// A transaction sent to one end reaches the other end's pool.
	op, value := coinbaseOut(a.rpcNode, 1)
	txid := send(a.rpcNode, w.spend(op, value, 10_000))
	waitInPool(t, c, txid)
	waitInPool(t, b, txid)

	// A block mined at the other end carries it back to a.
	c.call(&hashes, "generatetoaddress", 1, w.addr.String())
	waitTip(t, hashes[0], a, b, c)
	var pool []string
	if a.call(&pool, "getrawmempool"); len(pool) != 0 {
		t.Fatalf("a's pool after the block: %v", pool)
	}
	var totals struct {
		Recv uint64 `json:"totalbytesrecv"`
		Sent uint64 `json:"totalbytessent"`
	}
	if b.call(&totals, "getnettotals"); totals.Recv == 0 || totals.Sent == 0 {
		t.Fatalf("getnettotals %+v", totals)
	}
}

func TestP2PPartitionHealsToMoreWork(t *testing.T) {
	w := newP2PKHWallet(t)
	a := startP2PNode(t)
	b := startP2PNode(t, "--connect", a.p2p)
	waitPeers(t, a, 1)
	var hashes []string
	a.call(&hashes, "generatetoaddress", 102, w.addr.String())
	waitTip(t, hashes[101], a, b)

	// Partition: b drops a (in --connect mode it finds no other peer).
	b.call(nil, "addnode", a.p2p, "remove")
	deadline := time.Now().Add(p2pWait)
	for {
		var n1, n2 int
		a.call(&n1, "getconnectioncount")
		b.call(&n2, "getconnectioncount")
		if n1 == 0 && n2 == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("partition did not happen")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// b mines a block holding its transaction; a mines two.
	op, value := coinbaseOut(b.rpcNode, 1)
	txB := send(b.rpcNode, w.spend(op, value, 10_000))
	var bHashes, aHashes []string
	b.call(&bHashes, "generatetoaddress", 1, w.addr.String())
	var blk struct{ Tx []string }
	if b.call(&blk, "getblock", bHashes[0], 1); !slices.Contains(blk.Tx, txB) {
		t.Fatalf("b's block %v lacks its transaction %s", blk.Tx, txB)
	}
	a.call(&aHashes, "generatetoaddress", 2, w.addr.String())
	if a.best() == b.best() {
		t.Fatal("no fork")
	}

	// Heal: both end on a's branch, and b's transaction is back in its pool.
	b.call(nil, "addnode", a.p2p, "add")
	waitTip(t, aHashes[1], a, b)
	waitInPool(t, b, txB)
	// And it is relayed to a, whose chain never had it.
	waitInPool(t, a, txB)
}

func TestP2PSyncFromTwoPeers(t *testing.T) {
	const n = 1000
	blocks, err := nodetest.RegtestChain(n, 3)
	if err != nil {
		t.Fatal(err)
	}
	file := writeBlocks(t, blocks)
	p1 := startP2PNode(t, "--loadblock", file)
	p2 := startP2PNode(t, "--loadblock", file)
	p1.d.waitFor("block import finished")
	p2.d.waitFor("block import finished")
	tip := blocks[n-1].BlockHash().String()
	start := time.Now()
	f := startP2PNode(t, "--connect", p1.p2p, "--connect", p2.p2p)
	waitTip(t, tip, f)
	t.Logf("synced %d blocks from two peers in %v", n, time.Since(start))
	var info struct {
		Blocks, Headers int
	}
	if f.call(&info, "getblockchaininfo"); info.Blocks != n || info.Headers != n {
		t.Fatalf("getblockchaininfo %+v", info)
	}
	// Both peers served blocks. (They may also have connected back to f,
	// which advertised its address to them: those inbound peers are not
	// the ones asked for blocks.)
	var all, peers []struct {
		Addr          string
		Inbound       bool
		BytesRecv     uint64 `json:"bytesrecv"`
		SyncedHeaders int    `json:"synced_headers"`
		SyncedBlocks  int    `json:"synced_blocks"`
	}
	f.call(&all, "getpeerinfo")
	for _, p := range all {
		if !p.Inbound {
			peers = append(peers, p)
		}
	}
	if len(peers) != 2 {
		t.Fatalf("%d outbound peers: %+v", len(peers), all)
	}
	// What each peer is known to have comes from what it announced and
	// delivered: not necessarily the tip for the peer that only served
	// blocks, but some, and never more blocks than the node has.
	for _, p := range peers {
		if p.SyncedHeaders <= 0 || p.SyncedHeaders > n || p.SyncedBlocks != p.SyncedHeaders {
			t.Errorf("peer %s: synced_headers %d, synced_blocks %d; want 1..%d, the same", p.Addr, p.SyncedHeaders, p.SyncedBlocks, n)
		}
	}
	var total uint64
	for _, p := range peers {
		total += p.BytesRecv
	}
	for _, p := range peers {
		if p.BytesRecv < total/10 {
			t.Errorf("peer %s sent %d of %d bytes: the download did not use both peers", p.Addr, p.BytesRecv, total)
		}
	}
	if !strings.Contains(f.d.log(), "block download caught up") {
		t.Error("no catch-up logged")
	}
	// The sync height the peers claim, as a metric.
	if want := fmt.Sprintf("nodecoin_p2p_sync_height %d\n", n); !strings.Contains(string(scrapeMetrics(t, f.d)), want) {
		t.Errorf("metrics lack %q", want)
	}
}

// hostile is a scripted misbehaving peer speaking p2p/message.
type hostile struct {
	t    *testing.T
	conn net.Conn
}

// dialHostile connects to addr from local address ip and completes the
// handshake; it returns nil when the node closes the connection first
// (a banned address).
func dialHostile(t *testing.T, ip, addr string) *hostile {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", ip, err)
	}
	t.Cleanup(func() { conn.Close() })
	h := &hostile{t: t, conn: conn}
	magic := consensus.RegTestParams.Magic
	v := &message.Version{ProtocolVersion: message.ProtocolVersion, Services: message.ServiceNodeNetwork,
		Timestamp: time.Now().Unix(), Nonce: 99, UserAgent: "/hostile:0.0/", Relay: true}
	if err := message.WriteMessage(conn, magic, v.Command(), v.Encode()); err != nil {
		return nil
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		cmd, _, err := message.ReadMessage(conn, magic, nil)
		if err != nil {
			return nil
		}
		if cmd == message.CmdVerAck {
			break
		}
	}
	if err := message.WriteMessage(conn, magic, message.CmdVerAck, nil); err != nil {
		return nil
	}
	// Drain whatever the node sends from now on.
	go func() {
		conn.SetReadDeadline(time.Time{})
		io.Copy(io.Discard, conn)
	}()
	return h
}

// frame builds a message header by hand.
func frame(magic [4]byte, cmd string, length uint32, sum [4]byte) []byte {
	b := append([]byte{}, magic[:]...)
	var c [12]byte
	copy(c[:], cmd)
	b = append(b, c[:]...)
	b = le.LittleEndian.AppendUint32(b, length)
	return append(b, sum[:]...)
}

// invalidBlock returns a solved regtest block on genesis whose coinbase
// output exceeds the money supply (bad-txns-vout-toolarge), which the
// node's context-free checks refuse.
func invalidBlock(t *testing.T) *wire.Block {
	t.Helper()
	p := consensus.RegTestParams
	b, err := nodetest.NewBlock(p.GenesisHash, p.GenesisBlock.Header.Timestamp+60, 1, 77)
	if err != nil {
		t.Fatal(err)
	}
	b.Transactions[0].TxOut[0].Value = consensus.MaxMoney + 1
	b.Header.MerkleRoot, _ = wire.MerkleRoot(b.TxHashes())
	if !consensus.SolveHeader(&b.Header, p.PowLimit) {
		t.Fatal("cannot solve")
	}
	return b
}

func TestP2PHostilePeerBannedWhileHonestPeerSyncs(t *testing.T) {
	blocks := testChain(t, 200)
	honest := startP2PNode(t, "--loadblock", writeBlocks(t, blocks))
	honest.d.waitFor("block import finished")
	dir := t.TempDir()
	n := startP2PNodeIn(t, dir, "--addnode", honest.p2p)
	magic := consensus.RegTestParams.Magic
	ping := (&message.Ping{Nonce: 1}).Encode()
	pingSum := message.Checksum(ping)

	// Each behaviour comes from its own loopback address, repeated until
	// the address is banned (the node then closes new connections first).
	cases := []struct {
		ip, reason string
		act        func(h *hostile) error
	}{
		{"127.0.0.2", "garbage or wrong network magic", func(h *hostile) error {
			junk := make([]byte, 64)
			rand.Read(junk)
			_, err := h.conn.Write(junk)
			return err
		}},
		{"127.0.0.3", "garbage or wrong network magic", func(h *hostile) error {
			return message.WriteMessage(h.conn, consensus.MainNetParams.Magic, message.CmdPing, ping)
		}},
		{"127.0.0.4", "bad checksum", func(h *hostile) error {
			_, err := h.conn.Write(append(frame(magic, message.CmdPing, uint32(len(ping)), [4]byte{1, 2, 3, 4}), ping...))
			return err
		}},
		{"127.0.0.5", "oversized message", func(h *hostile) error {
			_, err := h.conn.Write(frame(magic, message.CmdInv, 1<<31, pingSum))
			return err
		}},
		{"127.0.0.6", "oversized message", func(h *hostile) error {
			inv := wire.AppendCompactSize(nil, message.MaxInvEntries+1)
			for i := 0; i <= message.MaxInvEntries; i++ {
				inv = le.LittleEndian.AppendUint32(inv, uint32(message.InvTypeTx))
				var hash wire.Hash
				le.LittleEndian.PutUint32(hash[:], uint32(i))
				inv = append(inv, hash[:]...)
			}
			return message.WriteMessage(h.conn, magic, message.CmdInv, inv)
		}},
		{"127.0.0.7", "invalid block", func(h *hostile) error {
			b := invalidBlock(t)
			return message.WriteMessage(h.conn, magic, message.CmdBlock, b.Serialize())
		}},
		{"127.0.0.8", "unconnecting headers", func(h *hostile) error {
			hdr := blocks[50].Header
			rand.Read(hdr.PrevBlock[:])
			m := &message.Headers{Headers: []wire.BlockHeader{hdr}}
			return message.WriteMessage(h.conn, magic, m.Command(), m.Encode())
		}},
	}
	for _, tc := range cases {
		banned := false
		for attempt := 0; attempt < 100 && !banned; attempt++ {
			h := dialHostile(t, tc.ip, n.p2p)
			if h == nil {
				banned = true
				break
			}
			for i := 0; i < 20; i++ {
				if err := tc.act(h); err != nil {
					break // the node closed the connection
				}
				time.Sleep(5 * time.Millisecond)
			}
			h.conn.Close()
		}
		if !banned {
			t.Fatalf("%s (%s) never banned:\n%s", tc.ip, tc.reason, n.d.log())
		}
		if !strings.Contains(n.d.log(), fmt.Sprintf(`reason="%s"`, tc.reason)) {
			t.Errorf("no misbehaviour %q logged:\n%s", tc.reason, n.d.log())
		}
	}

	// The honest peer keeps the node in sync, before and after more blocks.
	waitTip(t, blocks[199].BlockHash().String(), n)
	var more []string
	honest.call(&more, "generatetoaddress", 3, opTrueP2SH(t).String())
	waitTip(t, more[2], n, honest)

	type ban struct {
		Address string
		Until   int64 `json:"banned_until"`
	}
	var bans []ban
	n.call(&bans, "listbanned")
	want := []string{"127.0.0.2/32", "127.0.0.3/32", "127.0.0.4/32", "127.0.0.5/32", "127.0.0.6/32", "127.0.0.7/32", "127.0.0.8/32"}
	var got []string
	for _, b := range bans {
		got = append(got, b.Address)
		if d := time.Until(time.Unix(b.Until, 0)); d < 23*time.Hour || d > 25*time.Hour {
			t.Errorf("ban of %s ends in %v, want 24 h", b.Address, d)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("listbanned %v, want %v", got, want)
	}

	// Bans survive a restart; clearbanned lifts them.
	n.d.stop()
	n = startP2PNodeIn(t, dir)
	var again []ban
	if n.call(&again, "listbanned"); len(again) != len(want) {
		t.Fatalf("after restart: %v", again)
	}
	if h := dialHostile(t, "127.0.0.7", n.p2p); h != nil {
		t.Fatal("banned address connected after restart")
	}
	n.call(nil, "clearbanned")
	if h := dialHostile(t, "127.0.0.7", n.p2p); h == nil {
		t.Fatal("address still refused after clearbanned")
	}
}

func TestP2PListenAddressInUse(t *testing.T) {
	a := startP2PNode(t)
	code, log := runDaemon(t, "--network", "regtest", "--datadir", t.TempDir(), "--listen", a.p2p)
	if code == 0 || !strings.Contains(log, "P2P listen on "+a.p2p) {
		t.Fatalf("exit code %d:\n%s", code, log)
	}
	code, log = runDaemon(t, "--network", "regtest", "--datadir", t.TempDir(), "--connect", "no-port")
	if code == 0 || !strings.Contains(log, `peer address "no-port"`) {
		t.Fatalf("exit code %d:\n%s", code, log)
	}
}

// TestP2PNodesFindEachOther starts a hub and two nodes that know only the
// hub (--addnode): the second learns the first's address through the hub
// (the first advertised it) and connects to it, so the first ends with two
// peers.
func TestP2PNodesFindEachOther(t *testing.T) {
	hub := startP2PNode(t)
	first := startP2PNode(t, "--addnode", hub.p2p)
	waitPeers(t, hub, 1)
	second := startP2PNode(t, "--addnode", hub.p2p)
	waitPeers(t, first, 2)
	var peers []struct {
		Inbound bool
	}
	first.call(&peers, "getpeerinfo")
	if len(peers) != 2 || peers[0].Inbound == peers[1].Inbound {
		t.Fatalf("the first node's peers %+v: want the hub outbound and the second node inbound", peers)
	}
	waitPeers(t, second, 2)
}
