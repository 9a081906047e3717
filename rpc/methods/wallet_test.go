package methods

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/rpc"
	"github.com/nodecoin/nodecoin/wallet"
)

// walletObserver feeds the mempool's events to the wallet, as the node
// does.
type walletObserver struct{ w *wallet.Wallet }

func (o walletObserver) Accepted(_ wire.Hash, tx *wire.Tx, _, _ int64) { o.w.ProcessMempoolTx(tx) }
func (o walletObserver) Rejected(string)                               {}
func (o walletObserver) Removed(txid wire.Hash)                        { o.w.RemoveMempoolTx(txid) }

// walletFixture is a fixture with a mempool and a wallet on a regtest
// chain, kept in step by the chain's notifications (wallet first).
type walletFixture struct {
	*fixture
	w    *wallet.Wallet
	pool *mempool.Pool
	dir  string
}

func newWalletFixture(t *testing.T) *walletFixture {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	clk := &clock{t: time.Now().Truncate(time.Second)}
	params := consensus.RegTestParams
	c, err := chain.Open(context.Background(), chain.Config{Dir: t.TempDir(), Params: params, CacheMiB: 16,
		Now: clk.now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	dir := t.TempDir()
	w, err := wallet.CreateFromSeed(wallet.Config{Params: params, Dir: dir, GapLimit: 5, Now: clk.now}, make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	pool := mempool.New(c, mempool.Config{Now: clk.now, Logger: quiet, Observer: walletObserver{w}})
	c.Subscribe(func(n chain.Notification) {
		var err error
		if n.Type == chain.BlockConnected {
			err = w.ProcessBlockConnected(n.Block, n.Height)
		} else {
			err = w.ProcessBlockDisconnected(n.Block, n.Height)
		}
		if err != nil {
			t.Errorf("wallet: %v", err)
		}
		if err := pool.HandleNotification(n); err != nil {
			t.Errorf("HandleNotification: %v", err)
		}
	})
	p := params.AddressPrefixes()
	sh, _ := address.NewAddressScriptHashFromScript(opTrueRedeem, p)
	pkh, _ := address.NewAddressPubKeyHash(make([]byte, 20), p)
	f := &fixture{t: t, c: c, clock: clk, methods: make(map[string]rpc.Method), addr: sh, pkh: pkh}
	for _, m := range All(c, Options{Now: clk.now, Logger: quiet, Pool: pool, Wallet: w}) {
		if _, dup := f.methods[m.Name]; dup {
			t.Fatalf("method %s twice", m.Name)
		}
		f.methods[m.Name] = m
	}
	return &walletFixture{fixture: f, w: w, pool: pool, dir: dir}
}

// mineTo mines n blocks to addr, a minute apart.
func (f *walletFixture) mineTo(n int, addr string) []string {
	f.t.Helper()
	var out []string
	for range n {
		f.clock.advance(time.Minute)
		for _, h := range f.ok("generatetoaddress", "1", q(addr)).([]any) {
			out = append(out, h.(string))
		}
	}
	return out
}

func num(v any) float64 { return v.(float64) }

func TestWalletMethodsNotRegisteredWithoutWallet(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, false)
	for _, name := range []string{"getnewaddress", "getbalance", "listminingrewards", "getwalletinfo"} {
		if _, ok := f.methods[name]; ok {
			t.Errorf("%s registered without a wallet", name)
		}
	}
	for _, m := range Wallets(f.c, Options{Wallet: &wallet.Wallet{}}) {
		if m.Category != "wallet" {
			t.Errorf("%s in category %q", m.Name, m.Category)
		}
	}
}

func TestWalletAddressesBalancesAndRewards(t *testing.T) {
	f := newWalletFixture(t)
	addr := f.ok("getnewaddress").(string)
	if a2 := f.ok("getnewaddress", `""`, `"legacy"`).(string); a2 == addr {
		t.Fatal("getnewaddress gave the same address twice")
	}
	f.fail(rpc.CodeInvalidAddressOrKey, "Unknown address type 'bech32'", "getnewaddress", `""`, `"bech32"`)
	change := f.ok("getrawchangeaddress").(string)
	f.fail(rpc.CodeInvalidAddressOrKey, "Unknown address type 'p2sh-segwit'", "getrawchangeaddress", `"p2sh-segwit"`)
	if change == addr {
		t.Fatal("change address equals receiving address")
	}

	f.mineTo(2, addr)
	b := f.obj("getbalances")["mine"].(map[string]any)
	if num(b["trusted"]) != 0 || num(b["immature"]) != 2*50 || num(b["untrusted_pending"]) != 0 {
		t.Fatalf("getbalances after 2 blocks: %v", b)
	}
	if got := num(f.ok("getbalance")); got != 0 {
		t.Fatalf("getbalance %v, want 0", got)
	}
	f.mineTo(98, f.addr.String()) // tip 100: height 1 has 100 confirmations, height 2 99
	b = f.obj("getbalances")["mine"].(map[string]any)
	if num(b["trusted"]) != 50 || num(b["immature"]) != 50 {
		t.Fatalf("getbalances after maturity: %v", b)
	}
	if got := num(f.ok("getbalance", `"*"`, "0")); got != 50 {
		t.Fatalf("getbalance %v, want 50", got)
	}
	if got := num(f.ok("getbalance", `"*"`, "101")); got != 0 {
		t.Fatalf("getbalance minconf 101 = %v, want 0", got)
	}
	f.fail(rpc.CodeInvalidParameter, "dummy first argument must be excluded", "getbalance", `"x"`)

	rewards := f.ok("listminingrewards").([]any)
	if len(rewards) != 2 {
		t.Fatalf("%d rewards, want 2", len(rewards))
	}
	r0, r1 := rewards[0].(map[string]any), rewards[1].(map[string]any)
	if r0["status"] != "mature" || r1["status"] != "immature" || num(r0["height"]) != 1 || num(r1["running_total"]) != 100 {
		t.Fatalf("rewards %v", rewards)
	}
	if ts, err := time.Parse(time.RFC3339, r0["time_utc"].(string)); err != nil || ts.Unix() != int64(num(r0["time"])) {
		t.Fatalf("time_utc %v / time %v: %v", r0["time_utc"], r0["time"], err)
	}

	// listunspent: the mature coinbase only.
	us := f.ok("listunspent").([]any)
	if len(us) != 1 {
		t.Fatalf("listunspent %v", us)
	}
	u := us[0].(map[string]any)
	if u["address"] != addr || num(u["amount"]) != 50 || num(u["confirmations"]) != 100 || u["spendable"] != true ||
		u["safe"] != true || u["txid"] != r0["txid"] || u["desc"] == "" {
		t.Fatalf("listunspent entry %v", u)
	}
	if us := f.ok("listunspent", "1", "99").([]any); len(us) != 0 {
		t.Fatalf("listunspent maxconf 99: %v", us)
	}
	if us := f.ok("listunspent", "0", "9999999", `[`+q(change)+`]`).([]any); len(us) != 0 {
		t.Fatalf("listunspent for the change address: %v", us)
	}
	if us := f.ok("listunspent", "0", "9999999", `[`+q(addr)+`]`, "false", `{"minimumAmount": 1}`).([]any); len(us) != 1 {
		t.Fatalf("listunspent for addr: %v", us)
	}
	if us := f.ok("listunspent", "0", "9999999", "null", "true", `{"minimumAmount": 51}`).([]any); len(us) != 0 {
		t.Fatalf("listunspent minimumAmount 51: %v", us)
	}
	f.fail(rpc.CodeInvalidAddressOrKey, "Invalid nodecoin address: nope", "listunspent", "0", "10", `["nope"]`)
	f.fail(rpc.CodeInvalidParameter, "Invalid parameter, duplicated address", "listunspent", "0", "10",
		`[`+q(addr)+`,`+q(addr)+`]`)

	// listtransactions: the two coinbases, oldest first.
	lt := f.ok("listtransactions").([]any)
	if len(lt) != 2 {
		t.Fatalf("listtransactions %v", lt)
	}
	e0 := lt[0].(map[string]any)
	if e0["category"] != "generate" || e0["generated"] != true || e0["address"] != addr || num(e0["blockheight"]) != 1 ||
		e0["txid"] != r0["txid"] || e0["bip125-replaceable"] != "no" || e0["blockhash"] != r0["blockhash"] {
		t.Fatalf("listtransactions[0] %v", e0)
	}
	if c := lt[1].(map[string]any)["category"]; c != "immature" {
		t.Fatalf("listtransactions[1] category %v", c)
	}
	if lt := f.ok("listtransactions", `"*"`, "1", "1").([]any); len(lt) != 1 || lt[0].(map[string]any)["txid"] != r0["txid"] {
		t.Fatalf("listtransactions count 1 skip 1: %v", lt)
	}
	if lt := f.ok("listtransactions", `"other"`).([]any); len(lt) != 0 {
		t.Fatalf("listtransactions of a label: %v", lt)
	}
	f.fail(rpc.CodeInvalidParameter, "Negative count", "listtransactions", `"*"`, "-1")
	f.fail(rpc.CodeInvalidParameter, "Negative from", "listtransactions", `"*"`, "1", "-1")

	// gettransaction.
	gt := f.obj("gettransaction", q(r0["txid"].(string)), "false", "true")
	if num(gt["amount"]) != 50 || num(gt["confirmations"]) != 100 || gt["hex"] == "" || gt["decoded"] == nil {
		t.Fatalf("gettransaction %v", gt)
	}
	if d := gt["details"].([]any); len(d) != 1 || d[0].(map[string]any)["category"] != "generate" {
		t.Fatalf("gettransaction details %v", gt["details"])
	}
	if _, has := gt["fee"]; has {
		t.Fatal("gettransaction of a coinbase has a fee")
	}
	f.fail(rpc.CodeInvalidAddressOrKey, "Invalid or non-wallet transaction id", "gettransaction",
		q("00000000000000000000000000000000000000000000000000000000000000ab"))
	f.fail(rpc.CodeInvalidParameter, "txid must be of length 64", "gettransaction", q("ab"))

	info := f.obj("getwalletinfo")
	if info["walletname"] != "default" || info["format"] != "nodecoin" || num(info["balance"]) != 50 ||
		num(info["immature_balance"]) != 50 || num(info["txcount"]) != 2 || num(info["keypoolsize"]) < 1 ||
		num(info["keypoolsize_hd_internal"]) < 1 || info["private_keys_enabled"] != true || info["hdseedid"] == nil ||
		info["scanning"] != false || info["avoid_reuse"] != false || num(info["paytxfee"]) != 0 {
		t.Fatalf("getwalletinfo %v", info)
	}
	if _, has := info["unlocked_until"]; has {
		t.Fatal("unlocked_until on an unencrypted wallet")
	}
}

func TestWalletMempoolSpend(t *testing.T) {
	f := newWalletFixture(t)
	addr := f.ok("getnewaddress").(string)
	a, err := address.Decode(addr, consensus.RegTestParams.AddressPrefixes())
	if err != nil {
		t.Fatal(err)
	}
	// Someone pays the wallet from an OP_TRUE coinbase: untrusted pending,
	// then trusted once mined.
	hashes := f.generate(101)
	tx := f.spendCoinbase(hashes[0], &wire.TxOut{Value: 10 * 1e8, PkScript: a.ScriptPubKey()})
	f.ok("sendrawtransaction", q(txHex(tx)), "0")
	b := f.obj("getbalances")["mine"].(map[string]any)
	if num(b["untrusted_pending"]) != 10 || num(b["trusted"]) != 0 {
		t.Fatalf("balances with a pending receipt: %v", b)
	}
	lt := f.ok("listtransactions").([]any)
	if len(lt) != 1 {
		t.Fatalf("listtransactions %v", lt)
	}
	e := lt[0].(map[string]any)
	if e["category"] != "receive" || num(e["confirmations"]) != 0 || e["trusted"] != false || e["bip125-replaceable"] != "no" {
		t.Fatalf("pending entry %v", e)
	}
	if us := f.ok("listunspent", "0", "9999999", "null", "false").([]any); len(us) != 0 {
		t.Fatalf("listunspent without unsafe: %v", us)
	}
	if us := f.ok("listunspent", "0").([]any); len(us) != 1 || us[0].(map[string]any)["safe"] != false {
		t.Fatalf("listunspent with unsafe: %v", us)
	}
	f.generate(1)
	b = f.obj("getbalances")["mine"].(map[string]any)
	if num(b["untrusted_pending"]) != 0 || num(b["trusted"]) != 10 {
		t.Fatalf("balances after the block: %v", b)
	}
	if got := num(f.ok("getbalance", `"*"`, "1")); got != 10 {
		t.Fatalf("getbalance minconf 1 = %v", got)
	}
}

func TestWalletKeysEncryptionAndBackup(t *testing.T) {
	f := newWalletFixture(t)
	addr := f.ok("getnewaddress").(string)
	wif := f.ok("dumpprivkey", q(addr)).(string)
	f.fail(rpc.CodeInvalidAddressOrKey, "Invalid nodecoin address", "dumpprivkey", q("nope"))
	f.fail(rpc.CodeWallet, "Private key for address "+f.pkh.String()+" is not known", "dumpprivkey", q(f.pkh.String()))

	// A key the wallet lacks, for the locked import below.
	key := foreignWIF(t)
	f.fail(rpc.CodeInvalidAddressOrKey, "Invalid private key encoding", "importprivkey", q("garbage"))
	if res := f.ok("importprivkey", q(wif), `""`, "true"); res != nil {
		t.Fatalf("importprivkey answered %v", res)
	}

	f.fail(rpc.CodeWalletWrongEncState, "Error: running with an unencrypted wallet, but walletpassphrase was called.",
		"walletpassphrase", q("pw"), "10")
	f.fail(rpc.CodeWalletWrongEncState, "Error: running with an unencrypted wallet, but walletlock was called.", "walletlock")
	f.fail(rpc.CodeInvalidParameter, "passphrase cannot be empty", "encryptwallet", q(""))
	seedID := f.obj("getwalletinfo")["hdseedid"]
	if msg := f.ok("encryptwallet", q("secret")).(string); msg == "" {
		t.Fatal("encryptwallet gave no message")
	}
	f.fail(rpc.CodeWalletWrongEncState, "Error: running with an encrypted wallet, but encryptwallet was called.",
		"encryptwallet", q("again"))
	info := f.obj("getwalletinfo")
	if num(info["unlocked_until"]) != 0 || info["hdseedid"] != seedID {
		t.Fatalf("getwalletinfo of a locked wallet: %v", info)
	}
	f.fail(rpc.CodeWalletUnlockNeeded, "Error: Please enter the wallet passphrase with walletpassphrase first.",
		"dumpprivkey", q(addr))
	f.fail(rpc.CodeWalletUnlockNeeded, "Error: Please enter the wallet passphrase with walletpassphrase first.",
		"importprivkey", q(key), `""`, "false")
	f.fail(rpc.CodeWalletPassphraseIncorrect, "Error: The wallet passphrase entered was incorrect.",
		"walletpassphrase", q("wrong"), "10")
	f.fail(rpc.CodeInvalidParameter, "Timeout cannot be negative.", "walletpassphrase", q("secret"), "-1")
	if _, err := f.call("walletpassphrase", q("secret"), "60"); err != nil {
		t.Fatal(err)
	}
	if until := num(f.obj("getwalletinfo")["unlocked_until"]); until < float64(f.clock.now().Unix()+59) {
		t.Fatalf("unlocked_until %v", until)
	}
	if got := f.ok("dumpprivkey", q(addr)).(string); got != wif {
		t.Fatal("dumpprivkey after unlock gives another key")
	}
	f.ok("walletlock")
	if !f.w.IsLocked() {
		t.Fatal("walletlock left the wallet unlocked")
	}
	// Timeout 0 checks the passphrase and leaves the wallet locked.
	f.ok("walletpassphrase", q("secret"), "0")
	if !f.w.IsLocked() {
		t.Fatal("walletpassphrase 0 left the wallet unlocked")
	}
	// A locked wallet still gives addresses from the key pool.
	f.ok("getnewaddress")

	// backupwallet to a file and to a directory; the copy opens.
	dst := filepath.Join(t.TempDir(), "backup.dat")
	f.ok("backupwallet", q(dst))
	dir := t.TempDir()
	f.ok("backupwallet", q(dir))
	for _, p := range []string{dst, filepath.Join(dir, wallet.FileName)} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("backup %s: %v", p, err)
		}
	}
	w2, err := wallet.Open(wallet.Config{Params: consensus.RegTestParams, Dir: dir})
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	if !w2.IsEncrypted() {
		t.Fatal("backup not encrypted")
	}
	w2.Close()
	f.fail(rpc.CodeWallet, "Error: Wallet backup failed!", "backupwallet", q(filepath.Join(dir, "missing", "x.dat")))
}

