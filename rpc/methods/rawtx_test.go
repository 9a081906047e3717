package methods

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/rpc"
)

func TestGetRawTransaction(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	hashes := f.generate(3)
	cb := f.block(hashes[0]).Transactions[0]
	txid := cb.TxHash().String()
	for _, v := range []string{"0", "false", "null"} {
		if got := f.ok("getrawtransaction", q(txid), v); got != txHex(cb) {
			t.Fatalf("getrawtransaction %s: %v", v, got)
		}
	}
	if got := f.ok("getrawtransaction", q(txid)); got != txHex(cb) {
		t.Fatalf("getrawtransaction default: %v", got)
	}
	for _, v := range []string{"1", "true", "2"} {
		tx := f.obj("getrawtransaction", q(txid), v)
		if tx["txid"] != txid || tx["hash"] != txid || tx["hex"] != txHex(cb) || tx["blockhash"] != hashes[0].String() ||
			tx["confirmations"] != 3.0 || tx["time"] != tx["blocktime"] || tx["time"] == nil || tx["size"] == nil ||
			tx["locktime"] != 0.0 || tx["vin"] == nil || tx["vout"] == nil {
			t.Fatalf("getrawtransaction %s: %v", v, tx)
		}
		if _, ok := tx["in_active_chain"]; ok {
			t.Fatalf("in_active_chain without a block hash")
		}
	}
	tx := f.obj("getrawtransaction", q(txid), "1", q(hashes[0].String()))
	if tx["in_active_chain"] != true || tx["confirmations"] != 3.0 {
		t.Fatalf("getrawtransaction with its block: %v", tx)
	}
	if got := f.ok("getrawtransaction", q(txid), "0", q(hashes[0].String())); got != txHex(cb) {
		t.Fatalf("getrawtransaction hex with its block: %v", got)
	}
	f.fail(rpc.CodeInvalidAddressOrKey, "No such transaction found in the provided block. Use gettransaction for wallet transactions.",
		"getrawtransaction", q(txid), "1", q(hashes[1].String()))
	f.fail(rpc.CodeInvalidAddressOrKey, "Block hash not found", "getrawtransaction", q(txid), "1", q(strings.Repeat("12", 32)))
	f.fail(rpc.CodeInvalidAddressOrKey, "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.",
		"getrawtransaction", q(strings.Repeat("12", 32)))
	f.fail(rpc.CodeInvalidParameter, "parameter 1 must be of length 64 (not 4, for 'abcd')", "getrawtransaction", q("abcd"))
	f.fail(rpc.CodeInvalidParameter, "parameter 3 must be hexadecimal string", "getrawtransaction", q(txid), "1", q(strings.Repeat("g", 64)))
	f.fail(rpc.CodeInvalidAddressOrKey, "The genesis block coinbase is not considered an ordinary transaction",
		"getrawtransaction", q(consensus.RegTestParams.GenesisBlock.Header.MerkleRoot.String()))
	f.fail(rpc.CodeType, "JSON value of type string is not of expected type number", "getrawtransaction", q(txid), q("yes"))

	// Off the main chain: the block's transaction is found with its hash,
	// with confirmations 0 and in_active_chain false.
	f.ok("invalidateblock", q(hashes[0].String()))
	tx = f.obj("getrawtransaction", q(txid), "1", q(hashes[0].String()))
	if tx["in_active_chain"] != false || tx["confirmations"] != 0.0 || tx["time"] != nil || tx["blockhash"] != hashes[0].String() {
		t.Fatalf("getrawtransaction off the main chain: %v", tx)
	}
	f.fail(rpc.CodeInvalidAddressOrKey, "No such mempool or blockchain transaction", "getrawtransaction", q(txid))
}

func TestGetRawTransactionNoTxIndex(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, false)
	hashes := f.generate(1)
	txid := f.block(hashes[0]).Transactions[0].TxHash().String()
	f.fail(rpc.CodeInvalidAddressOrKey, "No such mempool transaction. Use -txindex or provide a block hash to enable blockchain transaction queries.",
		"getrawtransaction", q(txid))
	if tx := f.obj("getrawtransaction", q(txid), "true", q(hashes[0].String())); tx["txid"] != txid {
		t.Fatalf("getrawtransaction with a block hash and no index: %v", tx)
	}
}

