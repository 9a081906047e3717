// Package metrics exposes the node's measurements to Prometheus: the state
// of the chain (read at scrape time), block and reorganisation counters and
// histograms (fed by the chain as its chain.Observer and by its
// notifications), the JSON-RPC server's requests, and the Go runtime and
// process collectors. Every series of nodecoin's own is prefixed
// "nodecoin_"; the exposition is clean under `promtool check metrics`.
//
// The series:
//
//	nodecoin_build_info{version,revision}           gauge, always 1
//	nodecoin_chain_height                           gauge, height of the main chain's tip
//	nodecoin_chain_headers_height                   gauge, height of the most-work header known
//	nodecoin_chain_best_block_timestamp_seconds     gauge, the tip's header time (Unix seconds)
//	nodecoin_chain_difficulty                       gauge, the tip's difficulty (Bitcoin Core's convention)
//	nodecoin_chain_work_hashes                      gauge, the tip's cumulative work as a float64
//	nodecoin_chain_size_on_disk_bytes               gauge, size of the chain database's files
//	nodecoin_coin_cache_size_bytes                  gauge, memory held by the coin (UTXO) cache
//	nodecoin_coin_cache_entries                     gauge, coins held by the coin cache
//	nodecoin_coin_cache_hit_ratio                   gauge, 0..1, lookups served from memory since start
//	nodecoin_chain_blocks_connected_total           counter
//	nodecoin_chain_blocks_disconnected_total        counter
//	nodecoin_chain_blocks_rejected_total{reason}    counter, by Bitcoin Core's reject reason
//	nodecoin_chain_reorg_depth_blocks               histogram, blocks disconnected per reorganisation
//	nodecoin_chain_block_validation_duration_seconds histogram, validating and connecting one block
//	nodecoin_rpc_requests_total{method,result}      counter
//	nodecoin_rpc_request_duration_seconds{method}   histogram
//	nodecoin_stratum_*                              the Stratum server's figures (see stratum.go), when it runs
//
// Chain work is exported as the value itself converted to float64 (not its
// logarithm): the conversion keeps 53 significant bits, which is far more
// than a graph needs, and cannot overflow (work is below 2^288). PromQL's
// log2() gives the familiar "2^N hashes" figure and deriv() an estimate of
// the network's hash rate.
//
// Labels are bounded: reject reasons come from the consensus rules (and at
// most maxRejectReasons distinct ones are kept, the rest counted as
// "other"); RPC methods are the names registered with RegisterRPCMethods
// ("unknown" for any other); an RPC result is "ok", the JSON-RPC error code
// in decimal when it lies in Bitcoin Core's or JSON-RPC's ranges, or
// "error".
package metrics

