package main

// Integration tests of the chain's RPC methods against a real regtest
// daemon: JSON-RPC over HTTP with the cookie, `nodecoin cli`, and a
// third-party client (python-bitcoinlib).

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/node/nodetest"
)

// rpcNode is a running regtest daemon and its RPC credentials.
type rpcNode struct {
	t          *testing.T
	d          *daemon
	dir, addr  string
	user, pass string
}

// startRPCNode starts a regtest daemon and reads its RPC address and
// cookie.
func startRPCNode(t *testing.T) *rpcNode {
	t.Helper()
	dir := t.TempDir()
	d := startDaemon(t, "--network", "regtest", "--datadir", dir)
	n := &rpcNode{t: t, d: d, dir: dir, addr: rpcAddrOf(t, d)}
	d.waitFor("node ready")
	cookie, err := os.ReadFile(filepath.Join(dir, "regtest", ".cookie"))
	if err != nil {
		t.Fatal(err)
	}
	var ok bool
	if n.user, n.pass, ok = strings.Cut(strings.TrimSpace(string(cookie)), ":"); !ok || n.user != "__cookie__" {
		t.Fatalf("cookie %q", cookie)
	}
	return n
}

// post sends body to the RPC server with the given Authorization header
// ("" for none) and returns the status, Content-Type and body.
func (n *rpcNode) post(body io.Reader, auth string) (int, string, []byte) {
	n.t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+n.addr+"/", body)
	if err != nil {
		n.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		n.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// basicAuth returns the Authorization header of the node's cookie.
func (n *rpcNode) basicAuth() string {
	req, _ := http.NewRequest(http.MethodPost, "/", nil)
	req.SetBasicAuth(n.user, n.pass)
	return req.Header.Get("Authorization")
}

// rpcReply is a JSON-RPC 1.x reply.
type rpcReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	ID json.RawMessage `json:"id"`
}

// raw calls method with params (a JSON array's text) and returns the HTTP
// status and the decoded reply.
func (n *rpcNode) raw(method, params string) (int, rpcReply) {
	n.t.Helper()
	status, ctype, body := n.post(strings.NewReader(`{"version":"1.1","id":7,"method":"`+method+`","params":`+params+`}`), n.basicAuth())
	if ctype != "application/json" {
		n.t.Fatalf("%s: Content-Type %q", method, ctype)
	}
	var r rpcReply
	if err := json.Unmarshal(body, &r); err != nil {
		n.t.Fatalf("%s: reply %q: %v", method, body, err)
	}
	if string(r.ID) != "7" {
		n.t.Fatalf("%s: reply id %s", method, r.ID)
	}
	return status, r
}

// call calls a method that must succeed and decodes its result into v
// (when not nil); it returns the result's JSON text.
func (n *rpcNode) call(v any, method string, params ...any) string {
	n.t.Helper()
	p, err := json.Marshal(append([]any{}, params...))
	if err != nil {
		n.t.Fatal(err)
	}
	status, r := n.raw(method, string(p))
	if status != 200 || r.Error != nil {
		n.t.Fatalf("%s %s: HTTP %d, error %+v", method, p, status, r.Error)
	}
	if v != nil {
		if err := json.Unmarshal(r.Result, v); err != nil {
			n.t.Fatalf("%s: result %s: %v", method, r.Result, err)
		}
	}
	return string(r.Result)
}

// fails calls a method (params as a JSON array's text) that must fail
// with the HTTP status, code and a message starting with msg.
func (n *rpcNode) fails(status, code int, msg, method, params string) {
	n.t.Helper()
	got, r := n.raw(method, params)
	if got != status || r.Error == nil || r.Error.Code != code || !strings.HasPrefix(r.Error.Message, msg) ||
		string(r.Result) != "null" {
		n.t.Errorf("%s %s: HTTP %d, result %s, error %+v; want HTTP %d, code %d, %q", method, params, got, r.Result, r.Error, status, code, msg)
	}
}

