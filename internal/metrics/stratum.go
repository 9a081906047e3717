package metrics

import (
	"sync/atomic"

	"github.com/nodecoin/nodecoin/miner/stratum"
	"github.com/prometheus/client_golang/prometheus"
)

// StratumSource is what the Stratum series read at scrape time;
// *stratum.Server satisfies it.
type StratumSource interface {
	Info() stratum.Info
}

// stratumCollector reports the Stratum server's figures, read from Info
// at scrape time: nothing while no server is set (Stratum off).
type stratumCollector struct {
	src atomic.Pointer[StratumSource]

	conns, workers, hashRate, accepted, acceptedDiff, rejected, blocks *prometheus.Desc
}

func newStratumCollector() *stratumCollector {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "stratum", name), help, labels, nil)
	}
	return &stratumCollector{
		conns:        desc("connections", "Open Stratum connections."),
		workers:      desc("workers", "Stratum workers authorized on at least one open connection."),
		hashRate:     desc("hashrate_hashes_per_second", "Hash rate of the Stratum miners, estimated from the difficulty of their shares accepted in the last 10 minutes."),
		accepted:     desc("shares_accepted_total", "Shares accepted from Stratum miners since start."),
		acceptedDiff: desc("share_difficulty_accepted_total", "Sum of the difficulty of the shares accepted since start (× 2^32 = hashes done)."),
		rejected:     desc("shares_rejected_total", "Shares refused since start, by reason.", "reason"),
		blocks:       desc("blocks_found_total", "Blocks found through Stratum that joined the main chain (kept across restarts)."),
	}
}

// SetStratum sets the Stratum server read at scrape time; nil stops its
// series from being reported. It takes no lock (an atomic pointer); a
// scrape calls the server's Info, which takes the server's statistics lock.
func (m *Metrics) SetStratum(s StratumSource) {
	if s == nil {
		m.stratum.src.Store(nil)
		return
	}
	m.stratum.src.Store(&s)
}

// Describe sends the descriptors of the Stratum series.
func (c *stratumCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.conns, c.workers, c.hashRate, c.accepted, c.acceptedDiff, c.rejected, c.blocks} {
		ch <- d
	}
}

// Collect reads the server's Info and sends its series.
func (c *stratumCollector) Collect(ch chan<- prometheus.Metric) {
	p := c.src.Load()
	if p == nil {
		return
	}
	in := (*p).Info()
	active := 0
	for _, w := range in.Workers {
		if w.Connections > 0 {
			active++
		}
	}
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(in.Connections))
	ch <- prometheus.MustNewConstMetric(c.workers, prometheus.GaugeValue, float64(active))
	ch <- prometheus.MustNewConstMetric(c.hashRate, prometheus.GaugeValue, in.HashRate)
	ch <- prometheus.MustNewConstMetric(c.accepted, prometheus.CounterValue, float64(in.SharesAccepted))
	ch <- prometheus.MustNewConstMetric(c.acceptedDiff, prometheus.CounterValue, in.AcceptedDifficulty)
	ch <- prometheus.MustNewConstMetric(c.blocks, prometheus.CounterValue, float64(in.BlocksFound))
	for _, r := range stratum.RejectReasons {
		ch <- prometheus.MustNewConstMetric(c.rejected, prometheus.CounterValue, float64(in.SharesRejected[r]), r)
	}
}
