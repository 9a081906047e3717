package node

import (
	"strings"
	"testing"

	"github.com/nodecoin/nodecoin/miner/stratum"
)

// TestStratumConfig checks the Stratum settings: off by default, a host
// alone takes the network's Stratum port, the defaults, and the refusals.
func TestStratumConfig(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name     string
		cfg      Config
		wantAddr string
		wantErr  string
	}{
		{"off", Config{Network: "regtest"}, "", ""},
		{"host alone, regtest", Config{Network: "regtest", StratumAddr: "127.0.0.1"}, "127.0.0.1:29635", ""},
		{"host alone, test", Config{Network: "test", StratumAddr: "0.0.0.0"}, "0.0.0.0:19635", ""},
		{"host alone, main", Config{Network: "main", StratumAddr: "::1"}, "[::1]:9635", ""},
		{"bracketed IPv6 alone", Config{Network: "main", StratumAddr: "[::1]"}, "[::1]:9635", ""},
		{"name alone", Config{Network: "regtest", StratumAddr: "localhost"}, "localhost:29635", ""},
		{"port 0", Config{Network: "regtest", StratumAddr: "127.0.0.1:0"}, "127.0.0.1:0", ""},
		{"bad address", Config{Network: "regtest", StratumAddr: "a:b:c"}, "", "stratum address"},
		{"bad payout", Config{Network: "regtest", StratumAddr: ":0", StratumPayout: "pps"}, "", "unknown payout mode"},
		{"pplns without wallet", Config{Network: "regtest", StratumAddr: ":0", StratumPayout: "pplns"}, "", "--wallet"},
		{"pplns with wallet", Config{Network: "regtest", StratumAddr: ":0", StratumPayout: "pplns", Wallet: true}, ":0", ""},
		{"min above max", Config{Network: "regtest", StratumAddr: ":0", StratumMinDiff: 5, StratumMaxDiff: 1}, "", "difficulty bounds"},
		{"negative min", Config{Network: "regtest", StratumAddr: ":0", StratumMinDiff: -1}, "", "difficulty bounds"},
		{"window", Config{Network: "regtest", StratumAddr: ":0", StratumPPLNSWindow: -3}, "", "--stratum-pplns-window"},
		{"fee", Config{Network: "regtest", StratumAddr: ":0", StratumOperatorFee: 101}, "", "--stratum-operator-fee"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.DataDir = dir
			n, err := New(tc.cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n.cfg.StratumAddr != tc.wantAddr {
				t.Errorf("address %q, want %q", n.cfg.StratumAddr, tc.wantAddr)
			}
			if tc.wantAddr != "" && (n.cfg.StratumPayout == "" || n.cfg.StratumMinDiff != stratum.DefaultMinDifficulty && tc.cfg.StratumMinDiff == 0 ||
				n.cfg.StratumPPLNSWindow != stratum.DefaultPPLNSWindow) {
				t.Errorf("defaults not filled in: %+v", n.cfg)
			}
		})
	}
}