func TestImportPrivKeyRescan(t *testing.T) {
	f := newWalletFixture(t)
	wif := foreignWIF(t)
	k, err := address.DecodeWIF(wif, consensus.RegTestParams.AddressPrefixes())
	if err != nil {
		t.Fatal(err)
	}
	a, err := address.NewAddressPubKeyHashFromPubKey(k.SerializePubKey(), consensus.RegTestParams.AddressPrefixes())
	if err != nil {
		t.Fatal(err)
	}
	addr := a.String()
	// The chain of f pays addr before f knows its key.
	f.mineTo(3, addr)
	if r := f.ok("listminingrewards").([]any); len(r) != 0 {
		t.Fatalf("rewards before the import: %v", r)
	}
	f.ok("importprivkey", q(wif), `"label"`, "false")
	if r := f.ok("listminingrewards").([]any); len(r) != 0 {
		t.Fatalf("rewards after an import without rescan: %v", r)
	}
	// Importing it again with rescan (the default) scans from genesis, as
	// Core does for a key it has: the rewards appear.
	f.ok("importprivkey", q(wif))
	r := f.ok("listminingrewards").([]any)
	if len(r) != 3 || num(r[2].(map[string]any)["running_total"]) != 150 {
		t.Fatalf("rewards after the import with rescan: %v", r)
	}
	if got := num(f.obj("getbalances")["mine"].(map[string]any)["immature"]); got != 150 {
		t.Fatalf("immature after rescan %v", got)
	}
	if f.w.TipHeight() != 3 {
		t.Fatalf("tip after rescan %d", f.w.TipHeight())
	}
}

// foreignWIF returns the WIF of a key of another wallet.
func foreignWIF(t *testing.T) string {
	t.Helper()
	w, err := wallet.CreateFromSeed(wallet.Config{Params: consensus.RegTestParams, Dir: t.TempDir()},
		[]byte("another seed, thirty-two bytes!!"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	a, err := w.NextReceive()
	if err != nil {
		t.Fatal(err)
	}
	wif, err := w.DumpPrivKey(a.String())
	if err != nil {
		t.Fatal(err)
	}
	return wif
}
