package metrics

import (
	"math"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

// fakeChain is a ChainSource with fixed answers.
type fakeChain struct {
	mu    sync.Mutex
	best  chain.BestState
	cache chain.CacheStats
	size  int64
	calls int // Best calls
}

func (f *fakeChain) Best() chain.BestState {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return f.best
}

func (f *fakeChain) CacheStats() chain.CacheStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cache
}

func (f *fakeChain) SizeOnDisk() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.size
}

// newFakeChain returns a chain at height 1234 with a work of 2^80+1.
func newFakeChain() *fakeChain {
	work := new(big.Int).Lsh(big.NewInt(1), 80)
	work.Add(work, big.NewInt(1))
	return &fakeChain{
		best: chain.BestState{Height: 1234, HeadersHeight: 1240, Time: 1_700_000_000, Bits: 0x1b0404cb,
			ChainWork: work},
		cache: chain.CacheStats{Bytes: 5 << 20, Entries: 4321, HitRatio: 0.75},
		size:  987654321,
	}
}

// gather returns the registry's families by name.
func gather(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	byName := make(map[string]*dto.MetricFamily, len(fams))
	for _, f := range fams {
		byName[f.GetName()] = f
	}
	return byName
}

// gaugeValue returns the value of the single gauge of the named family.
func gaugeValue(t *testing.T, fams map[string]*dto.MetricFamily, name string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no series %s", name)
	}
	if f.GetType() != dto.MetricType_GAUGE || len(f.GetMetric()) != 1 {
		t.Fatalf("%s: type %v with %d series, want one gauge", name, f.GetType(), len(f.GetMetric()))
	}
	return f.GetMetric()[0].GetGauge().GetValue()
}

