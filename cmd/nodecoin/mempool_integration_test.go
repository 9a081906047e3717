package main

// Integration tests of the mempool in a real regtest daemon: acceptance of a
// parent and its child over RPC, persistence across a clean restart, the
// empty pool after a kill -9, and a reorganisation that conflicts a pool
// transaction out.

import (
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

// restartRPCNode starts a new regtest daemon on the data dir of n, whose
// daemon must have exited, with the extra arguments args, and reads its
// RPC address and new cookie.
func restartRPCNode(t *testing.T, n *rpcNode, args ...string) *rpcNode {
	t.Helper()
	d := startDaemon(t, append([]string{"--network", "regtest", "--datadir", n.dir}, args...)...)
	m := &rpcNode{t: t, d: d, dir: n.dir, addr: rpcAddrOf(t, d)}
	d.waitFor("node ready")
	cookie, err := os.ReadFile(filepath.Join(n.dir, "regtest", ".cookie"))
	if err != nil {
		t.Fatal(err)
	}
	var ok bool
	if m.user, m.pass, ok = strings.Cut(strings.TrimSpace(string(cookie)), ":"); !ok || m.user != "__cookie__" {
		t.Fatalf("cookie %q", cookie)
	}
	return m
}

// p2pkhWallet is a key the test holds and its regtest address.
type p2pkhWallet struct {
	t    *testing.T
	key  *btcec.PrivateKey
	addr address.Address
}

func newP2PKHWallet(t *testing.T) *p2pkhWallet {
	t.Helper()
	key, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	addr, err := address.NewAddressPubKeyHashFromPubKey(key.PubKey().SerializeCompressed(),
		consensus.RegTestParams.AddressPrefixes())
	if err != nil {
		t.Fatal(err)
	}
	return &p2pkhWallet{t: t, key: key, addr: addr}
}

// spend returns a signed transaction spending prev (an output of value
// base units paying to the wallet) into one output back to the wallet,
// less fee.
func (w *p2pkhWallet) spend(prev wire.OutPoint, value, fee int64) *wire.Tx {
	w.t.Helper()
	pk := w.addr.ScriptPubKey()
	tx := &wire.Tx{Version: 1,
		TxIn:  []*wire.TxIn{{PreviousOutPoint: prev, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: value - fee, PkScript: pk}}}
	ss, err := script.SignatureScript(tx, 0, pk, script.SigHashAll, w.key, true)
	if err != nil {
		w.t.Fatal(err)
	}
	tx.TxIn[0].SignatureScript = ss
	return tx
}

// coinbaseOut returns the outpoint and value of the coinbase output of the
// main-chain block at height.
func coinbaseOut(n *rpcNode, height int) (wire.OutPoint, int64) {
	n.t.Helper()
	var hash string
	n.call(&hash, "getblockhash", height)
	var blk struct{ Tx []string }
	n.call(&blk, "getblock", hash, 1)
	id, err := wire.NewHashFromStr(blk.Tx[0])
	if err != nil {
		n.t.Fatal(err)
	}
	var out struct{ Value float64 }
	n.call(&out, "gettxout", blk.Tx[0], 0)
	return wire.OutPoint{Hash: id}, int64(math.Round(out.Value * 1e8))
}

// send submits tx with sendrawtransaction and checks the txid returned.
func send(n *rpcNode, tx *wire.Tx) string {
	n.t.Helper()
	var txid string
	if n.call(&txid, "sendrawtransaction", hex.EncodeToString(tx.Serialize())); txid != tx.TxHash().String() {
		n.t.Fatalf("sendrawtransaction returned %s, want %s", txid, tx.TxHash())
	}
	return txid
}

// wantPool checks that getrawmempool lists exactly txids (in any order)
// and that getmempoolinfo agrees on the count.
func wantPool(n *rpcNode, what string, txids ...string) {
	n.t.Helper()
	var pool []string
	n.call(&pool, "getrawmempool")
	slices.Sort(pool)
	want := slices.Sorted(slices.Values(txids))
	if !slices.Equal(pool, want) {
		n.t.Fatalf("%s: getrawmempool %v, want %v", what, pool, want)
	}
	var info struct {
		Loaded bool
		Size   int
	}
	if n.call(&info, "getmempoolinfo"); !info.Loaded || info.Size != len(txids) {
		n.t.Fatalf("%s: getmempoolinfo %+v, want loaded with %d transactions", what, info, len(txids))
	}
}

// TestMempoolPersistsAcrossRestart accepts a parent and its child over
// RPC, stops the daemon with SIGTERM and finds both back in the pool of a
// new daemon on the same data dir (mempool.dat); then kills a daemon with
// -9 while its pool holds transactions never saved, and finds the node
// consistent on restart with those transactions gone and sendable again.
func TestMempoolPersistsAcrossRestart(t *testing.T) {
	w := newP2PKHWallet(t)
	n := startRPCNode(t)
	n.call(nil, "generatetoaddress", 101, w.addr.String())

	cb1, v1 := coinbaseOut(n, 1)
	parent := w.spend(cb1, v1, 10_000)
	child := w.spend(wire.OutPoint{Hash: parent.TxHash()}, parent.TxOut[0].Value, 10_000)
	parentID, childID := send(n, parent), send(n, child)
	wantPool(n, "after sendrawtransaction", parentID, childID)
	var entry struct {
		Depends       []string
		AncestorCount int
	}
	if n.call(&entry, "getmempoolentry", childID); !slices.Equal(entry.Depends, []string{parentID}) || entry.AncestorCount != 2 {
		t.Fatalf("getmempoolentry of the child %+v, want depends [%s] and 2 ancestors", entry, parentID)
	}

	// A clean stop saves the pool; the next daemon loads it.
	n.d.stop()
	if _, err := os.Stat(filepath.Join(n.dir, "regtest", "mempool.dat")); err != nil {
		t.Fatalf("no mempool.dat after a clean stop: %v", err)
	}
	n = restartRPCNode(t, n)
	if l := n.d.waitFor("loaded saved mempool"); !strings.Contains(l, "accepted=2 failed=0") {
		t.Fatalf("load after a clean stop: %s", l)
	}
	wantPool(n, "after a clean restart", parentID, childID)
	if n.call(&entry, "getmempoolentry", childID); !slices.Equal(entry.Depends, []string{parentID}) {
		t.Fatalf("getmempoolentry of the reloaded child %+v, want depends [%s]", entry, parentID)
	}

	// Mine them, then fill the pool with transactions no clean stop
	// saves, and kill the daemon.
	var mined []string
	n.call(&mined, "generatetoaddress", 1, w.addr.String())
	wantPool(n, "after mining the parent and the child")
	cb2, v2 := coinbaseOut(n, 2)
	d := w.spend(cb2, v2, 10_000)
	e := w.spend(wire.OutPoint{Hash: d.TxHash()}, d.TxOut[0].Value, 20_000)
	dID, eID := send(n, d), send(n, e)
	wantPool(n, "before the kill", dID, eID)
	var tip string
	n.call(&tip, "getbestblockhash")
	n.d.signal(syscall.SIGKILL)
	if code := n.d.wait(); code != -1 {
		t.Fatalf("exit code %d after SIGKILL", code)
	}

	// The restart finds the chain as it was and an empty pool: the
	// killed daemon saved nothing, and the parent and child of the old
	// mempool.dat are confirmed now.
	n = restartRPCNode(t, n)
	if l := n.d.waitFor("loaded saved mempool"); !strings.Contains(l, "accepted=0 failed=2") {
		t.Fatalf("load of the old mempool.dat after kill -9: %s", l)
	}
	var count int
	var best string
	if n.call(&count, "getblockcount"); count != 102 {
		t.Fatalf("height %d after kill -9, want 102", count)
	}
	if n.call(&best, "getbestblockhash"); best != tip || best != mined[0] {
		t.Fatalf("tip %s after kill -9, want %s", best, tip)
	}
	wantPool(n, "after kill -9")
	var ok bool
	if n.call(&ok, "verifychain", 4, 0); !ok {
		t.Fatal("verifychain 4 0 is false after kill -9")
	}
	if res := n.call(nil, "gettxout", parentID, 0); res != "null" {
		t.Fatalf("gettxout of the parent's output, spent by the child: %s", res)
	}
	var txout struct{ Confirmations int }
	if n.call(&txout, "gettxout", childID, 0); txout.Confirmations != 1 {
		t.Fatalf("gettxout of the mined child %+v, want 1 confirmation", txout)
	}
	if res := n.call(nil, "gettxout", cb2.Hash.String(), 0); res == "null" {
		t.Fatal("coinbase 2 is spent after the restart: the killed pool's spend left a trace")
	}
	send(n, d)
	send(n, e)
	wantPool(n, "after sending again", dID, eID)
	n.call(&mined, "generatetoaddress", 1, w.addr.String())
	wantPool(n, "after mining the sent-again transactions")
	var blk struct{ Tx []string }
	if n.call(&blk, "getblock", mined[0], 1); len(blk.Tx) != 3 || !slices.Contains(blk.Tx, dID) || !slices.Contains(blk.Tx, eID) {
		t.Fatalf("block mined after the resend holds %v, want the coinbase, %s and %s", blk.Tx, dID, eID)
	}
	n.d.stop()
}

// TestMempoolReorgConflict mines a pool transaction A, disconnects its
// block with invalidateblock (A returns to the pool), and connects a
// competing branch whose first block (generateblock on the parent)
// confirms B, a conflicting spend of the same coin: A leaves the pool.
// Reconsidering A's block, now on a branch with less work, brings neither
// the block nor A back.
func TestMempoolReorgConflict(t *testing.T) {
	w := newP2PKHWallet(t)
	n := startRPCNode(t)
	n.call(nil, "generatetoaddress", 101, w.addr.String())
	cb1, v1 := coinbaseOut(n, 1)
	a := w.spend(cb1, v1, 10_000)
	b := w.spend(cb1, v1, 30_000)
	aID, bID := send(n, a), b.TxHash().String()

	var mined []string
	n.call(&mined, "generatetoaddress", 1, w.addr.String())
	blockA := mined[0]
	var blk struct{ Tx []string }
	if n.call(&blk, "getblock", blockA, 1); !slices.Contains(blk.Tx, aID) {
		t.Fatalf("block %s holds %v, not A %s", blockA, blk.Tx, aID)
	}
	wantPool(n, "after mining A")

	n.call(nil, "invalidateblock", blockA)
	wantPool(n, "after invalidateblock", aID)

	// The replacement branch: B in a block built by generateblock on A's
	// block's parent (the tip now), then two more blocks.
	var gen struct{ Hash string }
	n.call(&gen, "generateblock", w.addr.String(), []string{hex.EncodeToString(b.Serialize())})
	if n.call(&blk, "getblock", gen.Hash, 1); len(blk.Tx) != 2 || blk.Tx[1] != bID {
		t.Fatalf("generateblock's block holds %v, want the coinbase and B %s", blk.Tx, bID)
	}
	wantPool(n, "after B's block (A conflicted)")
	n.call(&mined, "generatetoaddress", 2, w.addr.String())
	var count int
	var best string
	if n.call(&count, "getblockcount"); count != 104 {
		t.Fatalf("height %d on the new branch, want 104", count)
	}
	n.call(&best, "getbestblockhash")
	var txout struct{ Confirmations int }
	if n.call(&txout, "gettxout", bID, 0); txout.Confirmations != 3 {
		t.Fatalf("gettxout of B %+v, want 3 confirmations", txout)
	}
	if res := n.call(nil, "gettxout", cb1.Hash.String(), 0); res != "null" {
		t.Fatalf("gettxout of the coin B spends: %s", res)
	}

	// A's block comes back as a valid fork with less work: the tip and the
	// pool stay.
	n.call(nil, "reconsiderblock", blockA)
	var after string
	if n.call(&after, "getbestblockhash"); after != best {
		t.Fatalf("tip %s after reconsiderblock of A's block, want %s", after, best)
	}
	wantPool(n, "after reconsiderblock")
	var tips []struct {
		Hash   string
		Status string
	}
	n.call(&tips, "getchaintips")
	if !slices.ContainsFunc(tips, func(tp struct{ Hash, Status string }) bool {
		return tp.Hash == blockA && tp.Status == "valid-fork"
	}) {
		t.Fatalf("getchaintips %+v, want A's block %s as a valid-fork", tips, blockA)
	}
	status, r := n.raw("sendrawtransaction", `["`+hex.EncodeToString(a.Serialize())+`"]`)
	if status == 200 || r.Error == nil {
		t.Fatalf("sendrawtransaction of A after B confirmed: HTTP %d, %+v", status, r.Result)
	}
	n.d.stop()
}