import (
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/internal/version"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every series of nodecoin's own.
const Namespace = "nodecoin"

// UnknownMethod is the method label of RPC requests for a method that was
// not registered with RegisterRPCMethods.
const UnknownMethod = "unknown"

// OtherReason is the reason label of rejected blocks once maxRejectReasons
// distinct reasons have been seen, or when the reason is not a plausible
// reject reason.
const OtherReason = "other"

// maxRejectReasons bounds the distinct reason labels of blocks rejected.
// Bitcoin Core's block reject reasons number a few dozen.
const maxRejectReasons = 64

// rejectReasonPattern is what a reject reason looks like
// ("bad-txns-inputs-missingorspent", "high-hash", "min relay fee not met").
var rejectReasonPattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_. -]{0,63}$`)

// Histogram buckets.
var (
	// ReorgDepthBuckets are the buckets of nodecoin_chain_reorg_depth_blocks.
	ReorgDepthBuckets = []float64{1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000}
	// ValidationBuckets are the buckets of
	// nodecoin_chain_block_validation_duration_seconds, 1 ms to 1 min.
	ValidationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
	// RPCDurationBuckets are the buckets of
	// nodecoin_rpc_request_duration_seconds, 0.1 ms to 30 s.
	RPCDurationBuckets = []float64{.0001, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
)

// ChainSource is what the metrics read from the chain at scrape time;
// *chain.Chain implements it.
type ChainSource interface {
	Best() chain.BestState
	CacheStats() chain.CacheStats
	SizeOnDisk() int64
}

// Metrics holds the node's series in a registry of its own (not
// Prometheus's global default). It implements chain.Observer; its methods
// are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry
	src atomic.Pointer[ChainSource]

	blocksConnected    prometheus.Counter
	blocksDisconnected prometheus.Counter
	blocksRejected     *prometheus.CounterVec
	reorgDepth         prometheus.Histogram
	validation         prometheus.Histogram
	rpcRequests        *prometheus.CounterVec
	rpcDuration        *prometheus.HistogramVec
	pool               *poolMetrics
	stratum            *stratumCollector
	p2p                *p2pMetrics

	mu         sync.RWMutex
	reasons    map[string]bool // reject reasons with a series of their own
	rpcMethods map[string]bool // registered RPC method names
}

var _ chain.Observer = (*Metrics)(nil)

// New returns the node's metrics, registered with a new registry together
// with the Go runtime and process collectors. ch is read at every scrape;
// it may be nil, and set later with SetChain, since the chain takes the
// Metrics as its Observer before it exists.
func New(ch ChainSource) *Metrics {
	m := &Metrics{
		reg:        prometheus.NewRegistry(),
		reasons:    make(map[string]bool),
		pool:       newPoolMetrics(),
		stratum:    newStratumCollector(),
		p2p:        newP2PMetrics(),
		rpcMethods: make(map[string]bool),
		blocksConnected: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "chain", Name: "blocks_connected_total",
			Help: "Blocks connected to the main chain since start.",
		}),
		blocksDisconnected: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "chain", Name: "blocks_disconnected_total",
			Help: "Blocks disconnected from the main chain (reorganisations, invalidateblock) since start.",
		}),
		blocksRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "chain", Name: "blocks_rejected_total",
			Help: "Blocks that broke a consensus rule since start, by Bitcoin Core's reject reason.",
		}, []string{"reason"}),
		reorgDepth: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "chain", Name: "reorg_depth_blocks",
			Help:    "Blocks disconnected by each reorganisation of the main chain.",
			Buckets: ReorgDepthBuckets,
		}),
		validation: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "chain", Name: "block_validation_duration_seconds",
			Help:    "Time taken to validate and connect one block.",
			Buckets: ValidationBuckets,
		}),
		rpcRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "rpc", Name: "requests_total",
			Help: `JSON-RPC requests handled, by method and result ("ok", the error code, or "error").`,
		}, []string{"method", "result"}),
		rpcDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "rpc", Name: "request_duration_seconds",
			Help:    "Time taken to handle one JSON-RPC request, by method.",
			Buckets: RPCDurationBuckets,
		}, []string{"method"}),
	}
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "build_info",
		Help:        "Always 1; the labels give nodecoin's version and VCS revision.",
		ConstLabels: prometheus.Labels{"version": version.Version, "revision": version.Commit()},
	})
	buildInfo.Set(1)
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo,
		newChainCollector(m),
		m.blocksConnected, m.blocksDisconnected, m.blocksRejected,
		m.reorgDepth, m.validation,
		m.rpcRequests, m.rpcDuration,
		newPoolCollector(m), m.pool.accepted, m.pool.rejected,
		m.stratum,
	)
	m.reg.MustRegister(m.p2p.collectors()...)
	m.SetChain(ch)
	return m
}

// SetChain sets the chain read at scrape time; nil stops the chain's
// gauges from being reported (before the chain is open, and while it
// closes).
func (m *Metrics) SetChain(ch ChainSource) {
	if ch == nil {
		m.src.Store(nil)
		return
	}
	m.src.Store(&ch)
}

// chain returns the chain read at scrape time, or nil.
func (m *Metrics) chain() ChainSource {
	p := m.src.Load()
	if p == nil {
		return nil
	}
	return *p
}

// Registry returns the registry holding every series, for serving or
// gathering.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler returns the HTTP handler of the Prometheus exposition (text, or
// protobuf or OpenMetrics as the scraper negotiates). Errors of collection
// are logged to log (nil means not logged) and the remaining series served.
func (m *Metrics) Handler(log *slog.Logger) http.Handler {
	opts := promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, MaxRequestsInFlight: 4}
	if log != nil {
		opts.ErrorLog = errorLog{log}
	}
	return promhttp.HandlerFor(m.reg, opts)
}

// errorLog adapts a slog.Logger to promhttp.Logger.
type errorLog struct{ log *slog.Logger }

// Println logs the handler's error message.
func (l errorLog) Println(v ...any) {
	l.log.Warn("metrics exposition", "err", strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}

// BlockValidated records how long validating and connecting one block
// took (chain.Observer).
func (m *Metrics) BlockValidated(d time.Duration) {
	m.validation.Observe(d.Seconds())
}

// BlockRejected counts a block that broke a consensus rule, by its reject
// reason (chain.Observer). Beyond maxRejectReasons distinct reasons, or for
// a reason that does not look like one, the label is OtherReason.
func (m *Metrics) BlockRejected(reason string) {
	m.blocksRejected.WithLabelValues(m.reasonLabel(reason)).Inc()
}

// reasonLabel bounds the reason label's values.
func (m *Metrics) reasonLabel(reason string) string {
	if !rejectReasonPattern.MatchString(reason) {
		return OtherReason
	}
	m.mu.RLock()
	known := m.reasons[reason]
	m.mu.RUnlock()
	if known {
		return reason
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.reasons[reason] {
		if len(m.reasons) >= maxRejectReasons {
			return OtherReason
		}
		m.reasons[reason] = true
	}
	return reason
}

// Reorganized records a reorganisation that disconnected depth blocks
// (chain.Observer).
func (m *Metrics) Reorganized(depth int) {
	m.reorgDepth.Observe(float64(depth))
}

// OnNotification counts blocks connected to and disconnected from the main
// chain; pass it to chain.Chain.Subscribe.
func (m *Metrics) OnNotification(n chain.Notification) {
	switch n.Type {
	case chain.BlockConnected:
		m.blocksConnected.Inc()
	case chain.BlockDisconnected:
		m.blocksDisconnected.Inc()
	}
}

// RegisterRPCMethods declares the RPC server's method names, the only
// values of the method label besides UnknownMethod. Each gets its
// result="ok" series at zero at once, so rates start from the first scrape.
func (m *Metrics) RegisterRPCMethods(names ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, name := range names {
		if name == "" || name == UnknownMethod {
			continue
		}
		m.rpcMethods[name] = true
		m.rpcRequests.WithLabelValues(name, "ok")
	}
}

// ObserveRPC records one JSON-RPC request: its method, its JSON-RPC error
// code (0 for success) and how long it took. A method not registered with
// RegisterRPCMethods is recorded as UnknownMethod. The result label is "ok"
// for code 0, the code in decimal ("-32601", "-8") for codes of Bitcoin
// Core's application range (-1 to -99) or JSON-RPC's reserved range
// (-32768 to -32000), and "error" for any other code.
func (m *Metrics) ObserveRPC(method string, code int, d time.Duration) {
	m.mu.RLock()
	known := m.rpcMethods[method]
	m.mu.RUnlock()
	if !known {
		method = UnknownMethod
	}
	m.rpcRequests.WithLabelValues(method, rpcResult(code)).Inc()
	m.rpcDuration.WithLabelValues(method).Observe(d.Seconds())
}

// rpcResult is the result label of a JSON-RPC error code.
func rpcResult(code int) string {
	switch {
	case code == 0:
		return "ok"
	case code <= -1 && code >= -99, code <= -32000 && code >= -32768:
		return strconv.Itoa(code)
	}
	return "error"
}

// chainCollector reports the chain's gauges, read once per scrape from one
// Best() and one CacheStats() so that they describe the same moment.
type chainCollector struct {
	m *Metrics

	height, headersHeight, bestTime, difficulty, work, sizeOnDisk *prometheus.Desc
	cacheBytes, cacheEntries, cacheHitRatio                       *prometheus.Desc
}

func newChainCollector(m *Metrics) *chainCollector {
	desc := func(subsystem, name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(Namespace, subsystem, name), help, nil, nil)
	}
	return &chainCollector{
		m:             m,
		height:        desc("chain", "height", "Height of the main chain's tip."),
		headersHeight: desc("chain", "headers_height", "Height of the most-work header known."),
		bestTime: desc("chain", "best_block_timestamp_seconds",
			"Timestamp in the header of the main chain's tip, in Unix seconds."),
		difficulty: desc("chain", "difficulty",
			"Difficulty of the main chain's tip, in Bitcoin Core's convention (1 is the target of bits 0x1d00ffff)."),
		work: desc("chain", "work_hashes",
			"Cumulative work of the main chain (the expected number of hashes to produce it), as a float64."),
		sizeOnDisk:    desc("chain", "size_on_disk_bytes", "Size of the chain database's files."),
		cacheBytes:    desc("coin_cache", "size_bytes", "Memory held by the coin (UTXO) cache, counted against its budget."),
		cacheEntries:  desc("coin_cache", "entries", "Coins held by the coin (UTXO) cache."),
		cacheHitRatio: desc("coin_cache", "hit_ratio", "Coin lookups served from the cache over all lookups since start (0 to 1)."),
	}
}

// Describe sends the descriptors of the chain's gauges.
func (c *chainCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.height, c.headersHeight, c.bestTime, c.difficulty, c.work,
		c.sizeOnDisk, c.cacheBytes, c.cacheEntries, c.cacheHitRatio} {
		ch <- d
	}
}

// Collect reads the chain and sends its gauges; nothing while no chain is
// set.
func (c *chainCollector) Collect(ch chan<- prometheus.Metric) {
	src := c.m.chain()
	if src == nil {
		return
	}
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	best := src.Best()
	gauge(c.height, float64(best.Height))
	gauge(c.headersHeight, float64(best.HeadersHeight))
	gauge(c.bestTime, float64(best.Time))
	gauge(c.difficulty, chain.Difficulty(best.Bits))
	if best.ChainWork != nil {
		w, _ := new(big.Float).SetInt(best.ChainWork).Float64()
		gauge(c.work, w)
	}
	gauge(c.sizeOnDisk, float64(src.SizeOnDisk()))
	cs := src.CacheStats()
	gauge(c.cacheBytes, float64(cs.Bytes))
	gauge(c.cacheEntries, float64(cs.Entries))
	gauge(c.cacheHitRatio, cs.HitRatio)
}