func TestChainGauges(t *testing.T) {
	fc := newFakeChain()
	m := New(fc)
	fams := gather(t, m)
	for name, want := range map[string]float64{
		"nodecoin_chain_height":                       1234,
		"nodecoin_chain_headers_height":               1240,
		"nodecoin_chain_best_block_timestamp_seconds": 1_700_000_000,
		"nodecoin_chain_difficulty":                   chain.Difficulty(0x1b0404cb),
		"nodecoin_chain_work_hashes":                  math.Ldexp(1, 80), // 2^80+1 rounds to 2^80
		"nodecoin_chain_size_on_disk_bytes":           987654321,
		"nodecoin_coin_cache_size_bytes":              5 << 20,
		"nodecoin_coin_cache_entries":                 4321,
		"nodecoin_coin_cache_hit_ratio":               0.75,
	} {
		if got := gaugeValue(t, fams, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if d := gaugeValue(t, fams, "nodecoin_chain_difficulty"); d < 16307 || d > 16308 {
		t.Errorf("difficulty of 0x1b0404cb = %v, want about 16307.42 (mainnet block 100000)", d)
	}
	if fc.calls != 1 {
		t.Errorf("a scrape called Best %d times, want once (one consistent snapshot)", fc.calls)
	}
	// The gauges follow the chain between scrapes.
	fc.mu.Lock()
	fc.best.Height = 1235
	fc.mu.Unlock()
	if got := gaugeValue(t, gather(t, m), "nodecoin_chain_height"); got != 1235 {
		t.Errorf("height after the tip moved = %v, want 1235", got)
	}
	bi := gather(t, m)["nodecoin_build_info"]
	if bi == nil || bi.GetMetric()[0].GetGauge().GetValue() != 1 {
		t.Errorf("nodecoin_build_info missing or not 1: %v", bi)
	}
}

func TestChainGaugesWithoutChain(t *testing.T) {
	m := New(nil)
	m.BlockValidated(time.Millisecond)
	fams := gather(t, m)
	if _, ok := fams["nodecoin_chain_height"]; ok {
		t.Error("chain height reported before a chain was set")
	}
	if _, ok := fams["nodecoin_chain_block_validation_duration_seconds"]; !ok {
		t.Error("validation histogram missing without a chain")
	}
	fc := newFakeChain()
	m.SetChain(fc)
	if got := gaugeValue(t, gather(t, m), "nodecoin_chain_height"); got != 1234 {
		t.Errorf("height after SetChain = %v", got)
	}
	m.SetChain(nil)
	if _, ok := gather(t, m)["nodecoin_chain_height"]; ok {
		t.Error("chain height reported after SetChain(nil)")
	}
	// A chain with no work yet reports no work gauge rather than failing.
	m.SetChain(&fakeChain{})
	fams = gather(t, m)
	if _, ok := fams["nodecoin_chain_work_hashes"]; ok {
		t.Error("work reported for a nil ChainWork")
	}
	if got := gaugeValue(t, fams, "nodecoin_chain_difficulty"); got != 0 {
		t.Errorf("difficulty of bits 0 = %v", got)
	}
}

func TestObserverAndNotifications(t *testing.T) {
	m := New(newFakeChain())
	var obs chain.Observer = m // the node passes it as chain.Config.Observer
	obs.BlockValidated(3 * time.Millisecond)
	obs.BlockValidated(2 * time.Second)
	obs.BlockRejected("high-hash")
	obs.BlockRejected("high-hash")
	obs.BlockRejected("bad-txns-inputs-missingorspent")
	obs.Reorganized(1)
	obs.Reorganized(7)
	for i := 0; i < 5; i++ {
		m.OnNotification(chain.Notification{Type: chain.BlockConnected, Height: int32(i)})
	}
	m.OnNotification(chain.Notification{Type: chain.BlockDisconnected})
	m.OnNotification(chain.Notification{Type: chain.NotificationType(99)}) // ignored

	if got := testutil.ToFloat64(m.blocksConnected); got != 5 {
		t.Errorf("blocks connected = %v, want 5", got)
	}
	if got := testutil.ToFloat64(m.blocksDisconnected); got != 1 {
		t.Errorf("blocks disconnected = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.blocksRejected.WithLabelValues("high-hash")); got != 2 {
		t.Errorf("rejected high-hash = %v, want 2", got)
	}
	want := `
# HELP nodecoin_chain_blocks_rejected_total Blocks that broke a consensus rule since start, by Bitcoin Core's reject reason.
# TYPE nodecoin_chain_blocks_rejected_total counter
nodecoin_chain_blocks_rejected_total{reason="bad-txns-inputs-missingorspent"} 1
nodecoin_chain_blocks_rejected_total{reason="high-hash"} 2
# HELP nodecoin_chain_reorg_depth_blocks Blocks disconnected by each reorganisation of the main chain.
# TYPE nodecoin_chain_reorg_depth_blocks histogram
nodecoin_chain_reorg_depth_blocks_bucket{le="1"} 1
nodecoin_chain_reorg_depth_blocks_bucket{le="2"} 1
nodecoin_chain_reorg_depth_blocks_bucket{le="3"} 1
nodecoin_chain_reorg_depth_blocks_bucket{le="5"} 1
nodecoin_chain_reorg_depth_blocks_bucket{le="10"} 2
nodecoin_chain_reorg_depth_blocks_bucket{le="20"} 2
nodecoin_chain_reorg_depth_blocks_bucket{le="50"} 2
nodecoin_chain_reorg_depth_blocks_bucket{le="100"} 2
nodecoin_chain_reorg_depth_blocks_bucket{le="200"} 2
nodecoin_chain_reorg_depth_blocks_bucket{le="500"} 2
nodecoin_chain_reorg_depth_blocks_bucket{le="1000"} 2
nodecoin_chain_reorg_depth_blocks_bucket{le="2000"} 2
nodecoin_chain_reorg_depth_blocks_bucket{le="+Inf"} 2
nodecoin_chain_reorg_depth_blocks_sum 8
nodecoin_chain_reorg_depth_blocks_count 2
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"nodecoin_chain_blocks_rejected_total", "nodecoin_chain_reorg_depth_blocks"); err != nil {
		t.Error(err)
	}
	h := gather(t, m)["nodecoin_chain_block_validation_duration_seconds"].GetMetric()[0].GetHistogram()
	if h.GetSampleCount() != 2 || math.Abs(h.GetSampleSum()-2.003) > 1e-9 {
		t.Errorf("validation histogram count %d sum %v, want 2 and 2.003", h.GetSampleCount(), h.GetSampleSum())
	}
	for _, b := range h.GetBucket() {
		var want uint64
		switch {
		case b.GetUpperBound() >= 2:
			want = 2
		case b.GetUpperBound() >= 0.003:
			want = 1
		}
		if b.GetCumulativeCount() != want {
			t.Errorf("validation bucket le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}
}

func TestRejectReasonsBounded(t *testing.T) {
	m := New(nil)
	m.BlockRejected("")
	m.BlockRejected("bad reason with spaces")
	m.BlockRejected(strings.Repeat("x", 65))
	for i := 0; i < maxRejectReasons+10; i++ {
		m.BlockRejected("reason-" + string(rune('a'+i%26)) + string(rune('a'+i/26)))
	}
	if n := testutil.CollectAndCount(m.blocksRejected); n != maxRejectReasons+1 {
		t.Errorf("%d reason series, want %d (the cap plus %q)", n, maxRejectReasons+1, OtherReason)
	}
	if got := testutil.ToFloat64(m.blocksRejected.WithLabelValues(OtherReason)); got != 13 {
		t.Errorf("%q = %v, want 13 (3 malformed, 10 beyond the cap)", OtherReason, got)
	}
	// A reason seen before the cap keeps its own series.
	m.BlockRejected("reason-aa")
	if got := testutil.ToFloat64(m.blocksRejected.WithLabelValues("reason-aa")); got != 2 {
		t.Errorf("reason-aa = %v, want 2", got)
	}
}

func TestObserveRPC(t *testing.T) {
	m := New(nil)
	m.RegisterRPCMethods("getblockcount", "getblock", "", UnknownMethod)
	m.ObserveRPC("getblockcount", 0, 2*time.Millisecond)
	m.ObserveRPC("getblockcount", 0, 3*time.Millisecond)
	m.ObserveRPC("getblock", -5, time.Millisecond)
	m.ObserveRPC("getblock", -8, time.Millisecond)
	m.ObserveRPC("nosuchmethod", -32601, time.Microsecond)
	m.ObserveRPC("another", -32601, time.Microsecond)
	m.ObserveRPC("getblock", 42, time.Millisecond)     // outside the known ranges
	m.ObserveRPC("getblock", -31999, time.Millisecond) // outside the known ranges

	want := `
# HELP nodecoin_rpc_requests_total JSON-RPC requests handled, by method and result ("ok", the error code, or "error").
# TYPE nodecoin_rpc_requests_total counter
nodecoin_rpc_requests_total{method="getblock",result="-5"} 1
nodecoin_rpc_requests_total{method="getblock",result="-8"} 1
nodecoin_rpc_requests_total{method="getblock",result="error"} 2
nodecoin_rpc_requests_total{method="getblock",result="ok"} 0
nodecoin_rpc_requests_total{method="getblockcount",result="ok"} 2
nodecoin_rpc_requests_total{method="unknown",result="-32601"} 2
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "nodecoin_rpc_requests_total"); err != nil {
		t.Error(err)
	}
	fams := gather(t, m)
	counts := map[string]uint64{}
	for _, s := range fams["nodecoin_rpc_request_duration_seconds"].GetMetric() {
		counts[s.GetLabel()[0].GetValue()] = s.GetHistogram().GetSampleCount()
	}
	if counts["getblockcount"] != 2 || counts["getblock"] != 4 || counts[UnknownMethod] != 2 || len(counts) != 3 {
		t.Errorf("duration counts by method %v", counts)
	}
}

func TestRPCResult(t *testing.T) {
	for code, want := range map[int]string{0: "ok", -1: "-1", -28: "-28", -99: "-99", -100: "error",
		-32000: "-32000", -32700: "-32700", -32768: "-32768", -32769: "error", 1: "error", 500: "error"} {
		if got := rpcResult(code); got != want {
			t.Errorf("rpcResult(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	m := New(newFakeChain())
	m.RegisterRPCMethods("getinfo")
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				m.BlockRejected("bad-cb-length")
				m.BlockValidated(time.Millisecond)
				m.OnNotification(chain.Notification{Type: chain.BlockConnected})
				m.ObserveRPC("getinfo", 0, time.Millisecond)
				if i%50 == 0 {
					if _, err := m.Registry().Gather(); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if got := testutil.ToFloat64(m.blocksConnected); got != 800 {
		t.Errorf("blocks connected = %v, want 800", got)
	}
}

func TestMempoolSeries(t *testing.T) {
	m := New(nil)
	if n := testutil.CollectAndCount(m.Registry(), "nodecoin_mempool_transactions"); n != 0 {
		t.Fatalf("mempool gauges reported before a pool is set: %d", n)
	}
	m.SetPool(fakePool{})
	m.MempoolAccepted()
	m.MempoolAccepted()
	m.MempoolRejected("dust")
	m.MempoolRejected("min relay fee not met")
	m.MempoolRejected("not a reason!")
	want := `
# HELP nodecoin_mempool_transactions Transactions in the mempool.
# TYPE nodecoin_mempool_transactions gauge
nodecoin_mempool_transactions 3
# HELP nodecoin_mempool_usage_bytes Memory the mempool accounts for its transactions, counted against --maxmempool.
# TYPE nodecoin_mempool_usage_bytes gauge
nodecoin_mempool_usage_bytes 2400
# HELP nodecoin_mempool_accepted_total Transactions accepted into the mempool.
# TYPE nodecoin_mempool_accepted_total counter
nodecoin_mempool_accepted_total 2
# HELP nodecoin_mempool_rejected_total Transactions refused by the mempool, by Bitcoin Core's reject reason.
# TYPE nodecoin_mempool_rejected_total counter
nodecoin_mempool_rejected_total{reason="dust"} 1
nodecoin_mempool_rejected_total{reason="min relay fee not met"} 1
nodecoin_mempool_rejected_total{reason="other"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "nodecoin_mempool_transactions",
		"nodecoin_mempool_usage_bytes", "nodecoin_mempool_accepted_total", "nodecoin_mempool_rejected_total"); err != nil {
		t.Fatal(err)
	}
}
