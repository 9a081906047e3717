package metrics

import (
	"sync/atomic"

	"github.com/nodecoin/nodecoin/mempool"
	"github.com/prometheus/client_golang/prometheus"
)

// PoolSource is what the mempool gauges read at scrape time;
// *mempool.Pool satisfies it.
type PoolSource interface {
	Info() mempool.Info
}

// poolMetrics are the mempool's series.
type poolMetrics struct {
	src      atomic.Pointer[PoolSource]
	accepted prometheus.Counter
	rejected *prometheus.CounterVec
}

func newPoolMetrics() *poolMetrics {
	return &poolMetrics{
		accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "mempool", Name: "accepted_total",
			Help: "Transactions accepted into the mempool.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "mempool", Name: "rejected_total",
			Help: "Transactions refused by the mempool, by Bitcoin Core's reject reason.",
		}, []string{"reason"}),
	}
}

// SetPool sets the mempool read at scrape time; nil stops its gauges from
// being reported.
func (m *Metrics) SetPool(p PoolSource) {
	if p == nil {
		m.pool.src.Store(nil)
		return
	}
	m.pool.src.Store(&p)
}

// MempoolAccepted counts a transaction accepted into the mempool.
func (m *Metrics) MempoolAccepted() { m.pool.accepted.Inc() }

// MempoolRejected counts a transaction the mempool refused, by its reject
// reason (bounded like the blocks' reasons).
func (m *Metrics) MempoolRejected(reason string) {
	m.pool.rejected.WithLabelValues(m.reasonLabel(reason)).Inc()
}

// poolCollector reports the mempool's gauges from Info at scrape time.
type poolCollector struct {
	m                                  *Metrics
	txs, bytes, usage, minFee, orphans *prometheus.Desc
}

func newPoolCollector(m *Metrics) *poolCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "mempool", name), help, nil, nil)
	}
	return &poolCollector{m: m,
		txs:     desc("transactions", "Transactions in the mempool."),
		bytes:   desc("size_bytes", "Serialized size of the mempool's transactions."),
		usage:   desc("usage_bytes", "Memory the mempool accounts for its transactions, counted against --maxmempool."),
		minFee:  desc("min_fee_rate", "Lowest fee rate the mempool accepts now, in base units per 1,000 bytes (the rolling minimum or the relay minimum)."),
		orphans: desc("orphans", "Transactions waiting in the orphan pool for their parents."),
	}
}

// Describe sends the descriptors of the mempool's gauges.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.txs, c.bytes, c.usage, c.minFee, c.orphans} {
		ch <- d
	}
}

// Collect reads the mempool and sends its gauges; nothing while no pool
// is set.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	p := c.m.pool.src.Load()
	if p == nil {
		return
	}
	info := (*p).Info()
	for d, v := range map[*prometheus.Desc]float64{c.txs: float64(info.Size), c.bytes: float64(info.Bytes),
		c.usage: float64(info.Usage), c.minFee: float64(info.MempoolMinFee), c.orphans: float64(info.Orphans)} {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
}