// cli runs `nodecoin cli` against the node.
func (n *rpcNode) cli(args ...string) (string, string, int) {
	n.t.Helper()
	return runCLI(n.t, append([]string{"--network", "regtest", "--datadir", n.dir, "--rpc-addr", n.addr}, args...)...)
}

// opTrueP2SH is the regtest P2SH address of the script OP_TRUE, so that
// the test can spend what it mines there.
func opTrueP2SH(t *testing.T) address.Address {
	t.Helper()
	a, err := address.NewAddressScriptHashFromScript([]byte{0x51}, consensus.RegTestParams.AddressPrefixes())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRPCMethodsOverHTTP(t *testing.T) {
	n := startRPCNode(t)
	genesis := consensus.RegTestParams.GenesisHash.String()

	var info map[string]any
	n.call(&info, "getblockchaininfo")
	if info["chain"] != "regtest" || info["blocks"] != 0.0 || info["bestblockhash"] != genesis || info["warnings"] != "" {
		t.Fatalf("getblockchaininfo %v", info)
	}
	// nodecoin cli: getblockcount and getblock HASH 0 through the binary.
	if out, errOut, code := n.cli("getblockcount"); code != 0 || out != "0\n" {
		t.Fatalf("cli getblockcount: %q %q exit %d", out, errOut, code)
	}
	var genesisHex string
	n.call(&genesisHex, "getblock", genesis, 0)
	if out, errOut, code := n.cli("getblock", genesis, "0"); code != 0 || out != genesisHex+"\n" {
		t.Fatalf("cli getblock HASH 0: %q %q exit %d", out, errOut, code)
	}
	if raw, _ := hex.DecodeString(genesisHex); !bytes.Equal(raw, consensus.RegTestParams.GenesisBlock.Serialize()) {
		t.Fatal("getblock genesis 0 is not the genesis block")
	}

	// generatetoaddress 101, then the first coinbase through
	// getrawtransaction and gettxout.
	payTo := opTrueP2SH(t)
	var hashes []string
	n.call(&hashes, "generatetoaddress", 101, payTo.String())
	var count int
	if n.call(&count, "getblockcount"); len(hashes) != 101 || count != 101 {
		t.Fatalf("generatetoaddress 101: %d hashes, height %d", len(hashes), count)
	}
	if out, _, code := n.cli("getbestblockhash"); code != 0 || out != hashes[100]+"\n" {
		t.Fatalf("cli getbestblockhash %q", out)
	}
	var block1 struct {
		Tx   []string `json:"tx"`
		Time int64    `json:"time"`
	}
	n.call(&block1, "getblock", hashes[0], true)
	cbTxid := block1.Tx[0]
	var rawTx map[string]any
	n.call(&rawTx, "getrawtransaction", cbTxid, true)
	if rawTx["txid"] != cbTxid || rawTx["blockhash"] != hashes[0] || rawTx["confirmations"] != 101.0 ||
		rawTx["time"] != float64(block1.Time) || rawTx["hex"] == nil {
		t.Fatalf("getrawtransaction %s true: %v", cbTxid, rawTx)
	}
	var cbHex string
	n.call(&cbHex, "getrawtransaction", cbTxid, 0)
	var txout map[string]any
	n.call(&txout, "gettxout", cbTxid, 0)
	if txout["value"] != 50.0 || txout["confirmations"] != 101.0 || txout["coinbase"] != true ||
		txout["scriptPubKey"].(map[string]any)["address"] != payTo.String() || txout["bestblock"] != hashes[100] {
		t.Fatalf("gettxout %v", txout)
	}

	// submitblock of a block built here, spending the first coinbase.
	cbRaw, _ := hex.DecodeString(cbHex)
	cb, err := wire.DecodeTx(cbRaw)
	if err != nil {
		t.Fatal(err)
	}
	spend := &wire.Tx{Version: 1, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()},
		SignatureScript: []byte{0x01, 0x51}, Sequence: 0xffffffff}},
		TxOut: []*wire.TxOut{{Value: cb.TxOut[0].Value, PkScript: payTo.ScriptPubKey()}}}
	var tip struct {
		Time int64 `json:"time"`
	}
	n.call(&tip, "getblockheader", hashes[100])
	prev, _ := wire.NewHashFromStr(hashes[100])
	blk, err := nodetest.NewBlock(prev, uint32(max(tip.Time+1, time.Now().Unix())), 102, 77, spend)
	if err != nil {
		t.Fatal(err)
	}
	blkHex := hex.EncodeToString(blk.Serialize())
	// First a copy with other transactions under the same header: the
	// merkle root does not match, and the block's hash must not be marked
	// invalid for it.
	mutated, err := wire.DecodeBlock(blk.Serialize())
	if err != nil {
		t.Fatal(err)
	}
	mutated.Transactions[1].TxOut[0].Value--
	if res := n.call(nil, "submitblock", hex.EncodeToString(mutated.Serialize())); res != `"bad-txnmrklroot"` {
		t.Fatalf("submitblock of a mutated block: %s", res)
	}
	if res := n.call(nil, "submitblock", blkHex); res != "null" {
		t.Fatalf("submitblock: %s", res)
	}
	if res := n.call(nil, "submitblock", blkHex); res != `"duplicate"` {
		t.Fatalf("submitblock again: %s", res)
	}
	var best string
	if n.call(&best, "getbestblockhash"); best != blk.BlockHash().String() {
		t.Fatalf("tip %s after submitblock, want %s", best, blk.BlockHash())
	}
	if res := n.call(nil, "gettxout", cbTxid, 0); res != "null" {
		t.Fatalf("gettxout of a spent output: %s", res)
	}
	n.call(&txout, "gettxout", spend.TxHash().String(), 0)
	if txout["value"] != 50.0 || txout["coinbase"] != false || txout["confirmations"] != 1.0 {
		t.Fatalf("gettxout of the spend %v", txout)
	}
	// invalidateblock and reconsiderblock.
	if res := n.call(nil, "invalidateblock", best); res != "null" {
		t.Fatalf("invalidateblock: %s", res)
	}
	if n.call(&count, "getblockcount"); count != 101 {
		t.Fatalf("height %d after invalidateblock", count)
	}
	n.call(&txout, "gettxout", cbTxid, 0, false)
	if txout["value"] != 50.0 {
		t.Fatalf("gettxout after invalidateblock %v", txout)
	}
	// The disconnected block's transaction is back in the mempool, so with
	// the mempool counted its input is spent.
	if res := n.call(nil, "gettxout", cbTxid, 0); res != "null" {
		t.Fatalf("gettxout counting the mempool after invalidateblock: %s", res)
	}
	var pool []string
	if n.call(&pool, "getrawmempool"); len(pool) != 1 || pool[0] != spend.TxHash().String() {
		t.Fatalf("mempool after invalidateblock %v, want the disconnected spend", pool)
	}
	var tips []map[string]any
	if n.call(&tips, "getchaintips"); len(tips) != 2 || tips[1]["status"] != "invalid" {
		t.Fatalf("getchaintips after invalidateblock %v", tips)
	}
	if res := n.call(nil, "reconsiderblock", best); res != "null" {
		t.Fatalf("reconsiderblock: %s", res)
	}
	if n.call(&count, "getblockcount"); count != 102 {
		t.Fatalf("height %d after reconsiderblock", count)
	}

	// Every other method once.
	var ok bool
	if n.call(&ok, "verifychain", 4, 0); !ok {
		t.Fatal("verifychain 4 0 is false")
	}
	var setInfo map[string]any
	if n.call(&setInfo, "gettxoutsetinfo"); setInfo["height"] != 102.0 || setInfo["txouts"] != 102.0 || setInfo["total_amount"] != 5100.0 {
		t.Fatalf("gettxoutsetinfo %v", setInfo)
	}
	var mining map[string]any
	if n.call(&mining, "getmininginfo"); mining["blocks"] != 102.0 || mining["chain"] != "regtest" || mining["pooledtx"] != 0.0 {
		t.Fatalf("getmininginfo %v", mining)
	}
	var hps, diff float64
	n.call(&hps, "getnetworkhashps")
	if n.call(&diff, "getdifficulty"); diff <= 0 {
		t.Fatalf("getdifficulty %v", diff)
	}
	var hdrHex string
	if n.call(&hdrHex, "getblockheader", best, false); len(hdrHex) != 160 {
		t.Fatalf("getblockheader false: %q", hdrHex)
	}
	var v map[string]any
	if n.call(&v, "validateaddress", payTo.String()); v["isvalid"] != true || v["isscript"] != true {
		t.Fatalf("validateaddress %v", v)
	}
	if n.call(&v, "validateaddress", "nonsense"); v["isvalid"] != false || v["error"] == nil {
		t.Fatalf("validateaddress of nonsense %v", v)
	}
	var created string
	n.call(&created, "createrawtransaction", []any{map[string]any{"txid": spend.TxHash().String(), "vout": 0}},
		[]any{map[string]any{payTo.String(): 49.5}, map[string]any{"data": "6e6f6465636f696e"}})
	var decoded map[string]any
	if n.call(&decoded, "decoderawtransaction", created); len(decoded["vout"].([]any)) != 2 || decoded["vin"].([]any)[0].(map[string]any)["txid"] != spend.TxHash().String() {
		t.Fatalf("decoderawtransaction of createrawtransaction's %v", decoded)
	}
	if n.call(&decoded, "decodescript", "76a914000000000000000000000000000000000000000088ac"); decoded["type"] != "pubkeyhash" {
		t.Fatalf("decodescript %v", decoded)
	}
	var gen map[string]string
	if n.call(&gen, "generateblock", payTo.String(), []string{}, false); gen["hex"] == "" || len(gen["hash"]) != 64 {
		t.Fatalf("generateblock submit=false %v", gen)
	}
	gen = nil // Unmarshal would keep the old map's keys
	if n.call(&gen, "generateblock", payTo.String(), []string{}); gen["hex"] != "" {
		t.Fatalf("generateblock %v", gen)
	}
	if n.call(&best, "getbestblockhash"); best != gen["hash"] {
		t.Fatal("generateblock's block is not the tip")
	}

	// Error paths.
	unknown := strings.Repeat("ab", 32)
	n.fails(500, -5, "Block not found", "getblock", `["`+unknown+`"]`)
	n.fails(500, -5, "Block not found", "getblockheader", `["`+unknown+`"]`)
	n.fails(500, -5, "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.", "getrawtransaction", `["`+unknown+`"]`)
	n.fails(500, -8, "Block height out of range", "getblockhash", `[1000]`)
	n.fails(500, -8, "Block height out of range", "getblockhash", `[-1]`)
	n.fails(500, -8, "blockhash must be of length 64 (not 4, for 'abcd')", "getblock", `["abcd"]`)
	n.fails(500, -8, "blockhash must be hexadecimal string (not '"+strings.Repeat("x", 64)+"')", "getblock", `["`+strings.Repeat("x", 64)+`"]`)
	n.fails(500, -22, "Block decode failed", "submitblock", `["zz"]`)
	n.fails(500, -22, "TX decode failed", "decoderawtransaction", `["0011"]`)
	n.fails(500, -5, "Invalid nodecoin address: 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "createrawtransaction", `[[], {"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2": 1}]`)
	n.fails(500, -3, "Wrong type passed:\n{\n    \"Position 1 (height)\": \"JSON value of type string is not of expected type number\"\n}", "getblockhash", `["1"]`)
	n.fails(500, -3, "Wrong type passed", "getblockheader", `["`+unknown+`", "yes"]`)
	n.fails(500, -1, "getblockcount\n", "getblockcount", `[1]`)
	n.fails(500, -1, "getblock \"blockhash\" ( verbosity )", "getblock", `["`+unknown+`", 1, 2]`)
	n.fails(404, -32601, "Method not found", "nosuchmethod", `[]`)

	body := `{"id":1,"method":"getblockcount","params":[]}`
	if status, _, b := n.post(strings.NewReader(body), ""); status != 401 || len(b) != 0 {
		t.Errorf("no auth: HTTP %d body %q", status, b)
	}
	wrong, _ := http.NewRequest(http.MethodPost, "/", nil)
	wrong.SetBasicAuth(n.user, n.pass+"x")
	if status, _, b := n.post(strings.NewReader(body), wrong.Header.Get("Authorization")); status != 401 || len(b) != 0 {
		t.Errorf("wrong auth: HTTP %d body %q", status, b)
	}
	big := io.MultiReader(strings.NewReader(`{"id":1,"method":"getblockcount","params":["`),
		io.LimitReader(zeros{}, 33<<20), strings.NewReader(`"]}`))
	if status, _, _ := n.post(big, n.basicAuth()); status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: HTTP %d", status)
	}
	status, ctype, b := n.post(strings.NewReader(`{"id":1,"method":`), n.basicAuth())
	if status != 500 || ctype != "application/json" || !strings.Contains(string(b), `"code":-32700`) {
		t.Errorf("malformed JSON: HTTP %d %q", status, b)
	}
	if status, _, b := n.post(strings.NewReader(`[]`), n.basicAuth()); status != 200 || strings.TrimSpace(string(b)) != "[]" {
		t.Errorf("empty batch: HTTP %d %q", status, b)
	}
	status, _, b = n.post(strings.NewReader(`[{"id":1,"method":"getblockcount"},{"id":2,"method":"getblockhash","params":[0]}]`), n.basicAuth())
	if status != 200 || !strings.Contains(string(b), `"result":"`+genesis+`"`) {
		t.Errorf("batch: HTTP %d %q", status, b)
	}
	// The cli reports errors as bitcoin-cli does.
	if _, errOut, code := n.cli("getblockhash", "1000"); code != 8 || errOut != "error code: -8\nerror message:\nBlock height out of range\n" {
		t.Errorf("cli getblockhash 1000: exit %d %q", code, errOut)
	}
	n.d.stop()
}

