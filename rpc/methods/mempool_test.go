package methods

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/mempool/feeest"
	"github.com/nodecoin/nodecoin/rpc"
)

// fakeFees is a FeeEstimator answering what it is told, recording the
// last question.
type fakeFees struct {
	rate, blocks int
	err          error
	target       int
	conservative bool
}

func (f *fakeFees) EstimateSmartFee(target int, conservative bool) (int64, int, error) {
	f.target, f.conservative = target, conservative
	return int64(f.rate), f.blocks, f.err
}

// poolFixture is a fixture whose methods have a real mempool on the chain
// (kept in step by the chain's notifications) and a fake fee estimator,
// with a key whose P2PKH outputs the tests create and spend.
type poolFixture struct {
	*fixture
	pool     *mempool.Pool
	fees     *fakeFees
	key      *btcec.PrivateKey
	pkScript []byte
	blocks   []wire.Hash // generated blocks, whose coinbases pay to f.addr
}

func newPoolFixture(t *testing.T, blocks int) *poolFixture {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	clk := &clock{t: time.Now().Truncate(time.Second)}
	params := consensus.RegTestParams
	c, err := chain.Open(context.Background(), chain.Config{Dir: t.TempDir(), Params: params, CacheMiB: 16,
		TxIndex: true, Now: clk.now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	pool := mempool.New(c, mempool.Config{Now: clk.now, Logger: quiet})
	c.Subscribe(func(n chain.Notification) {
		if err := pool.HandleNotification(n); err != nil {
			t.Errorf("HandleNotification: %v", err)
		}
	})
	sh, err := address.NewAddressScriptHashFromScript(opTrueRedeem, params.AddressPrefixes())
	if err != nil {
		t.Fatal(err)
	}
	pkh, err := address.NewAddressPubKeyHash(make([]byte, 20), params.AddressPrefixes())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, c: c, clock: clk, methods: make(map[string]rpc.Method), addr: sh, pkh: pkh}
	fees := &fakeFees{}
	for _, m := range All(c, Options{TxIndex: true, Now: clk.now, Logger: quiet, Pool: pool, Fees: fees}) {
		if _, dup := f.methods[m.Name]; dup {
			t.Fatalf("method %s twice", m.Name)
		}
		f.methods[m.Name] = m
	}
	var kb [32]byte
	for i := range kb {
		kb[i] = byte(i*5 + 1)
	}
	key, _ := btcec.PrivKeyFromBytes(kb[:])
	pk, err := script.PayToPubKeyHashScript(script.Hash160(key.PubKey().SerializeCompressed()))
	if err != nil {
		t.Fatal(err)
	}
	pf := &poolFixture{fixture: f, pool: pool, fees: fees, key: key, pkScript: pk}
	if blocks > 0 {
		pf.blocks = f.generate(blocks)
	}
	return pf
}

// fromCoinbase spends the coinbase of the i-th generated block to n
// P2PKH outputs of the fixture's key, paying fee.
func (f *poolFixture) fromCoinbase(i int, fee int64, n int) *wire.Tx {
	f.t.Helper()
	value := f.block(f.blocks[i]).Transactions[0].TxOut[0].Value - fee
	outs := make([]*wire.TxOut, n)
	for j := range outs {
		outs[j] = &wire.TxOut{Value: value / int64(n), PkScript: f.pkScript}
	}
	outs[0].Value += value % int64(n)
	return f.spendCoinbase(f.blocks[i], outs...)
}

// spendOut spends output idx of parent (a P2PKH output of the key) to one
// P2PKH output, paying fee, signed.
func (f *poolFixture) spendOut(parent *wire.Tx, idx uint32, fee int64) *wire.Tx {
	f.t.Helper()
	tx := &wire.Tx{Version: 2,
		TxIn:  []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: parent.TxHash(), Index: idx}, Sequence: 0xffffffff}},
		TxOut: []*wire.TxOut{{Value: parent.TxOut[idx].Value - fee, PkScript: f.pkScript}}}
	ss, err := script.SignatureScript(tx, 0, parent.TxOut[idx].PkScript, script.SigHashAll, f.key, true)
	if err != nil {
		f.t.Fatal(err)
	}
	tx.TxIn[0].SignatureScript = ss
	return tx
}

