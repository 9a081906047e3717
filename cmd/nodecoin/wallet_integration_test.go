package main

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runWallet runs `nodecoin wallet args...` and returns its stdout, stderr
// and exit code.
func runWallet(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"wallet"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

type balances struct {
	Mine struct {
		Trusted          float64 `json:"trusted"`
		UntrustedPending float64 `json:"untrusted_pending"`
		Immature         float64 `json:"immature"`
	} `json:"mine"`
}

type reward struct {
	Height       int32   `json:"height"`
	BlockHash    string  `json:"blockhash"`
	Status       string  `json:"status"`
	Amount       float64 `json:"amount"`
	RunningTotal float64 `json:"running_total"`
	TimeUTC      string  `json:"time_utc"`
}

func TestWalletOfARunningNode(t *testing.T) {
	n := startRPCNode(t)
	if !strings.Contains(n.d.log(), "created a new wallet") || !strings.Contains(n.d.log(), "first_address=") {
		t.Fatalf("no new-wallet line in the log:\n%s", n.d.log())
	}
	var addr string
	n.call(&addr, "getnewaddress")
	var hashes []string
	n.call(&hashes, "generatetoaddress", 1, addr)
	var b balances
	n.call(&b, "getbalances")
	if b.Mine.Immature != 50 || b.Mine.Trusted != 0 {
		t.Fatalf("balances after one block: %+v", b)
	}
	n.call(&hashes, "generatetoaddress", 100, addr)
	n.call(&b, "getbalances")
	// Tip 101: heights 1 and 2 have 101 and 100 confirmations.
	if b.Mine.Trusted != 100 || b.Mine.Immature != 99*50 {
		t.Fatalf("balances after 101 blocks: %+v", b)
	}
	var rewards []reward
	n.call(&rewards, "listminingrewards")
	if len(rewards) != 101 || rewards[0].Status != "mature" || rewards[0].Height != 1 || rewards[2].Status != "immature" ||
		rewards[100].RunningTotal != 101*50 {
		t.Fatalf("listminingrewards: %d entries, first %+v", len(rewards), rewards[0])
	}

	// Encryption, unlocking, locked key export.
	n.call(nil, "encryptwallet", "correct horse")
	n.fails(http.StatusInternalServerError, -14, "Error: The wallet passphrase entered was incorrect.",
		"walletpassphrase", `["wrong", 60]`)
	n.fails(http.StatusInternalServerError, -13, "Error: Please enter the wallet passphrase with walletpassphrase first.",
		"dumpprivkey", `["`+addr+`"]`)
	n.call(nil, "walletpassphrase", "correct horse", 60)
	var wif string
	n.call(&wif, "dumpprivkey", addr)
	if wif == "" {
		t.Fatal("dumpprivkey gave nothing")
	}
	n.call(nil, "walletlock")
	backup := filepath.Join(t.TempDir(), "backup.dat")
	n.call(nil, "backupwallet", backup)
	if fi, err := os.Stat(backup); err != nil || fi.Size() == 0 {
		t.Fatalf("backup: %v", err)
	}

	// The offline export refuses while the daemon holds the data dir.
	_, errOut, code := runWallet(t, "export-income", "--network", "regtest", "--datadir", n.dir, "--csv", "-")
	if code == 0 || !strings.Contains(errOut, "in use") {
		t.Fatalf("export with the daemon running: exit %d\n%s", code, errOut)
	}

	// A restart keeps the addresses, balances and records.
	var change string
	n.call(&change, "getrawchangeaddress")
	n.d.stop()
	m := restartRPCNode(t, n)
	var b2 balances
	m.call(&b2, "getbalances")
	if b2 != b {
		t.Fatalf("balances after restart %+v, want %+v", b2, b)
	}
	var info map[string]any
	m.call(&info, "getwalletinfo")
	if info["unlocked_until"] != float64(0) || info["txcount"] != float64(101) {
		t.Fatalf("getwalletinfo after restart: %v", info)
	}
	var next string
	m.call(&next, "getnewaddress")
	if next == addr {
		t.Fatal("getnewaddress after restart repeats a handed-out address")
	}
	var tx map[string]any
	m.call(&tx, "gettransaction", mustTxID(t, m, hashes[0]))
	if tx["confirmations"] != float64(100) {
		t.Fatalf("gettransaction after restart: %v", tx)
	}
	m.d.stop()

	// Blocks mined while the wallet was off are found at the next start.
	d := startDaemon(t, "--network", "regtest", "--datadir", n.dir, "--wallet=false")
	w := &rpcNode{t: t, d: d, dir: n.dir, addr: rpcAddrOf(t, d)}
	d.waitFor("node ready")
	w.user, w.pass = cookieOf(t, n.dir)
	w.fails(http.StatusNotFound, -32601, "Method not found", "getbalances", `[]`)
	w.call(nil, "generatetoaddress", 1, addr)
	d.stop()
	m = restartRPCNode(t, n)
	m.call(&rewards, "listminingrewards")
	if len(rewards) != 102 {
		t.Fatalf("%d rewards after catching up, want 102", len(rewards))
	}
	if !strings.Contains(m.d.log(), "wallet catching up with the chain") {
		t.Errorf("no catch-up line:\n%s", m.d.log())
	}
	m.d.stop()

	// The offline export: header plus one row per reward.
	out, errOut, code := runWallet(t, "export-income", "--network", "regtest", "--datadir", n.dir, "--csv", "-")
	if code != 0 {
		t.Fatalf("export-income: exit %d\n%s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 103 || strings.Join(rows[0], ",") != "height,block_hash,time_utc,amount_ndc,status,running_total_ndc" ||
		rows[1][0] != "1" || rows[1][3] != "50.00000000" || rows[1][4] != "mature" || rows[102][5] != "5100.00000000" {
		t.Fatalf("CSV: %d rows, first %q, last %q", len(rows), rows[0], rows[len(rows)-1])
	}
	file := filepath.Join(t.TempDir(), "income.csv")
	if _, errOut, code := runWallet(t, "export-income", "--network", "regtest", "--datadir", n.dir, "--csv", file); code != 0 {
		t.Fatalf("export-income to a file: exit %d\n%s", code, errOut)
	}
	data, err := os.ReadFile(file)
	if err != nil || string(data) != out {
		t.Fatalf("CSV file differs from stdout (%v)", err)
	}
	if lines := strings.Count(string(data), "\n"); lines != 103 {
		t.Fatalf("%d lines", lines)
	}
	if _, errOut, code := runWallet(t, "export-income", "--network", "regtest", "--datadir", n.dir); code == 0 ||
		!strings.Contains(errOut, "--csv") {
		t.Fatalf("export-income without --csv: exit %d\n%s", code, errOut)
	}
}

// mustTxID returns the coinbase txid of a block.
func mustTxID(t *testing.T, n *rpcNode, blockHash string) string {
	t.Helper()
	var b struct {
		Tx []string `json:"tx"`
	}
	n.call(&b, "getblock", blockHash)
	return b.Tx[0]
}

// cookieOf reads the RPC cookie of a regtest data directory.
func cookieOf(t *testing.T, dir string) (string, string) {
	t.Helper()
	cookie, err := os.ReadFile(filepath.Join(dir, "regtest", ".cookie"))
	if err != nil {
		t.Fatal(err)
	}
	user, pass, _ := strings.Cut(strings.TrimSpace(string(cookie)), ":")
	return user, pass
}

// TestWalletUnwindsReorgWhileClosed mines three blocks to the wallet, then,
// with the wallet closed (--wallet=false), replaces two of them by a longer
// branch; at the next start the wallet must walk back to the fork, so that
// only the first block's reward is left in its balance.
func TestWalletUnwindsReorgWhileClosed(t *testing.T) {
	n := startRPCNode(t)
	var addr string
	n.call(&addr, "getnewaddress")
	var hashes []string
	n.call(&hashes, "generatetoaddress", 3, addr)
	immature := func(n *rpcNode) float64 {
		var b struct {
			Mine struct{ Immature float64 }
		}
		n.call(&b, "getbalances")
		return b.Mine.Immature
	}
	three := immature(n)
	if three <= 0 {
		t.Fatalf("immature balance %v after mining three blocks to the wallet", three)
	}
	n.d.stop()

	m := restartRPCNode(t, n, "--wallet=false")
	m.call(nil, "invalidateblock", hashes[1])
	m.call(nil, "generatetoaddress", 3, opTrueP2SH(t).String())
	var height int
	m.call(&height, "getblockcount")
	if height != 4 {
		t.Fatalf("height %d after the other branch, want 4", height)
	}
	m.d.stop()

	w := restartRPCNode(t, n)
	w.d.waitFor("unwound to the fork")
	if got := immature(w); got != three/3 {
		t.Fatalf("immature balance %v after the reorganisation, want one block's reward %v", got, three/3)
	}
}
