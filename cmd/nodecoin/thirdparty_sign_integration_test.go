package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
)

// TestThirdPartySignedTransactionIsMined has python-bitcoinlib sign a
// P2PKH spend of a coinbase the node mined to a key the test holds, and
// has the node mine it: the library's signature hash, DER encoding and
// serialization are the node's.
func TestThirdPartySignedTransactionIsMined(t *testing.T) {
	python, err := bitcoinlibPython()
	if err != nil {
		msg := fmt.Sprintf("python3 with python-bitcoinlib is not available (%v); apt-get install python3-bitcoinlib", err)
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI is set, so the check is required")
		}
		t.Skip(msg)
	}
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
	var mined struct{ Hash string }
	n.call(&mined, "generateblock", dest, []string{rawTx})
	var conf struct {
		BlockHash     string
		Confirmations int
	}
	n.call(&conf, "getrawtransaction", decoded.Txid, true)
	if conf.BlockHash != mined.Hash || conf.Confirmations != 1 {
		t.Fatalf("third-party tx not confirmed in the mined block: %+v, block %s", conf, mined.Hash)
	}
}