// send submits tx with sendrawtransaction, which must answer its txid.
func (f *poolFixture) send(tx *wire.Tx, params ...string) {
	f.t.Helper()
	if got := f.ok("sendrawtransaction", append([]string{q(txHex(tx))}, params...)...); got != tx.TxHash().String() {
		f.t.Fatalf("sendrawtransaction: %v, want %s", got, tx.TxHash())
	}
}

// ids returns the txids of txs as strings.
func ids(txs ...*wire.Tx) []any {
	out := make([]any, len(txs))
	for i, tx := range txs {
		out[i] = tx.TxHash().String()
	}
	return out
}

// sortedIDs is ids in display order, as the pool lists them.
func sortedIDs(txs ...*wire.Tx) []any {
	out := ids(txs...)
	slices.SortFunc(out, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
	return out
}

func TestMethodsWithoutPool(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	for _, name := range []string{"sendrawtransaction", "testmempoolaccept", "getrawmempool", "getmempoolentry",
		"getmempoolancestors", "getmempooldescendants", "getmempoolinfo", "prioritisetransaction", "estimatesmartfee"} {
		if _, ok := f.methods[name]; ok {
			t.Errorf("%s registered without a mempool", name)
		}
	}
	if got := f.obj("getmininginfo")["pooledtx"]; got != 0.0 {
		t.Errorf("pooledtx without a pool: %v", got)
	}
}

func TestMempoolMethodsHelp(t *testing.T) {
	f := newPoolFixture(t, 0)
	for _, name := range []string{"sendrawtransaction", "testmempoolaccept", "getrawmempool", "getmempoolentry",
		"getmempoolancestors", "getmempooldescendants", "getmempoolinfo", "prioritisetransaction", "estimatesmartfee"} {
		m, ok := f.methods[name]
		if !ok {
			t.Fatalf("%s not registered with a mempool", name)
		}
		help := m.Help()
		if name == "getmempoolentry" && !strings.Contains(help, "\n  \"vsize\" : n,") {
			t.Errorf("getmempoolentry result layout:\n%s", help)
		}
		if !strings.HasPrefix(help, name) || m.Description == "" || m.Result == "" || !strings.Contains(help, "> nodecoin cli "+name) {
			t.Errorf("help %s:\n%s", name, help)
		}
		for _, a := range m.Args {
			if a.Description == "" {
				t.Errorf("%s: argument %s has no description", name, a.Name)
			}
		}
	}
	if u := f.methods["prioritisetransaction"]; u.Usage() != `prioritisetransaction "txid" ( dummy ) fee_delta` {
		t.Errorf("usage: %s", u.Usage())
	}
}

func TestSendRawTransaction(t *testing.T) {
	f := newPoolFixture(t, 104)

	tx := f.fromCoinbase(0, 10_000, 2)
	f.send(tx)
	f.send(tx) // already in the mempool: the txid again
	if got := f.ok("getrawmempool"); fmt.Sprint(got) != fmt.Sprint(ids(tx)) {
		t.Fatalf("getrawmempool: %v", got)
	}
	if f.pool.Get(tx.TxHash()) == nil || !f.pool.Get(tx.TxHash()).Unbroadcast {
		t.Fatal("sent transaction not in the pool as a local one")
	}

	// Decoding.
	f.fail(rpc.CodeDeserialization, "TX decode failed. Make sure the tx has at least one input.", "sendrawtransaction", q("zz"))
	f.fail(rpc.CodeDeserialization, "TX decode failed", "sendrawtransaction", q("0100"))

	// Missing inputs: -25 with the reject reason.
	orphan := f.spendOut(tx, 0, 1000)
	orphan.TxIn[0].PreviousOutPoint.Hash[0] ^= 1
	f.fail(rpc.CodeVerify, "bad-txns-inputs-missingorspent", "sendrawtransaction", q(txHex(orphan)))

	// Policy: -26 with "reason, detail".
	free := f.fromCoinbase(1, 0, 1)
	f.fail(rpc.CodeVerifyRejected, fmt.Sprintf("min relay fee not met, 0 < %d", free.SerializeSize()),
		"sendrawtransaction", q(txHex(free)))

	// maxfeerate: the default 0.10 NDC/kvB refuses a 1 NDC fee, 0 lifts
	// the limit, an explicit rate applies.
	greedy := f.fromCoinbase(2, consensus.Coin, 1)
	f.fail(rpc.CodeVerify, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)", "sendrawtransaction", q(txHex(greedy)))
	f.fail(rpc.CodeVerify, "Fee exceeds maximum configured by user", "sendrawtransaction", q(txHex(greedy)), `"0.5"`)
	f.fail(rpc.CodeType, "Invalid amount", "sendrawtransaction", q(txHex(greedy)), `"x"`)
	f.send(greedy, "0")

	// maxburnamount: an OP_RETURN output carrying value.
	burn := f.fromCoinbase(3, 10_000, 1)
	burn.TxOut = append(burn.TxOut, &wire.TxOut{Value: 1000, PkScript: []byte{script.OP_RETURN}})
	burn.TxOut[0].Value -= 1000
	f.fail(rpc.CodeVerify, "Unspendable output exceeds maximum configured by user (maxburnamount)", "sendrawtransaction", q(txHex(burn)))

	// Mining takes the pool's transactions.
	hashes := f.generate(1)
	blk := f.block(hashes[0])
	var mined []string
	for _, t := range blk.Transactions[1:] {
		mined = append(mined, t.TxHash().String())
	}
	if len(mined) != 2 || !slices.Contains(mined, tx.TxHash().String()) || !slices.Contains(mined, greedy.TxHash().String()) {
		t.Fatalf("generated block holds %v", mined)
	}
	if got := f.ok("getrawmempool").([]any); len(got) != 0 {
		t.Fatalf("mempool after mining: %v", got)
	}
	// The coinbase collects the fees.
	if got, want := blk.Transactions[0].TxOut[0].Value, consensus.CalcBlockSubsidy(105, consensus.RegTestParams)+10_000+consensus.Coin; got != want {
		t.Fatalf("coinbase pays %d, want %d", got, want)
	}
	out := f.obj("gettxout", q(tx.TxHash().String()), "1")
	if out["confirmations"] != 1.0 || out["bestblock"] != hashes[0].String() {
		t.Fatalf("gettxout of the mined transaction: %v", out)
	}
	raw := f.obj("getrawtransaction", q(tx.TxHash().String()), "true")
	if raw["blockhash"] != hashes[0].String() || raw["confirmations"] != 1.0 {
		t.Fatalf("getrawtransaction of the mined transaction: %v", raw)
	}

	// Already in the chain: -27.
	f.fail(rpc.CodeVerifyAlreadyInChain, "Transaction already in block chain", "sendrawtransaction", q(txHex(tx)))
}

func TestMempoolQueries(t *testing.T) {
	f := newPoolFixture(t, 104)
	parent := f.fromCoinbase(0, 10_000, 2)
	child := f.spendOut(parent, 0, 20_000)
	f.send(parent)
	f.send(child)
	tip := f.c.Best()
	pid, cid := parent.TxHash().String(), child.TxHash().String()
	psize, csize := float64(parent.SerializeSize()), float64(child.SerializeSize())

	// getmempoolentry.
	pe := f.obj("getmempoolentry", q(pid))
	for k, want := range map[string]any{"vsize": psize, "weight": 4 * psize, "height": float64(tip.Height),
		"time": float64(f.clock.now().Unix()), "ancestorcount": 1.0, "ancestorsize": psize,
		"descendantcount": 2.0, "descendantsize": psize + csize, "wtxid": pid,
		"bip125-replaceable": false, "unbroadcast": true} {
		if pe[k] != want {
			t.Errorf("parent %s = %v, want %v", k, pe[k], want)
		}
	}
	if fmt.Sprint(pe["depends"]) != "[]" || fmt.Sprint(pe["spentby"]) != fmt.Sprint([]any{cid}) {
		t.Errorf("parent depends %v spentby %v", pe["depends"], pe["spentby"])
	}
	fees := pe["fees"].(map[string]any)
	if fees["base"] != 0.0001 || fees["modified"] != 0.0001 || fees["ancestor"] != 0.0001 || fees["descendant"] != 0.0003 {
		t.Errorf("parent fees %v", fees)
	}
	ce := f.obj("getmempoolentry", q(cid))
	if ce["ancestorcount"] != 2.0 || ce["ancestorsize"] != psize+csize || ce["descendantcount"] != 1.0 ||
		fmt.Sprint(ce["depends"]) != fmt.Sprint([]any{pid}) || fmt.Sprint(ce["spentby"]) != "[]" {
		t.Errorf("child entry %v", ce)
	}
	if cf := ce["fees"].(map[string]any); cf["ancestor"] != 0.0003 || cf["descendant"] != 0.0002 {
		t.Errorf("child fees %v", cf)
	}
	missing := strings.Repeat("ab", 32)
	f.fail(rpc.CodeInvalidAddressOrKey, "Transaction not in mempool", "getmempoolentry", q(missing))
	f.fail(rpc.CodeInvalidParameter, "parameter 1 must be of length 64", "getmempoolentry", q("00"))

	// Ancestors and descendants.
	if got := f.ok("getmempoolancestors", q(cid)); fmt.Sprint(got) != fmt.Sprint([]any{pid}) {
		t.Errorf("ancestors of child: %v", got)
	}
	if got := f.ok("getmempoolancestors", q(pid)); fmt.Sprint(got) != "[]" {
		t.Errorf("ancestors of parent: %v", got)
	}
	if got := f.ok("getmempooldescendants", q(pid)); fmt.Sprint(got) != fmt.Sprint([]any{cid}) {
		t.Errorf("descendants of parent: %v", got)
	}
	if got := f.obj("getmempooldescendants", q(pid), "true"); len(got) != 1 || got[cid].(map[string]any)["vsize"] != csize {
		t.Errorf("verbose descendants of parent: %v", got)
	}
	if got := f.obj("getmempoolancestors", q(cid), "true"); len(got) != 1 || got[pid].(map[string]any)["vsize"] != psize {
		t.Errorf("verbose ancestors of child: %v", got)
	}
	f.fail(rpc.CodeInvalidAddressOrKey, "Transaction not in mempool", "getmempoolancestors", q(missing))
	f.fail(rpc.CodeInvalidAddressOrKey, "Transaction not in mempool", "getmempooldescendants", q(missing))

	// getrawmempool.
	if got := f.ok("getrawmempool", "false"); fmt.Sprint(got) != fmt.Sprint(sortedIDs(parent, child)) {
		t.Errorf("getrawmempool: %v", got)
	}
	verbose := f.obj("getrawmempool", "true")
	if len(verbose) != 2 || verbose[cid].(map[string]any)["ancestorcount"] != 2.0 {
		t.Errorf("getrawmempool verbose: %v", verbose)
	}
	f.fail(rpc.CodeInvalidParameter, "Verbose results cannot contain mempool sequence values.", "getrawmempool", "true", "true")
	// Two additions so far: the sequence is 2.
	if got := f.obj("getrawmempool", "false", "true"); len(got["txids"].([]any)) != 2 || got["mempool_sequence"] != 2.0 {
		t.Errorf("getrawmempool with sequence: %v", got)
	}

	// getmempoolinfo and getmininginfo.
	info := f.obj("getmempoolinfo")
	for k, want := range map[string]any{"loaded": false, "size": 2.0, "bytes": psize + csize, "total_fee": 0.0003,
		"maxmempool": float64(mempool.DefaultMaxBytes), "mempoolminfee": 0.00001, "minrelaytxfee": 0.00001,
		"incrementalrelayfee": 0.00001, "unbroadcastcount": 2.0, "fullrbf": false} {
		if info[k] != want {
			t.Errorf("getmempoolinfo %s = %v, want %v", k, info[k], want)
		}
	}
	if u, _ := info["usage"].(float64); u <= 0 {
		t.Errorf("getmempoolinfo usage %v", info["usage"])
	}
	if got := f.obj("getmininginfo")["pooledtx"]; got != 2.0 {
		t.Errorf("pooledtx %v", got)
	}

	// prioritisetransaction changes the modified fee and the package
	// figures, not the base fee.
	if got := f.ok("prioritisetransaction", q(pid), "0", "50000"); got != true {
		t.Fatalf("prioritisetransaction: %v", got)
	}
	if got := f.ok("prioritisetransaction", q(pid), "null", "-10000"); got != true {
		t.Fatalf("prioritisetransaction: %v", got)
	}
	pf := f.obj("getmempoolentry", q(pid))["fees"].(map[string]any)
	if pf["base"] != 0.0001 || pf["modified"] != 0.0005 || pf["descendant"] != 0.0007 {
		t.Errorf("prioritised fees %v", pf)
	}
	if got := f.obj("getmempoolentry", q(cid))["fees"].(map[string]any)["ancestor"]; got != 0.0007 {
		t.Errorf("child ancestor fees after prioritising the parent: %v", got)
	}
	f.fail(rpc.CodeInvalidParameter, "Priority is no longer supported, dummy argument to prioritisetransaction must be 0.",
		"prioritisetransaction", q(pid), "1", "1")

	// gettxout with and without the mempool.
	cbOut := []string{q(f.block(f.blocks[0]).Transactions[0].TxHash().String()), "0"}
	if got := f.ok("gettxout", append(cbOut, "true")...); got != nil {
		t.Errorf("gettxout of an output the pool spends: %v", got)
	}
	if got := f.obj("gettxout", append(cbOut, "false")...); got["confirmations"] != 104.0 {
		t.Errorf("gettxout without the mempool: %v", got)
	}
	if got := f.ok("gettxout", q(pid), "0"); got != nil {
		t.Errorf("gettxout of a pool output spent in the pool: %v", got)
	}
	co := f.obj("gettxout", q(cid), "0")
	if co["confirmations"] != 0.0 || co["bestblock"] != tip.Hash.String() || co["coinbase"] != false ||
		co["value"] != float64(child.TxOut[0].Value)/float64(consensus.Coin) {
		t.Errorf("gettxout of a pool output: %v", co)
	}
	if got := f.obj("gettxout", q(pid), "1"); got["confirmations"] != 0.0 {
		t.Errorf("gettxout of an unspent pool output: %v", got)
	}
	if got := f.ok("gettxout", q(cid), "0", "false"); got != nil {
		t.Errorf("gettxout of a pool output without the mempool: %v", got)
	}
	if got := f.ok("gettxout", q(cid), "1"); got != nil {
		t.Errorf("gettxout of a pool transaction's missing output: %v", got)
	}

	// getrawtransaction finds pool transactions.
	if got := f.ok("getrawtransaction", q(cid)); got != txHex(child) {
		t.Errorf("getrawtransaction of a pool transaction: %v", got)
	}
	if got := f.obj("getrawtransaction", q(cid), "1"); got["txid"] != cid || got["blockhash"] != nil || got["confirmations"] != nil {
		t.Errorf("verbose getrawtransaction of a pool transaction: %v", got)
	}
}

func TestTestMempoolAccept(t *testing.T) {
	f := newPoolFixture(t, 104)
	parent := f.fromCoinbase(0, 10_000, 2)
	f.send(parent)
	good := f.spendOut(parent, 0, 10_000)
	free := f.spendOut(parent, 1, 0)
	orphan := f.spendOut(parent, 1, 1000)
	orphan.TxIn[0].PreviousOutPoint.Hash[0] ^= 1
	greedy := f.fromCoinbase(1, consensus.Coin, 1)
	grandchild := f.spendOut(good, 0, 10_000) // its parent is not added: missing inputs

	res := f.ok("testmempoolaccept", fmt.Sprintf("[%s,%s,%s,%s,%s]", q(txHex(good)), q(txHex(free)), q(txHex(orphan)),
		q(txHex(parent)), q(txHex(grandchild)))).([]any)
	if len(res) != 5 {
		t.Fatalf("testmempoolaccept: %v", res)
	}
	r0 := res[0].(map[string]any)
	fees, _ := r0["fees"].(map[string]any)
	size := float64(good.SerializeSize())
	if r0["txid"] != good.TxHash().String() || r0["wtxid"] != r0["txid"] || r0["allowed"] != true || r0["vsize"] != size ||
		fees["base"] != 0.0001 || fees["effective-feerate"] != float64(int64(10_000*1000/size))/float64(consensus.Coin) ||
		fmt.Sprint(fees["effective-includes"]) != fmt.Sprint([]any{r0["txid"]}) || r0["reject-reason"] != nil {
		t.Errorf("allowed result: %v", r0)
	}
	for i, want := range []string{"", "min relay fee not met", "missing-inputs", "txn-already-in-mempool", "missing-inputs"} {
		if i == 0 {
			continue
		}
		r := res[i].(map[string]any)
		if r["allowed"] != false || r["reject-reason"] != want || r["vsize"] != nil || r["fees"] != nil {
			t.Errorf("result %d: %v, want reject-reason %q", i, r, want)
		}
	}
	if n := f.pool.Info().Size; n != 1 {
		t.Fatalf("testmempoolaccept changed the pool: %d entries", n)
	}

	// A fee above maxfeerate: refused, and what follows is not checked.
	res = f.ok("testmempoolaccept", fmt.Sprintf("[%s,%s]", q(txHex(greedy)), q(txHex(good)))).([]any)
	r0, r1 := res[0].(map[string]any), res[1].(map[string]any)
	if r0["allowed"] != false || r0["reject-reason"] != "max-fee-exceeded" {
		t.Errorf("greedy: %v", r0)
	}
	if _, has := r1["allowed"]; has || r1["txid"] != good.TxHash().String() {
		t.Errorf("after greedy: %v", r1)
	}
	if r := f.ok("testmempoolaccept", fmt.Sprintf("[%s]", q(txHex(greedy))), "0").([]any)[0].(map[string]any); r["allowed"] != true {
		t.Errorf("greedy without a limit: %v", r)
	}

	f.fail(rpc.CodeInvalidParameter, "Array must contain between 1 and 25 transactions.", "testmempoolaccept", "[]")
	many := "[" + strings.TrimSuffix(strings.Repeat(q(txHex(good))+",", 26), ",") + "]"
	f.fail(rpc.CodeInvalidParameter, "Array must contain between 1 and 25 transactions.", "testmempoolaccept", many)
	f.fail(rpc.CodeDeserialization, "TX decode failed: zz Make sure the tx has at least one input.", "testmempoolaccept", `["zz"]`)
	f.fail(rpc.CodeType, "JSON value of type number is not of expected type string", "testmempoolaccept", `[1]`)
}

func TestGenerateBlockWithPoolTxids(t *testing.T) {
	f := newPoolFixture(t, 104)
	parent := f.fromCoinbase(0, 10_000, 2)
	child := f.spendOut(parent, 1, 10_000)
	other := f.fromCoinbase(1, 10_000, 1)
	f.send(parent)
	f.send(child)
	f.send(other)

	missing := strings.Repeat("cd", 32)
	f.fail(rpc.CodeInvalidAddressOrKey, "Transaction "+missing+" not in mempool.", "generateblock", q(f.addr.String()),
		fmt.Sprintf("[%s]", q(missing)))

	// The parent by txid, the child as raw hex; other stays in the pool.
	f.clock.advance(time.Minute)
	res := f.obj("generateblock", q(f.addr.String()), fmt.Sprintf("[%s,%s]", q(parent.TxHash().String()), q(txHex(child))))
	h, err := wire.NewHashFromStr(res["hash"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(f.block(h).Transactions[1:]...); fmt.Sprint(got) != fmt.Sprint(ids(parent, child)) {
		t.Fatalf("generated block holds %v", got)
	}
	if got := f.ok("getrawmempool"); fmt.Sprint(got) != fmt.Sprint(ids(other)) {
		t.Fatalf("mempool after generateblock: %v", got)
	}
	if got := f.obj("getrawtransaction", q(child.TxHash().String()), "1"); got["blockhash"] != h.String() {
		t.Fatalf("getrawtransaction after generateblock: %v", got)
	}
}

func TestGenerateToAddressMinesPackages(t *testing.T) {
	f := newPoolFixture(t, 104)
	parent := f.fromCoinbase(0, 1000, 2)
	child := f.spendOut(parent, 0, 100_000) // pays for its parent
	grandchild := f.spendOut(child, 0, 1000)
	rich := f.fromCoinbase(1, 20_000, 1)
	for _, tx := range []*wire.Tx{parent, child, grandchild, rich} {
		f.send(tx)
	}
	hashes := f.generate(1)
	got := ids(f.block(hashes[0]).Transactions[1:]...)
	// parent+child (101,000 over two transactions) before rich, the
	// grandchild last.
	if fmt.Sprint(got) != fmt.Sprint(ids(parent, child, rich, grandchild)) {
		t.Fatalf("block holds %v, want %v", got, ids(parent, child, rich, grandchild))
	}
	if n := f.pool.Info().Size; n != 0 {
		t.Fatalf("%d transactions left in the pool", n)
	}
}

// orderPool is a Pool that only answers MiningOrder.
type orderPool struct {
	Pool
	order []*mempool.MiningTx
}

func (p orderPool) MiningOrder() []*mempool.MiningTx { return p.order }

func TestPoolTxsLimits(t *testing.T) {
	mk := func(b byte, size int64, sigOps int, deps ...*mempool.MiningTx) *mempool.MiningTx {
		tx := &wire.Tx{Version: int32(b)}
		mt := &mempool.MiningTx{Tx: tx, TxID: wire.Hash{b}, Size: size, SigOps: sigOps}
		for _, d := range deps {
			mt.Depends = append(mt.Depends, d.TxID)
		}
		return mt
	}
	a := mk(1, 600_000, 10)
	big := mk(2, 500_000, 10)       // does not fit after a
	bigChild := mk(3, 1000, 1, big) // skipped with its parent
	small := mk(4, 1000, 1)
	sigHeavy := mk(5, 1000, consensus.MaxBlockSigOps-50) // over the sigop room
	done := mk(6, 1000, 1)                               // mined earlier in the call
	doneChild := mk(7, 1000, 1, done)
	fill := mk(8, consensus.MaxBlockSize-600_000-2000-mempool.ReservedSize, 1)
	over := mk(9, 1, 0) // one byte too many
	m := &mining{opts: Options{Pool: orderPool{order: []*mempool.MiningTx{a, big, bigChild, small, sigHeavy, done, doneChild, fill, over}}}}
	got := m.poolTxs(map[wire.Hash]bool{done.TxID: true})
	var versions []int32
	for _, tx := range got {
		versions = append(versions, tx.Version)
	}
	if fmt.Sprint(versions) != "[1 4 7 8]" {
		t.Fatalf("poolTxs took %v", versions)
	}
	if (&mining{}).poolTxs(nil) != nil {
		t.Fatal("poolTxs without a pool")
	}
}

func TestEstimateSmartFee(t *testing.T) {
	f := newPoolFixture(t, 0)
	f.fees.rate, f.fees.blocks = 5000, 3
	got := f.obj("estimatesmartfee", "2")
	if got["feerate"] != 0.00005 || got["blocks"] != 3.0 || got["errors"] != nil || f.fees.target != 2 || f.fees.conservative {
		t.Errorf("estimatesmartfee 2: %v (asked %d %v)", got, f.fees.target, f.fees.conservative)
	}
	f.obj("estimatesmartfee", "6", q("CONSERVATIVE"))
	if !f.fees.conservative || f.fees.target != 6 {
		t.Errorf("conservative mode not passed on")
	}
	f.obj("estimatesmartfee", "6", q("unset"))
	if f.fees.conservative {
		t.Errorf("unset mode is conservative")
	}
	// Raised to the pool's minimum fee rate.
	f.fees.rate = 10
	if got := f.obj("estimatesmartfee", "1", q("economical")); got["feerate"] != 0.00001 {
		t.Errorf("estimate below the minimum relay fee: %v", got)
	}
	// No data.
	f.fees.rate, f.fees.blocks, f.fees.err = 0, 1008, fmt.Errorf("feeest: %w", feeest.ErrInsufficientData)
	got = f.obj("estimatesmartfee", "1008")
	if got["feerate"] != nil || got["blocks"] != 1008.0 || fmt.Sprint(got["errors"]) != "[Insufficient data or no feerate found]" {
		t.Errorf("estimatesmartfee without data: %v", got)
	}
	f.fees.err = fmt.Errorf("disk on fire")
	if _, err := f.call("estimatesmartfee", "5"); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("estimator failure: %v", err)
	}
	f.fail(rpc.CodeInvalidParameter, "Invalid conf_target, must be between 1 and 1008", "estimatesmartfee", "0")
	f.fail(rpc.CodeInvalidParameter, "Invalid conf_target, must be between 1 and 1008", "estimatesmartfee", "1009")
	f.fail(rpc.CodeInvalidParameter, `Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"`,
		"estimatesmartfee", "2", q("fast"))
}
