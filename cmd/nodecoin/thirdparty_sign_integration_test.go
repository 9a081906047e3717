package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
)

// TestThirdPartySignedTransactionIsMined has python-bitcoinlib sign a
// P2PKH spend of a coinbase the node mined to a key the test holds, sends
// it with sendrawtransaction, and has the node mine it from its mempool:
// the library's signature hash, DER encoding and serialization are the
// node's, and the transaction meets the node's policy.
func TestThirdPartySignedTransactionIsMined(t *testing.T) {
	python := needBitcoinlib(t)
	prefixes := consensus.RegTestParams.AddressPrefixes()
	key, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	wif, err := address.NewWIF(key, true, prefixes)
	if err != nil {
		t.Fatal(err)
	}
	payTo, err := address.NewAddressPubKeyHashFromPubKey(key.PubKey().SerializeCompressed(), prefixes)
	if err != nil {
		t.Fatal(err)
	}
	n := startRPCNode(t)
	n.call(nil, "generatetoaddress", 101, payTo.String())
	var first string
	n.call(&first, "getblockhash", 1)
	var blk struct{ Tx []string }
	n.call(&blk, "getblock", first, 1)

	dest := opTrueP2SH(t).String()
	out, err := exec.Command(python, filepath.Join("testdata", "thirdparty_sign.py"), wif.Encode(), blk.Tx[0], "0",
		"5000000000", dest, "10000").CombinedOutput()
	if err != nil {
		t.Fatalf("thirdparty_sign.py: %v\n%s", err, out)
	}
	rawTx := strings.TrimSpace(string(out))
	var decoded struct {
		Txid string
		Vin  []struct{ Txid string }
	}
	n.call(&decoded, "decoderawtransaction", rawTx)
	if len(decoded.Vin) != 1 || decoded.Vin[0].Txid != blk.Tx[0] {
		t.Fatalf("decoded third-party tx %+v", decoded)
	}
	var txid string
	if n.call(&txid, "sendrawtransaction", rawTx); txid != decoded.Txid {
		t.Fatalf("sendrawtransaction returned %s, want %s", txid, decoded.Txid)
	}
	var entry struct{ Fees struct{ Base float64 } }
	if n.call(&entry, "getmempoolentry", txid); entry.Fees.Base != 0.0001 {
		t.Fatalf("mempool entry fee %v, want 0.0001", entry.Fees.Base)
	}
	var mined []string
	n.call(&mined, "generatetoaddress", 1, dest)
	var conf struct {
		BlockHash     string
		Confirmations int
	}
	n.call(&conf, "getrawtransaction", txid, true)
	if conf.BlockHash != mined[0] || conf.Confirmations != 1 {
		t.Fatalf("third-party tx not confirmed in the mined block: %+v, block %s", conf, mined[0])
	}
	var pool []string
	if n.call(&pool, "getrawmempool"); len(pool) != 0 {
		t.Fatalf("mempool after mining %v", pool)
	}
}
