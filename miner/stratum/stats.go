package stratum

import (
	"math"
	"sort"
	"sync"
	"time"
)

// Hash-rate estimation.
const (
	// HashRateWindow is the span of accepted shares a hash rate is
	// estimated from.
	HashRateWindow = 10 * time.Minute
	// workerSamples bounds the shares remembered per worker.
	workerSamples = 256
	// maxWorkers bounds the workers tracked; disconnected ones are
	// forgotten first.
	maxWorkers = 10_000
	// workerIdleForget is how long a disconnected worker is remembered.
	workerIdleForget = time.Hour
)

// hashesPerDifficulty is the expected number of hashes per share of
// difficulty 1, 2^32.
const hashesPerDifficulty = 1 << 32

// Info is the server's figures, as getstratuminfo returns them.
type Info struct {
	// Connections is the number of open connections.
	Connections int `json:"connections"`
	// Payout is "solo" or "pplns".
	Payout string `json:"payout"`
	// SharesAccepted counts the accepted shares since start.
	SharesAccepted uint64 `json:"sharesaccepted"`
	// AcceptedDifficulty is the sum of the accepted shares' difficulty.
	AcceptedDifficulty float64 `json:"accepteddifficulty"`
	// SharesRejected counts the rejected shares by reason, every reason
	// present.
	SharesRejected map[string]uint64 `json:"sharesrejected"`
	// BlocksFound counts the blocks found through Stratum (persisted).
	BlocksFound uint64 `json:"blocksfound"`
	// HashRate is the sum of the workers' estimated hash rates, hashes
	// per second.
	HashRate float64 `json:"hashps"`
	// Workers are the workers known, by name.
	Workers []WorkerInfo `json:"workers"`
}

// WorkerInfo is one worker's figures.
type WorkerInfo struct {
	// Name is ADDRESS or ADDRESS.name as authorized.
	Name string `json:"name"`
	// Address is the address it mines for.
	Address string `json:"address"`
	// Connections is the number of open connections it is authorized on.
	Connections int `json:"connections"`
	// SharesAccepted counts its accepted shares.
	SharesAccepted uint64 `json:"sharesaccepted"`
	// AcceptedDifficulty sums their difficulty.
	AcceptedDifficulty float64 `json:"accepteddifficulty"`
	// HashRate is estimated from the difficulty of its shares accepted in
	// the last HashRateWindow: 2^32 hashes per unit of difficulty.
	HashRate float64 `json:"hashps"`
	// LastShare is the Unix time of its last accepted share, 0 if none.
	LastShare int64 `json:"lastshare"`
}

// sample is one accepted share of a worker.
type sample struct {
	at   time.Time
	diff float64
}

// workerStats are one worker's counters.
type workerStats struct {
	name, address string
	conns         int
	accepted      uint64
	diffSum       float64
	first, last   time.Time
	samples       [workerSamples]sample
	n, head       int
}

// hashRate estimates the worker's hashes per second at now from the
// shares accepted in the last HashRateWindow, over the time since the
// window's start, or since the worker was first seen, or (when more shares
// came than the ring holds) since the oldest share remembered, whose own
// difficulty is then left out.
func (w *workerStats) hashRate(now time.Time) float64 {
	cut := now.Add(-HashRateWindow)
	start := cut
	if w.first.After(start) {
		start = w.first
	}
	var sum float64
	for i := 0; i < w.n; i++ {
		s := w.samples[(w.head-1-i+2*workerSamples)%workerSamples]
		if !s.at.After(cut) {
			break
		}
		sum += s.diff
		if i == workerSamples-1 && s.at.After(start) {
			start = s.at
			sum -= s.diff
		}
	}
	span := max(now.Sub(start).Seconds(), 1)
	return sum * hashesPerDifficulty / span
}

// stats are the server's counters; its methods take its own lock.
type stats struct {
	mu      sync.Mutex
	conns   int
	accepts uint64
	diffSum float64
	rejects map[string]uint64
	blocks  uint64
	workers map[string]*workerStats
}

func newStats(blocks uint64) *stats {
	st := &stats{rejects: make(map[string]uint64), blocks: blocks, workers: make(map[string]*workerStats)}
	for _, r := range RejectReasons {
		st.rejects[r] = 0
	}
	return st
}

func (st *stats) connected(delta int) {
	st.mu.Lock()
	st.conns += delta
	st.mu.Unlock()
}

func (st *stats) blockFound() {
	st.mu.Lock()
	st.blocks++
	st.mu.Unlock()
}

func (st *stats) rejected(reason string) {
	st.mu.Lock()
	st.rejects[reason]++
	st.mu.Unlock()
}

// workerSeen counts a connection a worker was authorized on.
func (st *stats) workerSeen(name, address string, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	w := st.workers[name]
	if w == nil {
		if len(st.workers) >= maxWorkers {
			st.forgetOneLocked()
		}
		w = &workerStats{name: name, address: address, first: now}
		st.workers[name] = w
	}
	w.conns++
}

// forgetOneLocked forgets the disconnected worker idle the longest.
func (st *stats) forgetOneLocked() {
	var oldest *workerStats
	for _, w := range st.workers {
		if w.conns == 0 && (oldest == nil || w.last.Before(oldest.last)) {
			oldest = w
		}
	}
	if oldest != nil {
		delete(st.workers, oldest.name)
	}
}

// workersGone counts the end of a connection the workers were on.
func (st *stats) workersGone(names []string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, n := range names {
		if w := st.workers[n]; w != nil && w.conns > 0 {
			w.conns--
		}
	}
}

// accepted counts an accepted share of difficulty diff by worker name.
func (st *stats) accepted(name string, diff float64, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.accepts++
	st.diffSum += diff
	w := st.workers[name]
	if w == nil {
		return
	}
	w.accepted++
	w.diffSum += diff
	w.last = now
	w.samples[w.head] = sample{at: now, diff: diff}
	w.head = (w.head + 1) % workerSamples
	w.n = min(w.n+1, workerSamples)
}

// info returns the figures at now, forgetting workers disconnected and
// idle for workerIdleForget.
func (st *stats) info(now time.Time, mode PayoutMode) Info {
	st.mu.Lock()
	defer st.mu.Unlock()
	in := Info{Connections: st.conns, Payout: mode.String(), SharesAccepted: st.accepts,
		AcceptedDifficulty: st.diffSum, SharesRejected: make(map[string]uint64, len(st.rejects)),
		BlocksFound: st.blocks, Workers: []WorkerInfo{}}
	for r, n := range st.rejects {
		in.SharesRejected[r] = n
	}
	for name, w := range st.workers {
		if w.conns == 0 && now.Sub(w.last) > workerIdleForget {
			delete(st.workers, name)
			continue
		}
		hr := w.hashRate(now)
		if math.IsNaN(hr) || math.IsInf(hr, 0) {
			hr = 0
		}
		wi := WorkerInfo{Name: w.name, Address: w.address, Connections: w.conns, SharesAccepted: w.accepted,
			AcceptedDifficulty: w.diffSum, HashRate: hr}
		if !w.last.IsZero() {
			wi.LastShare = w.last.Unix()
		}
		in.HashRate += hr
		in.Workers = append(in.Workers, wi)
	}
	sort.Slice(in.Workers, func(i, j int) bool { return in.Workers[i].Name < in.Workers[j].Name })
	return in
}
