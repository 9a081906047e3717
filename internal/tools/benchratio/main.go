// Command benchratio reads `go test -bench` output on standard input and
// prints each figure the project tracks as a ratio against the baseline
// benchmark measured in the same run, since absolute numbers drift on shared
// machines. `make bench` pipes its output here.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// figure is a tracked ratio: the rate of Bench over the rate of Baseline
// (both measured per operation on the same work), against a target.
type figure struct {
	Name     string
	Bench    string
	Baseline string
	Target   float64 // minimum acceptable ratio; 0 means report only
}

var figures = []figure{
	{"P2PKH input verification (script+sighash+ECDSA) vs bare btcec ECDSA verify",
		"BenchmarkP2PKHVerify", "BenchmarkECDSAVerifyBare", 0.85},
	{"Mempool acceptance of one-input P2PKH txs (in-process) vs raw ECDSA verify of the same signatures",
		"BenchmarkAcceptP2PKH", "BenchmarkECDSAVerifyRawSameSigs", 0.7},
	{"Connecting a 500-tx block whose txs were in the pool (sig cache warm) vs the same block cold",
		"BenchmarkConnectBlockWarm", "BenchmarkConnectBlockCold", 0},
	{"Wallet getbalance with 100,000 UTXOs vs a plain LevelDB scan of 100,000 coin entries",
		"BenchmarkWalletGetBalance", "BenchmarkLevelDBScan100kCoins", 0},
	{"Wallet listunspent of 100,000 UTXOs vs a plain LevelDB scan of 100,000 coin entries",
		"BenchmarkWalletListUnspent", "BenchmarkLevelDBScan100kCoins", 0},
	{"Grinder hash (crypto/sha256 from a saved midstate) vs crypto/sha256 double hash of the whole header",
		"BenchmarkGrindHashStdlib", "BenchmarkCryptoSHA256d", 0},
	{"Portable midstate SHA-256d per nonce vs crypto/sha256 double hash of the header",
		"BenchmarkGrindHash", "BenchmarkCryptoSHA256d", 0},
	{"Grinder, one thread, on the path timed fastest here, vs crypto/sha256 double hash of the header",
		"BenchmarkGrind1Thread", "BenchmarkCryptoSHA256d", 4.5},
	{"SHA-NI scanner, one thread, vs crypto/sha256 double hash of the header",
		"BenchmarkScan/sha-ni", "BenchmarkCryptoSHA256d", 0},
	{"AVX-512 scanner (16 lanes), one thread, vs crypto/sha256 double hash of the header",
		"BenchmarkScan/avx-512", "BenchmarkCryptoSHA256d", 0},
	{"AVX2 scanner (8 lanes: CPUs without SHA-NI or AVX-512), one thread, vs crypto/sha256 double hash",
		"BenchmarkScan/avx2", "BenchmarkCryptoSHA256d", 0},
	{"Grinder scaling: two threads vs one thread",
		"BenchmarkGrind2Threads", "BenchmarkGrind1Thread", 1.9},
	{"1 MB block decode+hash vs one SHA-256 over the same bytes",
		"BenchmarkDecodeHashBlock", "BenchmarkSHA256Block", 0},
	{"Stratum share validation (coinbase, 10-level merkle branch, header, SHA-256d, target) vs crypto/sha256 double hash of the header",
		"BenchmarkStratumShareValidate", "BenchmarkStratumSHA256dHeader", 0},
	{"Stratum share validation vs the grinder's own rate on one thread (its fastest path here)",
		"BenchmarkStratumShareValidate", "BenchmarkGrind1Thread", 0},
	{"Stratum submit handler (params, job, share, duplicate, vardiff, stats, LevelDB record) vs crypto/sha256 double hash of the header",
		"BenchmarkStratumSubmit", "BenchmarkStratumSHA256dHeader", 0},
	{"JSON-RPC call (auth, decode, dispatch, encode; 32 keep-alive clients) vs bare net/http reply",
		"BenchmarkRPCGetBlockCount", "BenchmarkHTTPBare", 0.5},
}

// limit is a tracked figure reported by a benchmark in a unit of its own
// (b.ReportMetric), against an upper bound.
type limit struct {
	Name  string
	Bench string
	Unit  string
	Max   float64
}

var limits = []limit{
	{"New tip to every mining thread grinding a block built on it, p99", "BenchmarkTipToWork", "p99-ms", 50},
	{"New tip to every mining thread grinding a block built on it, p50", "BenchmarkTipToWork", "p50-ms", 50},
	{"The same with 5,000 transactions in the pool, p99", "BenchmarkTipToWorkFullPool", "p99-ms", 50},
	{"The same with 5,000 transactions in the pool, p50", "BenchmarkTipToWorkFullPool", "p50-ms", 50},
}

// parse collects ns/op per benchmark name (the -GOMAXPROCS suffix removed),
// keeping the fastest of repeated runs (-count): on a shared machine the
// slow runs are the ones other work disturbed.
func parse(r io.Reader) (nsPerOp map[string]float64, metrics map[string]float64, err error) {
	nsPerOp, metrics = map[string]float64{}, map[string]float64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := fields[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		for i := 2; i+1 < len(fields); i++ {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue // not a value: a unit, or the iteration count's neighbour
			}
			m, key := nsPerOp, name
			if fields[i+1] != "ns/op" {
				m, key = metrics, name+" "+fields[i+1]
			}
			if old, ok := m[key]; !ok || v < old {
				m[key] = v
			}
		}
	}
	return nsPerOp, metrics, sc.Err()
}

func main() {
	ns, metrics, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(2)
	}
	fmt.Println("\nFigures (rate of benchmark / rate of baseline, same run):")
	failed := false
	for _, f := range figures {
		b, okB := ns[f.Bench]
		base, okBase := ns[f.Baseline]
		if !okB || !okBase {
			fmt.Printf("  %-75s missing (%s or %s not run)\n", f.Name, f.Bench, f.Baseline)
			continue
		}
		ratio := base / b
		verdict := ""
		if f.Target > 0 {
			verdict = fmt.Sprintf("target >= %.2f: ok", f.Target)
			if ratio < f.Target {
				verdict = fmt.Sprintf("target >= %.2f: BELOW", f.Target)
				failed = true
			}
		}
		fmt.Printf("  %-75s %.3f  (%.0f ns/op vs %.0f ns/op)  %s\n", f.Name, ratio, b, base, verdict)
	}
	fmt.Println("\nFigures with a bound of their own (best of the runs):")
	for _, l := range limits {
		v, ok := metrics[l.Bench+" "+l.Unit]
		if !ok {
			fmt.Printf("  %-75s missing (%s not run)\n", l.Name, l.Bench)
			continue
		}
		verdict := fmt.Sprintf("bound <= %g: ok", l.Max)
		if v > l.Max {
			verdict = fmt.Sprintf("bound <= %g: ABOVE", l.Max)
			failed = true
		}
		fmt.Printf("  %-75s %g %s  %s\n", l.Name, v, l.Unit, verdict)
	}
	if failed {
		os.Exit(1)
	}
}
