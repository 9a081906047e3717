package mempool

import (
	"math"
	"time"
)

// minFeeRate returns the pool's rising minimum fee rate in base units per
// kvB (Core's GetMinFee): raised by eviction to the evicted package's rate
// plus the incremental relay fee, decaying with RollingFeeHalfLife (faster
// when the pool is under half or a quarter full) once a block has arrived
// since the last raise, and zero once it falls below half the incremental
// relay fee. Called with mu held.
func (p *Pool) minFeeRate(now time.Time) int64 {
	if !p.blockSinceBump || p.rollingMinFee == 0 {
		return int64(math.Round(p.rollingMinFee))
	}
	if now.After(p.lastRollingUpdate.Add(10 * time.Second)) {
		halfLife := RollingFeeHalfLife
		if p.usage < p.cfg.MaxBytes/4 {
			halfLife /= 4
		} else if p.usage < p.cfg.MaxBytes/2 {
			halfLife /= 2
		}
		elapsed := now.Sub(p.lastRollingUpdate).Seconds()
		p.rollingMinFee /= math.Pow(2, elapsed/halfLife.Seconds())
		p.lastRollingUpdate = now
		if p.rollingMinFee < float64(p.cfg.IncrementalRelayFee)/2 {
			p.rollingMinFee = 0
			return 0
		}
	}
	return max(int64(math.Round(p.rollingMinFee)), p.cfg.IncrementalRelayFee)
}

// trackPackageRemoved raises the rolling minimum fee rate to rate.
func (p *Pool) trackPackageRemoved(rate int64, now time.Time) {
	if float64(rate) > p.rollingMinFee {
		p.rollingMinFee = float64(rate)
		p.blockSinceBump = false
		p.lastRollingUpdate = now
	}
}

// limitSize expires old entries and trims the pool to its budget (Core's
// LimitMempoolSize). Called with mu held.
func (p *Pool) limitSize(now time.Time) {
	p.expire(now)
	p.trimToSize(p.cfg.MaxBytes, now)
}

// trimToSize evicts the package (an entry and its descendants) with the
// lowest descendant score until the memory estimate fits limit, raising the
// minimum fee rate as it goes.
func (p *Pool) trimToSize(limit int64, now time.Time) {
	evicted := 0
	var maxRate int64
	for p.usage > limit && len(p.evict) > 0 {
		e := p.evict[0]
		rate := feeRate(e.descFees, e.descSize) + p.cfg.IncrementalRelayFee
		p.trackPackageRemoved(rate, now)
		maxRate = max(maxRate, rate)
		set := withDescendants(e)
		evicted += len(set)
		p.removeSet(set)
	}
	if evicted > 0 {
		p.log.Info("mempool full, evicted transactions", "evicted", evicted,
			"min_fee_rate", maxRate, "usage", p.usage, "limit", limit)
	}
}

// expire removes entries older than the expiry, with their descendants. The
// scan runs only when the oldest entry may have expired.
func (p *Pool) expire(now time.Time) int {
	if p.nextExpiryCheck.IsZero() || now.Before(p.nextExpiryCheck) {
		return 0
	}
	cutoff := now.Add(-p.cfg.Expiry)
	var old []*entry
	for _, e := range p.entries {
		if e.time.Before(cutoff) {
			old = append(old, e)
		}
	}
	set := withDescendants(old...)
	p.removeSet(set)
	p.nextExpiryCheck = time.Time{}
	var oldest time.Time
	for _, e := range p.entries {
		if oldest.IsZero() || e.time.Before(oldest) {
			oldest = e.time
		}
	}
	if !oldest.IsZero() {
		p.nextExpiryCheck = oldest.Add(p.cfg.Expiry)
	}
	if len(set) > 0 {
		p.log.Info("expired transactions", "removed", len(set))
	}
	return len(set)
}
