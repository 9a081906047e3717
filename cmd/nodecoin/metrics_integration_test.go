package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

var metricsAddrField = regexp.MustCompile(`msg="metrics server listening".* addr=(\S+)`)

// scrapeMetrics returns the exposition of d's metrics server.
func scrapeMetrics(t *testing.T, d *daemon) []byte {
	t.Helper()
	m := metricsAddrField.FindStringSubmatch(d.waitFor("metrics server listening"))
	if m == nil {
		t.Fatal("no metrics address in the log")
	}
	resp, err := http.Get("http://" + m[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// TestMetricsOfARunningNode scrapes a real daemon after it mined blocks,
// answered RPC calls and rejected a block: the series reflect them, and the
// whole exposition is clean under promtool.
func TestMetricsOfARunningNode(t *testing.T) {
	n := startRPCNode(t)
	n.call(nil, "generatetoaddress", 7, opTrueP2SH(t).String())
	var hash string
	n.call(&hash, "getblockhash", 3)
	n.raw("getblockhash", "[99]") // an RPC error, counted by code
	// A block that breaks a rule: block 3 again with a bad version.
	var raw string
	n.call(&raw, "getblock", hash, 0)
	bad := "03000000" + raw[8:] // version 3: rejected before its PoW matters
	n.raw("submitblock", `["`+bad+`"]`)

	body := scrapeMetrics(t, n.d)
	text := string(body)
	for _, want := range []string{
		"nodecoin_chain_height 7\n",
		"nodecoin_chain_blocks_connected_total 7\n",
		`nodecoin_rpc_requests_total{method="generatetoaddress",result="ok"} 1`,
		`nodecoin_rpc_requests_total{method="getblockhash",result="-8"} 1`,
		`nodecoin_chain_blocks_rejected_total{reason="`,
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool not installed (Debian package prometheus); CI must install it")
		}
		t.Skip("promtool not installed (Debian package prometheus)")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}
