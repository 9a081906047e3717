package methods

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/miner"
	"github.com/nodecoin/nodecoin/rpc"
)

// build returns an unsolved block on the tip paying to the P2PKH address.
func (f *fixture) build(extraNonce uint64) *wire.Block {
	f.t.Helper()
	b, err := miner.BuildBlock(f.c, f.pkh.ScriptPubKey(), nil, extraNonce, f.clock.now())
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// solved solves b and returns its hex.
func (f *fixture) solved(b *wire.Block) string {
	f.t.Helper()
	if !miner.Solve(&b.Header, 1<<20) {
		f.t.Fatal("cannot solve a regtest block")
	}
	return hex.EncodeToString(b.Serialize())
}

func TestSubmitBlock(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	f.generate(2)
	f.clock.advance(time.Minute)
	good := f.build(1)
	goodHex := f.solved(good)
	if got := f.ok("submitblock", q(goodHex)); got != nil {
		t.Fatalf("submitblock: %v", got)
	}
	if f.ok("getbestblockhash") != good.BlockHash().String() {
		t.Fatal("submitted block is not the tip")
	}
	if got := f.ok("submitblock", q(goodHex), q("ignored")); got != "duplicate" {
		t.Fatalf("submitblock again: %v", got)
	}

	// A bad merkle root.
	f.clock.advance(time.Minute)
	bad := f.build(2)
	bad.Header.MerkleRoot[0] ^= 1
	if got := f.ok("submitblock", q(f.solved(bad))); got != "bad-txnmrklroot" {
		t.Fatalf("bad merkle root: %v", got)
	}
	// A header that misses its target.
	high := f.build(3)
	target, _, _ := consensus.CompactToBig(high.Header.Bits)
	for consensus.HashToBig(high.BlockHash()).Cmp(target) <= 0 {
		high.Header.Nonce++
	}
	if got := f.ok("submitblock", q(hex.EncodeToString(high.Serialize()))); got != "high-hash" {
		t.Fatalf("unsolved block: %v", got)
	}
	// A coinbase paying too much: rejected when connected, then known
	// invalid.
	greedy := f.build(4)
	greedy.Transactions[0].TxOut[0].Value++
	greedy.Header.MerkleRoot, _ = wire.MerkleRoot(greedy.TxHashes())
	greedyHex := f.solved(greedy)
	if got := f.ok("submitblock", q(greedyHex)); got != "bad-cb-amount" {
		t.Fatalf("greedy coinbase: %v", got)
	}
	if got := f.ok("submitblock", q(greedyHex)); got != "duplicate-invalid" {
		t.Fatalf("greedy coinbase again: %v", got)
	}
	// A block whose coinbase carries the wrong height for its parent
	// (built for the tip, put on the tip's parent).
	tipInfo, err := f.c.BlockInfo(f.c.Best().Hash)
	if err != nil {
		t.Fatal(err)
	}
	wrongHeight := f.build(5)
	wrongHeight.Header.PrevBlock = *tipInfo.Previous
	if got := f.ok("submitblock", q(f.solved(wrongHeight))); got != "bad-cb-height" {
		t.Fatalf("block with the wrong BIP34 height: %v", got)
	}
	// A block whose parent is unknown is held: "inconclusive".
	orphan := f.build(6)
	orphan.Header.PrevBlock = wire.Hash{1}
	if got := f.ok("submitblock", q(f.solved(orphan))); got != "inconclusive" {
		t.Fatalf("orphan block: %v", got)
	}

	for _, bad := range []string{"", "zz", "00", goodHex + "00", goodHex[:160]} {
		f.fail(rpc.CodeDeserialization, "Block decode failed", "submitblock", q(bad))
	}
	noCoinbase := f.build(7)
	noCoinbase.Transactions[0] = f.spendCoinbase(f.c.Best().Hash, &wire.TxOut{Value: 1, PkScript: []byte{0x51}})
	f.fail(rpc.CodeDeserialization, "Block does not start with a coinbase", "submitblock", q(hex.EncodeToString(noCoinbase.Serialize())))
}

func TestSubmitBlockSideBranch(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	hashes := f.generate(2)
	// A block at height 2 on block 1, competing with the tip: sane, not
	// in the main chain (equal work, first seen wins).
	f.ok("invalidateblock", q(hashes[1].String()))
	f.clock.advance(time.Minute)
	side := f.build(9)
	f.ok("reconsiderblock", q(hashes[1].String()))
	if f.ok("getbestblockhash") != hashes[1].String() {
		t.Fatal("reconsiderblock")
	}
	if got := f.ok("submitblock", q(f.solved(side))); got != "inconclusive" {
		t.Fatalf("side branch block: %v", got)
	}
	// Stored but never connected: "valid-headers", as in Core.
	tips := f.ok("getchaintips").([]any)
	if len(tips) != 2 || tips[1].(map[string]any)["status"] != "valid-headers" {
		t.Fatalf("getchaintips %v", tips)
	}
}

// shortAddress returns a regtest P2PKH address with a 19-byte payload.
func shortAddress(f *fixture) string {
	return address.CheckEncode(consensus.RegTestParams.AddressPrefixes().PubKeyHash, make([]byte, 19))
}

func TestGenerateToAddress(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	hashes := f.ok("generatetoaddress", "3", q(f.pkh.String())).([]any)
	if len(hashes) != 3 || f.ok("getbestblockhash") != hashes[2] || f.ok("getblockcount") != 3.0 {
		t.Fatalf("generatetoaddress 3: %v", hashes)
	}
	blk := f.obj("getblock", q(hashes[0].(string)), "2")
	vout := blk["tx"].([]any)[0].(map[string]any)["vout"].([]any)[0].(map[string]any)
	if vout["value"] != 50.0 || vout["scriptPubKey"].(map[string]any)["address"] != f.pkh.String() {
		t.Fatalf("generated coinbase %v", vout)
	}
	// maxtries is shared by all the blocks of a call, as in Core; each
	// regtest block takes about two.
	if got := f.ok("generatetoaddress", "30", q(f.pkh.String())).([]any); len(got) != 30 {
		t.Fatalf("generatetoaddress 30: %d blocks", len(got))
	}
	if got := f.ok("generatetoaddress", "30", q(f.pkh.String()), "10").([]any); len(got) == 0 || len(got) > 10 {
		t.Fatalf("generatetoaddress 30 with maxtries 10: %d blocks", len(got))
	}
	if got := f.ok("generatetoaddress", "0", q(f.pkh.String())).([]any); len(got) != 0 {
		t.Fatalf("generatetoaddress 0: %v", got)
	}
	if got := f.ok("generatetoaddress", "2", q(f.pkh.String()), "0").([]any); len(got) != 0 {
		t.Fatalf("generatetoaddress with maxtries 0: %v", got)
	}
	f.fail(rpc.CodeInvalidAddressOrKey, "Error: Invalid address", "generatetoaddress", "1", q("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"))
	f.fail(rpc.CodeInvalidAddressOrKey, "Error: Invalid address", "generatetoaddress", "1", q(""))
	// After invalidating the tip, generation builds a different block at
	// the same height (a fresh extra nonce).
	f.ok("invalidateblock", q(hashes[2].(string)))
	if f.ok("getblockcount") != 2.0 {
		t.Fatal("invalidateblock")
	}
	again := f.ok("generatetoaddress", "1", q(f.pkh.String())).([]any)
	if again[0] == hashes[2] {
		t.Fatalf("regenerated block %v", again)
	}
}

func TestGeneratingIsRegtestOnly(t *testing.T) {
	f := newFixture(t, consensus.MainNetParams, true)
	f.fail(rpc.CodeMethodNotFound, "This method can only be used on regtest", "generatetoaddress", "1", q(f.pkh.String()))
	f.fail(rpc.CodeMethodNotFound, "This method can only be used on regtest", "generateblock", q(f.pkh.String()), "[]")
	if info := f.obj("getblockchaininfo"); info["chain"] != "main" || info["blocks"] != 0.0 {
		t.Fatalf("main getblockchaininfo %v", info)
	}
	if info := f.obj("getmininginfo"); info["chain"] != "main" || info["networkhashps"] != 0.0 {
		t.Fatalf("main getmininginfo %v", info)
	}
}

func TestMiningInfoAndHashPS(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	if info := f.obj("getmininginfo"); info["blocks"] != 0.0 || info["networkhashps"] != 0.0 || info["pooledtx"] != 0.0 ||
		info["chain"] != "regtest" || info["warnings"] != "" || info["difficulty"] == nil {
		t.Fatalf("fresh getmininginfo %v", info)
	}
	f.generate(10) // a minute apart
	// Each regtest block is 2 hashes of work: over 10 blocks in 540 s
	// (the first generated block is a minute after its parent... the
	// window is the last 10 blocks back to genesis, whose time is older).
	hps := f.ok("getnetworkhashps", "5").(float64)
	if want := 5 * 2.0 / 300; hps != want {
		t.Fatalf("getnetworkhashps 5 = %v, want %v", hps, want)
	}
	if hps2 := f.ok("getnetworkhashps", "5", "6").(float64); hps2 != 5*2.0/300 {
		t.Fatalf("getnetworkhashps 5 at 6 = %v", hps2)
	}
	if d := f.ok("getnetworkhashps", "-1").(float64); d != f.ok("getnetworkhashps").(float64) {
		t.Fatal("getnetworkhashps -1 is not the default window")
	}
	if f.ok("getnetworkhashps", "5", "0") != 0.0 {
		t.Fatal("getnetworkhashps at genesis")
	}
	f.fail(rpc.CodeInvalidParameter, "Block does not exist at specified height", "getnetworkhashps", "5", "11")
	f.fail(rpc.CodeInvalidParameter, "Block does not exist at specified height", "getnetworkhashps", "5", "-2")
	info := f.obj("getmininginfo")
	if info["blocks"] != 10.0 || info["networkhashps"].(float64) <= 0 {
		t.Fatalf("getmininginfo %v", info)
	}
}

func TestValidateAddress(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	v := f.obj("validateaddress", q(f.pkh.String()))
	if v["isvalid"] != true || v["address"] != f.pkh.String() || v["scriptPubKey"] != hex.EncodeToString(f.pkh.ScriptPubKey()) ||
		v["isscript"] != false || v["iswitness"] != false {
		t.Fatalf("validateaddress P2PKH %v", v)
	}
	if v := f.obj("validateaddress", q(f.addr.String())); v["isvalid"] != true || v["isscript"] != true {
		t.Fatalf("validateaddress P2SH %v", v)
	}
	for s, want := range map[string]string{
		"":     "Invalid or unsupported Segwit (Bech32) or Base58 encoding.",
		"0OIl": "Invalid or unsupported Segwit (Bech32) or Base58 encoding.",
		"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080": "Invalid or unsupported Segwit (Bech32) or Base58 encoding.",
		f.pkh.String()[:len(f.pkh.String())-1] + "z":   "Invalid checksum or length of Base58 address (P2PKH or P2SH)",
		"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2":           "Invalid or unsupported Base58-encoded address.",
	} {
		v := f.obj("validateaddress", q(s))
		if v["isvalid"] != false || v["error"] != want || len(v["error_locations"].([]any)) != 0 {
			t.Errorf("validateaddress %q: %v, want error %q", s, v, want)
		}
		if _, ok := v["address"]; ok {
			t.Errorf("validateaddress %q: invalid address has an address", s)
		}
	}
	short := strings.TrimSpace(shortAddress(f))
	if v := f.obj("validateaddress", q(short)); v["error"] != "Invalid length for Base58 address (P2PKH or P2SH)" {
		t.Errorf("validateaddress of a 19-byte payload: %v", v)
	}
}
