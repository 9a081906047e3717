package main

import (
	"bytes"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// stratumClientDir holds the third-party Stratum client's script and its
// npm dependencies (`npm ci` there installs them; .ci/run does).
var stratumClientDir = filepath.Join("testdata", "stratum-client")

// TestThirdPartyStratumClient has stratum-client, a Stratum client from
// npm that knows nothing of nodecoin, subscribe, authorize, take a job and
// submit a block through a real daemon's Stratum server (the script
// assembles the header from the job as any Stratum miner does); the node
// must accept the block, paying the worker's address.
func TestThirdPartyStratumClient(t *testing.T) {
	nodeJS, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(stratumClientDir, "node_modules", "stratum-client"))
	}
	if err != nil {
		msg := "node or the stratum-client npm package is not installed (apt-get install nodejs npm; npm ci --prefix " +
			stratumClientDir + "): " + err.Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI is set, so the check is required")
		}
		t.Skip(msg)
	}
	n, addr := startStratumNode(t, t.TempDir())
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	payee := regtestAddress(t, 9)
	out, err := exec.Command(nodeJS, filepath.Join(stratumClientDir, "mine.js"), host, port, payee.String()+".npm").CombinedOutput()
	if err != nil {
		t.Fatalf("stratum-client: %v\n%s\nnode log:\n%s", err, out, n.d.log())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	hash, ok := strings.CutPrefix(lines[len(lines)-1], "accepted ")
	if !ok {
		t.Fatalf("stratum-client: %s", out)
	}
	var best string
	n.call(&best, "getbestblockhash")
	if best != hash {
		t.Fatalf("the node's tip is %s, the client's block %s", best, hash)
	}
	var blk struct {
		Tx []struct {
			Vout []struct {
				ScriptPubKey struct{ Hex string }
			}
		}
	}
	n.call(&blk, "getblock", hash, 2)
	script, _ := hex.DecodeString(blk.Tx[0].Vout[0].ScriptPubKey.Hex)
	if !bytes.Equal(script, payee.ScriptPubKey()) {
		t.Errorf("the block pays %x, want the worker's %x", script, payee.ScriptPubKey())
	}
}
