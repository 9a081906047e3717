package main

// Integration tests of `nodecoin daemon --mine`, the in-process miner.

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
