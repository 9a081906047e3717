package methods

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/rpc"
)

func TestChainInfo(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	genesis := consensus.RegTestParams.GenesisHash.String()
	info := f.obj("getblockchaininfo")
	if info["chain"] != "regtest" || info["blocks"] != 0.0 || info["headers"] != 0.0 || info["bestblockhash"] != genesis ||
		info["initialblockdownload"] != true || info["pruned"] != false || info["warnings"] != "" ||
		len(info["chainwork"].(string)) != 64 || info["size_on_disk"].(float64) <= 0 || info["difficulty"].(float64) <= 0 {
		t.Fatalf("fresh getblockchaininfo %v", info)
	}
	for _, k := range []string{"time", "mediantime", "verificationprogress"} {
		if _, ok := info[k]; !ok {
			t.Errorf("getblockchaininfo lacks %s", k)
		}
	}
	if f.ok("getblockcount") != 0.0 || f.ok("getbestblockhash") != genesis || f.ok("getblockhash", "0") != genesis {
		t.Fatal("fresh chain: count, best hash or hash at 0")
	}
	hashes := f.generate(3)
	info = f.obj("getblockchaininfo")
	if info["blocks"] != 3.0 || info["bestblockhash"] != hashes[2].String() || info["initialblockdownload"] != false ||
		info["verificationprogress"] != 1.0 || info["time"] != float64(f.clock.now().Unix()) {
		t.Fatalf("getblockchaininfo after 3 blocks %v", info)
	}
	if f.ok("getblockcount") != 3.0 || f.ok("getbestblockhash") != hashes[2].String() || f.ok("getblockhash", "2") != hashes[1].String() {
		t.Fatal("count, best hash or hash at 2")
	}
	if d := f.ok("getdifficulty").(float64); d != chain.Difficulty(consensus.RegTestParams.PowLimitBits) {
		t.Fatalf("getdifficulty %v", d)
	}
	for _, h := range []string{"4", "-1", "2147483648"} {
		f.fail(rpc.CodeInvalidParameter, "Block height out of range", "getblockhash", h)
	}
	f.fail(rpc.CodeMisc, "JSON integer out of range", "getblockhash", "1.5")
}

