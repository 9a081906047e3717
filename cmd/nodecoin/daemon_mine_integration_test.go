package main

// Integration tests of `nodecoin daemon --mine`, the in-process miner.

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDaemonMineToAddress runs a regtest daemon mining on one thread to a
// given address until it reaches height 5, checks that the coinbases pay
// the address and that blocks found are logged, and stops it cleanly.
func TestDaemonMineToAddress(t *testing.T) {
	dir := t.TempDir()
	payee := newP2PKHWallet(t).addr.String()
	d := startDaemon(t, "--network", "regtest", "--datadir", dir, "--mine", "--threads", "1", "--mining-address", payee)
	n := &rpcNode{t: t, d: d, dir: dir, addr: rpcAddrOf(t, d)}
	d.waitFor("node ready")
	cookie, err := os.ReadFile(filepath.Join(dir, "regtest", ".cookie"))
	if err != nil {
		t.Fatal(err)
	}
	n.user, n.pass, _ = strings.Cut(strings.TrimSpace(string(cookie)), ":")
	start := time.Now()
	var count int
	for n.call(&count, "getblockcount"); count < 5; n.call(&count, "getblockcount") {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("block count %d after 30 s:\n%s", count, d.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("height %d after %v", count, time.Since(start))
	for h := 1; h <= 5; h++ {
		var hash string
		n.call(&hash, "getblockhash", h)
		var blk struct {
			Tx []struct {
				Vout []struct {
					ScriptPubKey struct{ Address string }
				}
			}
		}
		n.call(&blk, "getblock", hash, 2)
		if got := blk.Tx[0].Vout[0].ScriptPubKey.Address; got != payee {
			t.Errorf("block %d pays %q, want %q", h, got, payee)
		}
	}
	d.waitFor(`msg="block found" subsystem=miner height=5 `)
	d.waitFor(`msg="mining to address" subsystem=miner address=` + payee)
	// The miner's series: at least the five blocks seen, as accepted
	// submissions, hashes counted, and a latency observed for every tip.
	series := map[string]float64{}
	for _, line := range strings.Split(string(scrapeMetrics(t, d)), "\n") {
		if name, val, ok := strings.Cut(line, " "); ok && strings.HasPrefix(name, "nodecoin_miner_") {
			v, err := strconv.ParseFloat(val, 64)
			if err != nil {
				t.Fatalf("metrics line %q: %v", line, err)
			}
			series[name] = v
		}
	}
	for name, least := range map[string]float64{
		"nodecoin_miner_threads":                              1,
		"nodecoin_miner_hashes_total":                         5,
		"nodecoin_miner_blocks_found_total":                   5,
		`nodecoin_miner_submissions_total{result="accepted"}`: 5,
		"nodecoin_miner_tip_to_work_seconds_count":            4,
	} {
		if series[name] < least {
			t.Errorf("%s = %v, want at least %v (miner series %v)", name, series[name], least, series)
		}
	}
	if series["nodecoin_miner_threads"] != 1 {
		t.Errorf("nodecoin_miner_threads = %v, want 1", series["nodecoin_miner_threads"])
	}
	d.stop()
	if log := d.log(); !strings.Contains(log, `msg="mining stopped"`) {
		t.Errorf("no \"mining stopped\" in the log:\n%s", log)
	}
}

// TestDaemonMineNeedsAddressOrWallet checks that --mine without the
// wallet and without --mining-address fails at start with a clear message,
// as does an address that does not decode.
func TestDaemonMineNeedsAddressOrWallet(t *testing.T) {
	code, log := runDaemon(t, "--network", "regtest", "--datadir", t.TempDir(), "--mine", "--wallet=false")
	if code == 0 || !strings.Contains(log, "--mine needs an address to pay the blocks to: give --mining-address ADDR") {
		t.Errorf("exit code %d, log:\n%s", code, log)
	}
	code, log = runDaemon(t, "--network", "regtest", "--datadir", t.TempDir(), "--mine", "--mining-address", "nonsense")
	if code == 0 || !strings.Contains(log, `mining address "nonsense"`) {
		t.Errorf("exit code %d, log:\n%s", code, log)
	}
}

// TestDaemonMineToWallet runs --mine without an address: the blocks pay a
// new address of the node's wallet.
func TestDaemonMineToWallet(t *testing.T) {
	d := startDaemon(t, "--network", "regtest", "--datadir", t.TempDir(), "--mine", "--threads", "1")
	line := d.waitFor(`msg="mining to address"`)
	if !strings.Contains(line, "(new wallet address)") {
		t.Errorf("payee line %q", line)
	}
	d.waitFor(`msg="block found" subsystem=miner height=2 `)
	d.stop()
}

// TestMiningNodeSurvivesKills kills a node with -9 three times while it
// mines in-process, serves Stratum with PPLNS accounting and a wallet, and
// listens for peers: each time it restarts by itself into a consistent
// state — its chain at least as high as before, the wallet's balance
// matching the mined blocks it holds, the Stratum share store open.
func TestMiningNodeSurvivesKills(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--mine", "--threads", "2", "--stratum-addr", "127.0.0.1:0", "--stratum-payout", "pplns"}
	last := 0
	for round := range 3 {
		n, _ := startStratumNode(t, dir, args...)
		var count int
		deadline := time.Now().Add(30 * time.Second)
		for n.call(&count, "getblockcount"); count < last+5; n.call(&count, "getblockcount") {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: height %d after 30 s, was %d:\n%s", round, count, last, n.d.log())
			}
			time.Sleep(20 * time.Millisecond)
		}
		n.call(nil, "getstratuminfo") // the share store is open and answers
		var bal struct {
			Mine struct{ Trusted, Immature float64 }
		}
		n.call(&bal, "getbalances")
		if bal.Mine.Trusted+bal.Mine.Immature <= 0 {
			t.Fatalf("round %d: the wallet holds nothing of %d mined blocks", round, count)
		}
		n.d.signal(syscall.SIGKILL)
		n.d.wait()
		if count < last {
			t.Fatalf("round %d: height went from %d down to %d", round, last, count)
		}
		last = count
	}
	// A last clean start: the chain as high as it was, and still whole.
	n, _ := startStratumNode(t, dir)
	var count int
	n.call(&count, "getblockcount")
	if count < last {
		t.Fatalf("after the kills: height %d, was %d", count, last)
	}
	var ok bool
	if n.call(&ok, "verifychain", 4, 0); !ok {
		t.Fatal("verifychain after the kills: false")
	}
	var bal struct {
		Mine struct{ Trusted, Immature float64 }
	}
	if n.call(&bal, "getbalances"); bal.Mine.Trusted+bal.Mine.Immature <= 0 {
		t.Fatal("the wallet holds nothing after the kills")
	}
}