// zeros is an endless reader of '0' bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// TestRPCThirdPartyBitcoinlib runs testdata/thirdparty_bitcoinlib.py, a
// python-bitcoinlib client, against a daemon with a few blocks. It needs
// python3 with Debian's python3-bitcoinlib: without it the test skips,
// unless CI is set.
func TestRPCThirdPartyBitcoinlib(t *testing.T) {
	python := needBitcoinlib(t)
	n := startRPCNode(t)
	n.call(nil, "generatetoaddress", 12, opTrueP2SH(t).String())
	pkh, err := address.NewAddressPubKeyHash(make([]byte, 20), consensus.RegTestParams.AddressPrefixes())
	if err != nil {
		t.Fatal(err)
	}
	n.call(nil, "generatetoaddress", 3, pkh.String())
	cmd := exec.Command(python, filepath.Join("testdata", "thirdparty_bitcoinlib.py"), "http://"+n.addr, n.user, n.pass)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "all checks passed") {
		t.Fatalf("thirdparty_bitcoinlib.py: %v\n%s", err, out)
	}
	t.Logf("thirdparty_bitcoinlib.py:\n%s", out)
	n.d.stop()
}

// needBitcoinlib returns a python3 that imports python-bitcoinlib; without
// one the test is skipped, or fails when CI is set (CI installs it).
func needBitcoinlib(t *testing.T) string {
	t.Helper()
	python, err := bitcoinlibPython()
	if err != nil {
		msg := fmt.Sprintf("python3 with python-bitcoinlib is not available (%v); apt-get install python3-bitcoinlib", err)
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI is set, so the check is required")
		}
		t.Skip(msg)
	}
	return python
}

// bitcoinlibPython returns a Python 3 interpreter that can import
// python-bitcoinlib: python3 on the PATH, or else Debian's /usr/bin/python3
// (where python3-bitcoinlib installs when the PATH's python3 is another
// one, such as pyenv's).
func bitcoinlibPython() (string, error) {
	var errs []error
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		out, err := exec.Command(py, "-c", "import bitcoin.rpc, bitcoin.core").CombinedOutput()
		if err == nil {
			return py, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w: %s", py, err, bytes.TrimSpace(out)))
	}
	return "", errors.Join(errs...)
}
