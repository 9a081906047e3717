package main

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// TestStratumBlockReachesPeer has a scripted Stratum miner find a block on
// one node; a second node, connected only over P2P, must accept it as its
// tip, with the coinbase paying the worker.
func TestStratumBlockReachesPeer(t *testing.T) {
	n, addr := startStratumNode(t, t.TempDir())
	listening := p2pAddrRE.FindStringSubmatch(n.d.waitFor(`msg="P2P listening"`))
	if listening == nil {
		t.Fatal("no P2P address logged")
	}
	peer := startP2PNode(t, "--connect", listening[1])
	waitPeers(t, peer, 1)

	m := dialMiner(t, addr)
	payee := regtestAddress(t, 7)
	worker := payee.String() + ".p2p"
	m.subscribeAuthorize(worker)
	hash, cb := m.mineBlock(worker, 0)
	waitTip(t, hash, peer)
	var blk struct {
		Tx []struct {
			Txid string
			Vout []struct {
				ScriptPubKey struct{ Hex string }
			}
		}
	}
	peer.call(&blk, "getblock", hash, 2)
	if len(blk.Tx) == 0 || blk.Tx[0].Txid != cb.TxHash().String() {
		t.Fatalf("the peer's block %s does not hold the miner's coinbase %s: %+v", hash, cb.TxHash(), blk)
	}
	script, _ := hex.DecodeString(blk.Tx[0].Vout[0].ScriptPubKey.Hex)
	if !bytes.Equal(script, payee.ScriptPubKey()) {
		t.Errorf("the peer's block pays %x, want the worker's %x", script, payee.ScriptPubKey())
	}
}