func TestGetBlockAndHeader(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	hashes := f.generate(2)
	h := hashes[0].String()
	raw, err := f.c.BlockBytes(hashes[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"0", "false"} {
		if got := f.ok("getblock", q(h), v); got != hex.EncodeToString(raw) {
			t.Fatalf("getblock %s: %v", v, got)
		}
	}
	for _, v := range []string{"1", "true", "null"} {
		b := f.obj("getblock", q(h), v)
		if b["hash"] != h || b["height"] != 1.0 || b["confirmations"] != 2.0 || b["nTx"] != 1.0 || b["size"] != float64(len(raw)) ||
			b["previousblockhash"] != consensus.RegTestParams.GenesisHash.String() || b["nextblockhash"] != hashes[1].String() {
			t.Fatalf("getblock %s: %v", v, b)
		}
		if _, isStr := b["tx"].([]any)[0].(string); !isStr {
			t.Fatalf("getblock %s: tx entries are not txids", v)
		}
	}
	b := f.obj("getblock", q(h)) // default verbosity 1
	if b["hash"] != h {
		t.Fatalf("getblock default: %v", b)
	}
	for _, v := range []string{"2", "3"} {
		tx := f.obj("getblock", q(h), v)["tx"].([]any)[0].(map[string]any)
		vin := tx["vin"].([]any)[0].(map[string]any)
		vout := tx["vout"].([]any)[0].(map[string]any)
		if vin["coinbase"] == nil || vout["scriptPubKey"].(map[string]any)["address"] != f.addr.String() || tx["hex"] == nil {
			t.Fatalf("getblock %s: tx %v", v, tx)
		}
	}
	hdr := f.obj("getblockheader", q(h))
	if hdr["hash"] != h || hdr["nTx"] != 1.0 || hdr["confirmations"] != 2.0 || hdr["nextblockhash"] != hashes[1].String() {
		t.Fatalf("getblockheader %v", hdr)
	}
	if _, ok := hdr["tx"]; ok {
		t.Fatal("getblockheader has tx")
	}
	if got := f.ok("getblockheader", q(h), "false"); got != hex.EncodeToString(raw[:80]) {
		t.Fatalf("getblockheader false: %v", got)
	}

	unknown := strings.Repeat("ab", 32)
	for _, m := range []string{"getblock", "getblockheader"} {
		f.fail(rpc.CodeInvalidAddressOrKey, "Block not found", m, q(unknown))
		f.fail(rpc.CodeInvalidParameter, "blockhash must be of length 64 (not 3, for 'abc')", m, q("abc"))
		f.fail(rpc.CodeInvalidParameter, "blockhash must be hexadecimal string (not '"+strings.Repeat("zz", 32)+"')", m, q(strings.Repeat("zz", 32)))
	}
	f.fail(rpc.CodeType, "JSON value of type string is not of expected type number", "getblock", q(h), q("1"))
}

func TestChainTipsInvalidateReconsider(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	hashes := f.generate(3)
	tips := f.ok("getchaintips").([]any)
	if len(tips) != 1 || fmt.Sprint(tips[0]) != fmt.Sprint(map[string]any{"height": 3.0, "hash": hashes[2].String(), "branchlen": 0.0, "status": "active"}) {
		t.Fatalf("getchaintips %v", tips)
	}
	if res := f.ok("invalidateblock", q(hashes[1].String())); res != nil {
		t.Fatalf("invalidateblock result %v", res)
	}
	if f.ok("getblockcount") != 1.0 {
		t.Fatal("invalidateblock did not move the tip back")
	}
	tips = f.ok("getchaintips").([]any)
	if len(tips) != 2 || tips[1].(map[string]any)["status"] != "invalid" || tips[1].(map[string]any)["branchlen"] != 2.0 {
		t.Fatalf("getchaintips after invalidateblock %v", tips)
	}
	if hdr := f.obj("getblockheader", q(hashes[2].String())); hdr["confirmations"] != -1.0 {
		t.Fatalf("invalid block's confirmations %v", hdr["confirmations"])
	}
	// A new block on the shorter chain makes a valid tip, then reconsider
	// goes back to the longer chain.
	side := f.generate(1)
	if res := f.ok("reconsiderblock", q(hashes[1].String())); res != nil {
		t.Fatalf("reconsiderblock result %v", res)
	}
	if f.ok("getbestblockhash") != hashes[2].String() {
		t.Fatal("reconsiderblock did not restore the tip")
	}
	tips = f.ok("getchaintips").([]any)
	if len(tips) != 2 || tips[1].(map[string]any)["status"] != "valid-fork" || tips[1].(map[string]any)["hash"] != side[0].String() {
		t.Fatalf("getchaintips after reconsiderblock %v", tips)
	}
	unknown := q(strings.Repeat("00", 31) + "01")
	f.fail(rpc.CodeInvalidAddressOrKey, "Block not found", "invalidateblock", unknown)
	f.fail(rpc.CodeInvalidAddressOrKey, "Block not found", "reconsiderblock", unknown)
	f.fail(rpc.CodeInvalidParameter, "blockhash must be of length 64", "invalidateblock", q("00"))
	f.fail(rpc.CodeDatabase, "cannot invalidate the genesis block", "invalidateblock", q(consensus.RegTestParams.GenesisHash.String()))
}

func TestGetTxOutAndSetInfo(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	hashes := f.generate(101)
	cb := f.block(hashes[0]).Transactions[0]
	txid := cb.TxHash().String()
	out := f.obj("gettxout", q(txid), "0")
	spk := out["scriptPubKey"].(map[string]any)
	if out["bestblock"] != hashes[100].String() || out["confirmations"] != 101.0 || out["value"] != 50.0 || out["coinbase"] != true ||
		spk["address"] != f.addr.String() || spk["type"] != "scripthash" || !strings.HasPrefix(spk["desc"].(string), "addr(") {
		t.Fatalf("gettxout %v", out)
	}
	if f.ok("gettxout", q(txid), "0", "false") == nil {
		t.Fatal("gettxout include_mempool=false")
	}
	if f.ok("gettxout", q(txid), "1") != nil {
		t.Fatal("gettxout of a missing index")
	}
	if f.ok("gettxout", q(strings.Repeat("11", 32)), "0") != nil {
		t.Fatal("gettxout of an unknown tx")
	}
	f.fail(rpc.CodeInvalidParameter, "txid must be of length 64", "gettxout", q("xyz"), "0")
	f.fail(rpc.CodeMisc, "JSON integer out of range", "gettxout", q(txid), "-1")

	info := f.obj("gettxoutsetinfo")
	if info["height"] != 101.0 || info["bestblock"] != hashes[100].String() || info["txouts"] != 101.0 ||
		info["total_amount"] != 5050.0 || len(info[CoinSetDigestName].(string)) != 64 || info["disk_size"].(float64) <= 0 {
		t.Fatalf("gettxoutsetinfo %v", info)
	}
	if none := f.obj("gettxoutsetinfo", q("none")); none[CoinSetDigestName] != nil || none["txouts"] != 101.0 {
		t.Fatalf("gettxoutsetinfo none %v", none)
	}
	f.fail(rpc.CodeInvalidParameter, "hash_serialized_3 is not a valid hash_type", "gettxoutsetinfo", q("hash_serialized_3"))

	// Spend the first coinbase: gettxout answers null for it afterwards.
	spend := f.spendCoinbase(hashes[0], &wire.TxOut{Value: 49_0000_0000, PkScript: f.pkh.ScriptPubKey()})
	f.clock.advance(time.Minute)
	res := f.obj("generateblock", q(f.addr.String()), fmt.Sprintf("[%q]", txHex(spend)))
	if f.ok("gettxout", q(txid), "0") != nil {
		t.Fatal("gettxout of a spent output")
	}
	out = f.obj("gettxout", q(spend.TxHash().String()), "0")
	if out["confirmations"] != 1.0 || out["value"] != 49.0 || out["coinbase"] != false || out["bestblock"] != res["hash"] {
		t.Fatalf("gettxout of the spend %v", out)
	}
	if info := f.obj("gettxoutsetinfo"); info["txouts"] != 102.0 || info["total_amount"] != 5100.0 {
		t.Fatalf("gettxoutsetinfo after the spend %v", info)
	}
}

func TestVerifyChain(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	hashes := f.generate(101)
	spend := f.spendCoinbase(hashes[0], &wire.TxOut{Value: 10_0000_0000, PkScript: f.pkh.ScriptPubKey()},
		&wire.TxOut{Value: 0, PkScript: []byte{0x6a, 0x01, 0x01}})
	f.clock.advance(time.Minute)
	f.obj("generateblock", q(f.addr.String()), fmt.Sprintf("[%q]", txHex(spend)))
	f.generate(2)
	for _, args := range [][]string{nil, {"0"}, {"1"}, {"2"}, {"3", "0"}, {"4", "3"}, {"9", "-5"}, {"-1"}} {
		if got := f.ok("verifychain", args...); got != true {
			t.Errorf("verifychain %v = %v", args, got)
		}
	}
	// A coin set that lost an output the blocks created fails level 3
	// but not level 2.
	lost := wire.OutPoint{Hash: spend.TxHash()}
	broken := &lossyChain{Chain: f.c, lost: lost}
	for level, want := range []bool{true, true, true, false, false} {
		err := verifyChain(t.Context(), broken, true, level, 6)
		if (err == nil) != want {
			t.Errorf("level %d with a lost coin: %v", level, err)
		}
	}
	// A spent output still in the coin set fails level 3 too.
	kept := &lossyChain{Chain: f.c, extra: wire.OutPoint{Hash: f.block(hashes[0]).Transactions[0].TxHash()}}
	if err := verifyChain(t.Context(), kept, true, 3, 6); err == nil {
		t.Error("level 3 with a spent coin present")
	}
	if err := verifyChain(t.Context(), kept, true, 3, 2); err != nil {
		t.Errorf("level 3 over blocks that do not spend the coin: %v", err)
	}
}

// lossyChain is a chain whose coin set hides one coin and shows another
// that is spent, for verifychain's failure path.
type lossyChain struct {
	*chain.Chain
	lost, extra wire.OutPoint
}

func (l *lossyChain) Coin(op wire.OutPoint) (*chain.Coin, error) {
	if op == l.lost {
		return nil, nil
	}
	if op == l.extra {
		return &chain.Coin{Value: 1}, nil
	}
	return l.Chain.Coin(op)
}
