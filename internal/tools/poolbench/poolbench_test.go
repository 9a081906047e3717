package main

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// figureRE matches the figure line and captures the accounted MiB, the
// transaction count and the two ratios.
var figureRE = regexp.MustCompile(`^figure mempool memory: pool accounts ([0-9.]+) MiB \((\d+) txs, [0-9.]+ MiB serialized\); ` +
	`process RSS grew by -?[0-9.]+ MiB, live heap by -?[0-9.]+ MiB: ratio RSS/accounting (-?[0-9.]+), heap/accounting (-?[0-9.]+) \(report only\)\n$`)

// TestFiveMiBPool runs the whole measurement on a 5 MiB pool: the chain is
// built, the spends signed and fed until the pool is full (run fails
// otherwise), and the figure line is printed.
func TestFiveMiBPool(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(options{dir: t.TempDir(), maxMempoolMiB: 5, progress: time.Second}, &out, &errOut)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	m := figureRE.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("output %q does not match %s", out.String(), figureRE)
	}
	if u, _ := strconv.ParseFloat(m[1], 64); u < 5*fullFraction || u > 5 {
		t.Errorf("pool accounts %v MiB, want between %.2f and 5", u, 5*fullFraction)
	}
	if n, _ := strconv.Atoi(m[2]); n < 5000 {
		t.Errorf("%d transactions in a full 5 MiB pool", n)
	}
	if heap, _ := strconv.ParseFloat(m[4], 64); heap < 0.5 || heap > 3 {
		t.Errorf("heap/accounting ratio %v is implausible", heap)
	}
	t.Logf("%s%s", errOut.String(), out.String())
}

// TestRefusesBadBudget refuses a pool of no memory.
func TestRefusesBadBudget(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(options{dir: t.TempDir(), maxMempoolMiB: 0}, &out, &errOut); err == nil {
		t.Error("-maxmempool 0 was accepted")
	}
}
