package main

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nodecoin/nodecoin/chain/consensus"
)

// TestThirdPartyP2PSync has python-bitcoinlib, another implementation of
// the Bitcoin protocol set up with nodecoin's magic, sync a nodecoin node's
// 1,200-block chain over P2P, once headers-first (getheaders, getdata) and
// once the older way (getblocks, inv, getdata, with the node's inv of its
// tip after the last block of each full inv). The script checks every
// header's link and proof of work and every block's merkle root; both
// ways must end at the node's tip.
func TestThirdPartyP2PSync(t *testing.T) {
	python := needBitcoinlib(t)
	const height = 1200            // three getblocks invs of up to 500, one headers message of up to 2,000
	blocks := testChain(t, height) // heights 1 to 1,200
	n := startP2PNode(t, "--loadblock", writeBlocks(t, blocks))
	host, port, err := net.SplitHostPort(n.p2p)
	if err != nil {
		t.Fatal(err)
	}
	want := blocks[height-1].BlockHash().String()
	waitTip(t, want, n)
	p := consensus.RegTestParams
	for _, mode := range []string{"headers", "getblocks"} {
		out, err := exec.Command(python, filepath.Join("testdata", "thirdparty_p2p_sync.py"),
			host, port, fmt.Sprintf("%x", p.Magic[:]), p.GenesisHash.String(), mode).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: thirdparty_p2p_sync.py: %v\n%s\nnode log:\n%s", mode, err, out, n.d.log())
		}
		t.Logf("%s: %s", mode, bytes.TrimSpace(out))
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if got, exp := lines[len(lines)-1], fmt.Sprintf("synced %d %s", height, want); got != exp {
			t.Fatalf("%s: python-bitcoinlib says %q, want %q\n%s", mode, got, exp, out)
		}
	}
}