func TestDecodeRawTransactionAndScript(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	hashes := f.generate(1)
	cb := f.block(hashes[0]).Transactions[0]
	tx := f.obj("decoderawtransaction", q(txHex(cb)))
	if tx["txid"] != cb.TxHash().String() || tx["hex"] != nil || tx["blockhash"] != nil ||
		tx["vout"].([]any)[0].(map[string]any)["scriptPubKey"].(map[string]any)["address"] != f.addr.String() {
		t.Fatalf("decoderawtransaction %v", tx)
	}
	if f.obj("decoderawtransaction", q(txHex(cb)), "false")["txid"] != cb.TxHash().String() {
		t.Fatal("decoderawtransaction iswitness=false")
	}
	for _, bad := range []string{"zz", "00", txHex(cb) + "00", txHex(cb)[:20], "abc", ""} {
		f.fail(rpc.CodeDeserialization, "TX decode failed", "decoderawtransaction", q(bad))
	}
	f.fail(rpc.CodeDeserialization, "TX decode failed", "decoderawtransaction", q(txHex(cb)), "true")

	pkh := hex.EncodeToString(f.pkh.ScriptPubKey())
	d := f.obj("decodescript", q(pkh))
	if d["type"] != "pubkeyhash" || d["address"] != f.pkh.String() || !strings.HasPrefix(d["asm"].(string), "OP_DUP OP_HASH160") ||
		d["p2sh"] == nil || d["desc"] == nil {
		t.Fatalf("decodescript P2PKH %v", d)
	}
	if d := f.obj("decodescript", q("6a0101")); d["type"] != "nulldata" || d["p2sh"] != nil {
		t.Fatalf("decodescript OP_RETURN %v", d)
	}
	if d := f.obj("decodescript", q("")); d["type"] != "nonstandard" || d["asm"] != "" {
		t.Fatalf("decodescript empty %v", d)
	}
	f.fail(rpc.CodeInvalidParameter, "argument must be hexadecimal string (not 'xyz')", "decodescript", q("xyz"))
}

