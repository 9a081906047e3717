package stratum

import (
	"math"
	"time"
)

// Vardiff defaults.
const (
	// DefaultShareInterval is the time between shares vardiff aims at.
	DefaultShareInterval = 10 * time.Second
	// DefaultRetargetInterval is the longest time between re-evaluations.
	DefaultRetargetInterval = 60 * time.Second
	// DefaultRetargetShares re-evaluates after this many shares.
	DefaultRetargetShares = 30
	// vardiffMaxStep bounds one change of difficulty to a factor of 4
	// either way.
	vardiffMaxStep = 4
	// vardiffDeadband leaves the difficulty alone while the rate is within
	// this factor of the aim either way.
	vardiffDeadband = 1.25
)

// VardiffConfig configures the variable difficulty of each connection.
type VardiffConfig struct {
	// Min and Max bound the difficulty (--stratum-min-diff,
	// --stratum-max-diff).
	Min, Max float64
	// ShareInterval is the aimed time between shares;
	// DefaultShareInterval when 0.
	ShareInterval time.Duration
	// RetargetInterval is DefaultRetargetInterval when 0.
	RetargetInterval time.Duration
	// RetargetShares is DefaultRetargetShares when 0.
	RetargetShares int
}

func (c *VardiffConfig) setDefaults() {
	if c.ShareInterval <= 0 {
		c.ShareInterval = DefaultShareInterval
	}
	if c.RetargetInterval <= 0 {
		c.RetargetInterval = DefaultRetargetInterval
	}
	if c.RetargetShares <= 0 {
		c.RetargetShares = DefaultRetargetShares
	}
}

// Vardiff is the difficulty of one connection: re-evaluated every
// RetargetInterval or RetargetShares accepted shares, whichever comes
// first, to the difficulty that would have given one share per
// ShareInterval, changed by at most a factor of 4 per step, not at all
// within a factor of 1.25 of the aim, and always within [Min, Max]. It
// takes the time from its callers (a fake clock in tests). It is not safe
// for concurrent use; the connection's lock guards it.
type Vardiff struct {
	cfg    VardiffConfig
	diff   float64
	since  time.Time
	shares int
}

// NewVardiff returns a Vardiff starting at start (clamped to the bounds),
// its first window starting at now. The Vardiff is guarded by its
// owner's lock (a connection's mu).
func NewVardiff(cfg VardiffConfig, start float64, now time.Time) *Vardiff {
	cfg.setDefaults()
	v := &Vardiff{cfg: cfg, since: now}
	v.diff = v.clamp(start)
	return v
}

func (v *Vardiff) clamp(d float64) float64 {
	if math.IsNaN(d) || d < v.cfg.Min {
		d = v.cfg.Min
	}
	if v.cfg.Max > 0 && d > v.cfg.Max {
		d = v.cfg.Max
	}
	return d
}

// Difficulty returns the current difficulty.
func (v *Vardiff) Difficulty() float64 { return v.diff }

// Set sets the difficulty (clamped), as mining.suggest_difficulty asks,
// and starts a new window at now.
func (v *Vardiff) Set(d float64, now time.Time) float64 {
	v.diff = v.clamp(d)
	v.since, v.shares = now, 0
	return v.diff
}

// Cap lowers the difficulty to c (but not below Min) when it is above:
// the network's difficulty, which a share's never exceeds, so that vardiff
// starts from the difficulty shares are really credited at.
func (v *Vardiff) Cap(c float64) {
	if v.diff > c {
		v.diff = max(c, v.cfg.Min)
	}
}

// Share counts an accepted share at now and re-evaluates when due; it
// returns the difficulty and whether it changed.
func (v *Vardiff) Share(now time.Time) (float64, bool) {
	v.shares++
	return v.Check(now)
}

// Check re-evaluates the difficulty if RetargetShares shares were counted
// or RetargetInterval passed since the window started; it returns the
// difficulty and whether it changed.
func (v *Vardiff) Check(now time.Time) (float64, bool) {
	elapsed := now.Sub(v.since)
	if v.shares < v.cfg.RetargetShares && elapsed < v.cfg.RetargetInterval {
		return v.diff, false
	}
	if elapsed < time.Millisecond {
		elapsed = time.Millisecond
	}
	// Shares per interval aimed at, over shares seen: the factor to move.
	factor := 1.0 / vardiffMaxStep
	if v.shares > 0 {
		factor = float64(v.shares) * v.cfg.ShareInterval.Seconds() / elapsed.Seconds()
	}
	v.since, v.shares = now, 0
	if factor <= vardiffDeadband && factor >= 1/vardiffDeadband {
		return v.diff, false
	}
	factor = min(max(factor, 1.0/vardiffMaxStep), vardiffMaxStep)
	d := v.clamp(v.diff * factor)
	if d == v.diff {
		return d, false
	}
	v.diff = d
	return d, true
}
