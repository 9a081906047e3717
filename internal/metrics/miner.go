package metrics

import (
	"math"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TipToWorkBuckets are the bucket bounds, in seconds, of the time from a
// new tip to every mining thread grinding a block built on it.
var TipToWorkBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1}

// MinerMetrics are the in-process miner's series (`daemon --mine`). It
// implements the miner's observer (package miner/local); its methods are
// safe for concurrent use.
type MinerMetrics struct {
	hashRate    prometheus.Gauge
	submissions *prometheus.CounterVec
	found       prometheus.Counter
	tipToWork   prometheus.Histogram
	lastWork    atomic.Int64 // Unix nanoseconds of the last work start, 0 before
}

// RegisterMiner adds the miner's series to m's registry, once, when the
// node starts mining with threads threads; hashes returns the miner's
// total hash count at scrape time. The series:
//
//	nodecoin_miner_threads                     gauge
//	nodecoin_miner_hashes_total                counter, hashes done since start
//	nodecoin_miner_hash_rate_hashes_per_second gauge, over the miner's last reporting interval
//	nodecoin_miner_blocks_found_total          counter, found blocks that joined the main chain
//	nodecoin_miner_submissions_total{result}   counter, found blocks by fate: accepted, stale, rejected
//	nodecoin_miner_template_age_seconds        gauge, since the block being ground was started
//	nodecoin_miner_tip_to_work_seconds         histogram, from a new tip to every thread grinding on it
func (m *Metrics) RegisterMiner(threads int, hashes func() uint64) *MinerMetrics {
	mm := &MinerMetrics{
		hashRate: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: Namespace, Subsystem: "miner", Name: "hash_rate_hashes_per_second",
			Help: "Hashes per second of the in-process miner over its last reporting interval.",
		}),
		submissions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "miner", Name: "submissions_total",
			Help: "Blocks the in-process miner found, by fate: accepted (main chain), stale (off the main chain) or rejected.",
		}, []string{"result"}),
		found: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "miner", Name: "blocks_found_total",
			Help: "Blocks the in-process miner found that joined the main chain.",
		}),
		tipToWork: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "miner", Name: "tip_to_work_seconds",
			Help:    "Time from the chain's notification of a new tip to every mining thread grinding a block built on it.",
			Buckets: TipToWorkBuckets,
		}),
	}
	for _, r := range []string{"accepted", "stale", "rejected"} {
		mm.submissions.WithLabelValues(r) // every result has a series from the start
	}
	threadsGauge := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: Namespace, Subsystem: "miner", Name: "threads",
		Help: "Grinding threads of the in-process miner.",
	})
	threadsGauge.Set(float64(threads))
	m.reg.MustRegister(threadsGauge, mm.hashRate, mm.submissions, mm.found, mm.tipToWork,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "miner", Name: "hashes_total",
			Help: "Hashes (nonces tried) by the in-process miner since start.",
		}, func() float64 { return float64(hashes()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: Namespace, Subsystem: "miner", Name: "template_age_seconds",
			Help: "Time since the miner began grinding its current block (0 before the first).",
		}, mm.templateAge),
	)
	return mm
}

// templateAge is the age of the block being ground, in seconds.
func (mm *MinerMetrics) templateAge() float64 {
	last := mm.lastWork.Load()
	if last == 0 {
		return 0
	}
	return math.Max(0, time.Since(time.Unix(0, last)).Seconds())
}

// WorkStarted records that every thread grinds a new block since at, and
// the latency from the tip change it follows, if any.
func (mm *MinerMetrics) WorkStarted(at time.Time, afterTip bool, sinceTip time.Duration) {
	mm.lastWork.Store(at.UnixNano())
	if afterTip {
		mm.tipToWork.Observe(sinceTip.Seconds())
	}
}

// Submitted counts a found block by its fate: "accepted", "stale" or
// "rejected" (the miner's constants).
func (mm *MinerMetrics) Submitted(result string) {
	mm.submissions.WithLabelValues(result).Inc()
	if result == "accepted" {
		mm.found.Inc()
	}
}

// HashRate records the miner's latest hash rate.
func (mm *MinerMetrics) HashRate(hashesPerSecond uint64) { mm.hashRate.Set(float64(hashesPerSecond)) }