func TestCreateRawTransaction(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	txid := strings.Repeat("ab", 32)
	in := fmt.Sprintf(`[{"txid":%q,"vout":1}]`, txid)
	addr := f.pkh.String()
	decode := func(h any) *wire.Tx {
		t.Helper()
		raw, err := hex.DecodeString(h.(string))
		if err != nil {
			t.Fatal(err)
		}
		tx, err := wire.DecodeTx(raw)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	tx := decode(f.ok("createrawtransaction", in, fmt.Sprintf(`{%q: 1.5, "data": "cafe"}`, addr)))
	if tx.Version != 2 || tx.LockTime != 0 || len(tx.TxIn) != 1 || tx.TxIn[0].PreviousOutPoint.Index != 1 ||
		tx.TxIn[0].PreviousOutPoint.Hash.String() != txid || tx.TxIn[0].Sequence != 0xffffffff || len(tx.TxIn[0].SignatureScript) != 0 ||
		len(tx.TxOut) != 2 || tx.TxOut[0].Value != 150_000_000 || hex.EncodeToString(tx.TxOut[1].PkScript) != "6a02cafe" {
		t.Fatalf("createrawtransaction %+v", tx)
	}
	// The array form keeps the given order; a locktime makes inputs
	// non-final; replaceable signals BIP125; an explicit sequence wins.
	tx = decode(f.ok("createrawtransaction", fmt.Sprintf(`[{"txid":%q,"vout":0},{"txid":%q,"vout":2,"sequence":7}]`, txid, txid),
		fmt.Sprintf(`[{"data":"00"},{%q:"0.00000001"},{%q:2}]`, addr, f.addr.String()), "500"))
	if tx.LockTime != 500 || tx.TxIn[0].Sequence != 0xfffffffe || tx.TxIn[1].Sequence != 7 || tx.TxOut[0].Value != 0 ||
		tx.TxOut[1].Value != 1 || tx.TxOut[2].Value != 200_000_000 {
		t.Fatalf("createrawtransaction array form %+v", tx)
	}
	if tx = decode(f.ok("createrawtransaction", in, "{}", "0", "true")); tx.TxIn[0].Sequence != 0xfffffffd {
		t.Fatalf("replaceable sequence %x", tx.TxIn[0].Sequence)
	}
	if tx = decode(f.ok("createrawtransaction", "[]", "[]")); len(tx.TxIn) != 0 || len(tx.TxOut) != 0 {
		t.Fatalf("empty transaction %+v", tx)
	}

	out := fmt.Sprintf(`{%q: 1}`, addr)
	for _, c := range []struct {
		code        int
		msg         string
		ins, outs   string
		more        []string
		description string
	}{
		{rpc.CodeInvalidAddressOrKey, "Invalid nodecoin address: 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", in, `{"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2": 1}`, nil, "Bitcoin address"},
		{rpc.CodeInvalidAddressOrKey, "Invalid nodecoin address: nope", in, `[{"nope": 1}]`, nil, "garbage address"},
		{rpc.CodeInvalidParameter, "Invalid parameter, duplicated address: " + addr, in, fmt.Sprintf(`{%q: 1, %q: 2}`, addr, addr), nil, "duplicate"},
		{rpc.CodeInvalidParameter, "Invalid parameter, duplicate key: data", in, `[{"data":"00"},{"data":"01"}]`, nil, "two data"},
		{rpc.CodeInvalidParameter, "Data must be hexadecimal string (not 'xx')", in, `{"data":"xx"}`, nil, "bad data"},
		{rpc.CodeType, "Invalid amount", in, fmt.Sprintf(`{%q: "abc"}`, addr), nil, "bad amount"},
		{rpc.CodeType, "Invalid amount", in, fmt.Sprintf(`{%q: 0.000000001}`, addr), nil, "nine decimals"},
		{rpc.CodeType, "Amount out of range", in, fmt.Sprintf(`{%q: -1}`, addr), nil, "negative amount"},
		{rpc.CodeType, "Amount out of range", in, fmt.Sprintf(`{%q: 210000001}`, addr), nil, "too much"},
		{rpc.CodeType, "Amount is not a number or string", in, fmt.Sprintf(`{%q: true}`, addr), nil, "bool amount"},
		{rpc.CodeInvalidParameter, "Invalid parameter, key-value pair must contain exactly one key", in, fmt.Sprintf(`[{%q: 1, "data": "00"}]`, addr), nil, "two keys"},
		{rpc.CodeInvalidParameter, "Invalid parameter, key-value pair not an object as expected", in, `[1]`, nil, "not an object"},
		{rpc.CodeInvalidParameter, "Invalid parameter, output argument must be non-null", in, `null`, nil, "null outputs"},
		{rpc.CodeType, "JSON value of type string is not of expected type array", in, `"x"`, nil, "string outputs"},
		{rpc.CodeInvalidParameter, "Invalid parameter, missing vout key", fmt.Sprintf(`[{"txid":%q}]`, txid), out, nil, "no vout"},
		{rpc.CodeInvalidParameter, "Invalid parameter, vout cannot be negative", fmt.Sprintf(`[{"txid":%q,"vout":-1}]`, txid), out, nil, "negative vout"},
		{rpc.CodeInvalidParameter, "txid must be of length 64 (not 2, for 'ab')", `[{"txid":"ab","vout":0}]`, out, nil, "short txid"},
		{rpc.CodeType, "JSON value of type null is not of expected type string", `[{"vout":0}]`, out, nil, "no txid"},
		{rpc.CodeType, "JSON value of type number is not of expected type object", `[1]`, out, nil, "input not an object"},
		{rpc.CodeInvalidParameter, "Invalid parameter, sequence number is out of range", fmt.Sprintf(`[{"txid":%q,"vout":0,"sequence":4294967296}]`, txid), out, nil, "sequence"},
		{rpc.CodeInvalidParameter, "Invalid parameter, locktime out of range", in, out, []string{"-1"}, "locktime"},
		{rpc.CodeInvalidParameter, "Invalid parameter combination: Sequence number(s) contradict replaceable option",
			fmt.Sprintf(`[{"txid":%q,"vout":0,"sequence":4294967295}]`, txid), out, []string{"0", "true"}, "rbf"},
	} {
		t.Run(c.description, func(t *testing.T) {
			f.t = t
			f.fail(c.code, c.msg, "createrawtransaction", append([]string{c.ins, c.outs}, c.more...)...)
		})
	}
}

func TestGenerateBlockWithTransactions(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	hashes := f.generate(101)
	spend := f.spendCoinbase(hashes[0], &wire.TxOut{Value: 40_0000_0000, PkScript: f.pkh.ScriptPubKey()})

	// submit=false: a solved block with the transaction, not stored.
	f.clock.advance(time.Minute)
	res := f.obj("generateblock", q(f.addr.String()), fmt.Sprintf("[%q]", txHex(spend)), "false")
	raw, err := hex.DecodeString(res["hex"].(string))
	if err != nil {
		t.Fatal(err)
	}
	blk, err := wire.DecodeBlock(raw)
	if err != nil || blk.BlockHash().String() != res["hash"] || len(blk.Transactions) != 2 ||
		blk.Transactions[0].TxOut[0].Value != 60_0000_0000 || blk.Transactions[1].TxHash() != spend.TxHash() {
		t.Fatalf("generateblock submit=false: %v %+v", err, blk)
	}
	if f.ok("getblockcount") != 101.0 {
		t.Fatal("generateblock submit=false stored the block")
	}
	// submitblock takes it.
	if got := f.ok("submitblock", q(res["hex"].(string))); got != nil {
		t.Fatalf("submitblock of generateblock's block: %v", got)
	}
	tx := f.obj("getrawtransaction", q(spend.TxHash().String()), "1")
	if tx["blockhash"] != res["hash"] || tx["confirmations"] != 1.0 {
		t.Fatalf("getrawtransaction of the included tx %v", tx)
	}
	// The same spend again: its input is gone.
	f.fail(rpc.CodeVerify, "TestBlockValidity failed: bad-txns-inputs-missingorspent", "generateblock", q(f.addr.String()),
		fmt.Sprintf("[%q]", txHex(spend)))
	f.fail(rpc.CodeInvalidAddressOrKey, "Transaction not in mempool", "generateblock", q(f.addr.String()),
		fmt.Sprintf("[%q]", spend.TxHash().String()))
	f.fail(rpc.CodeDeserialization, "Transaction decode failed for 00", "generateblock", q(f.addr.String()), `["00"]`)
	f.fail(rpc.CodeType, "JSON value of type number is not of expected type string", "generateblock", q(f.addr.String()), `[1]`)
	f.fail(rpc.CodeInvalidAddressOrKey, "Error: Invalid address or descriptor", "generateblock", q("raw(51)"), `[]`)
	// A transaction breaking a consensus rule (creating money).
	greedy := f.spendCoinbase(hashes[1], &wire.TxOut{Value: 60_0000_0000, PkScript: f.pkh.ScriptPubKey()})
	f.fail(rpc.CodeVerify, "TestBlockValidity failed: bad-txns-in-belowout", "generateblock", q(f.addr.String()),
		fmt.Sprintf("[%q]", txHex(greedy)))
	if f.ok("getblockcount") != 102.0 {
		t.Fatal("a failed generateblock moved the tip")
	}
	// Empty block, submitted.
	res = f.obj("generateblock", q(f.pkh.String()), "[]")
	if f.ok("getbestblockhash") != res["hash"] || res["hex"] != nil {
		t.Fatalf("generateblock of an empty block: %v", res)
	}
}
