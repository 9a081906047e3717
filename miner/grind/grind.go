package grind

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// CheckInterval is how many hashes a grinding thread does between looks at
// the stop flag and updates of its counter: about a millisecond of work for
// the portable code, so a cancelled context stops Grind within milliseconds.
const CheckInterval = 2048

// cacheLine is the size each counter is padded to so that no two threads'
// counters share a cache line.
const cacheLine = 64

// counterSlot is one thread's hash counter alone on its cache line.
type counterSlot struct {
	n atomic.Uint64
	_ [cacheLine - 8]byte
}

// Counters holds per-thread hash counts of Grind, each on its own cache line
// so that the threads never contend. They may be read at any time, while
// Grind runs, to compute a hash rate; they accumulate across calls.
type Counters struct {
	slots    []counterSlot
	rejected atomic.Uint64
	onStart  func(time.Time)
}

// OnStart registers fn to be called each time all the threads of a Grind
// counting in c have begun hashing, with the time the last one began, on
// that thread, before it hashes. It must be called before c is used by
// Grind; fn must return quickly.
func (c *Counters) OnStart(fn func(time.Time)) { c.onStart = fn }

// NewCounters returns zeroed counters for up to threads grinding threads.
func NewCounters(threads int) *Counters {
	return &Counters{slots: make([]counterSlot, max(threads, 1))}
}

// Threads returns how many threads c has counters for.
func (c *Counters) Threads() int { return len(c.slots) }

// Thread returns how many hashes thread i has done.
func (c *Counters) Thread(i int) uint64 { return c.slots[i].n.Load() }

// Total returns how many hashes all threads have done.
func (c *Counters) Total() uint64 {
	var t uint64
	for i := range c.slots {
		t += c.slots[i].n.Load()
	}
	return t
}

// Rejected returns how many nonces the midstate path found that failed
// re-verification with wire.DoubleSHA256; anything but zero is a bug.
func (c *Counters) Rejected() uint64 { return c.rejected.Load() }

// Grind searches header's nonces, on threads goroutines (GOMAXPROCS if
// threads is not positive), for one whose block hash meets target; header's
// own nonce is ignored. Thread i tries nonces i, i+threads, i+2*threads, and
// so on. Hashes are counted in counters, which must have at least threads
// slots (Grind panics otherwise), or in private counters if counters is nil.
//
// A nonce is returned only after wire.DoubleSHA256 of the full header with
// it has been checked against target. When several threads find one, any of
// them may be returned, not necessarily the lowest.
//
// Grind returns found false when ctx is done (each thread looks every
// CheckInterval hashes, so within milliseconds) or when all 2^32 nonces
// failed; then the caller rolls the extranonce or the time, which changes
// the header, and grinds again.
func Grind(ctx context.Context, header wire.BlockHeader, target Target, threads int, counters *Counters) (nonce uint32, found bool) {
	return grindRange(ctx, &header, &target, threads, counters, 0, math.MaxUint32)
}

// GrindRange is Grind over the nonces first..last (inclusive) only.
func GrindRange(ctx context.Context, header wire.BlockHeader, target Target, threads int, counters *Counters,
	first, last uint32) (nonce uint32, found bool) {
	return grindRange(ctx, &header, &target, threads, counters, first, last)
}

// grinder is the state Grind's threads share.
type grinder struct {
	header   wire.BlockHeader
	job      Job
	target   Target
	threads  uint64
	first    uint64
	last     uint64
	counters *Counters
	waiting  atomic.Int64 // threads that have not begun hashing yet
	stop     atomic.Bool
	found    atomic.Bool
	nonce    uint32 // written once by the thread that set found
}

// grindRange is Grind over the nonces first..last inclusive.
func grindRange(ctx context.Context, header *wire.BlockHeader, target *Target, threads int,
	counters *Counters, first, last uint32) (uint32, bool) {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	if counters == nil {
		counters = NewCounters(threads)
	}
	if counters.Threads() < threads {
		panic(fmt.Sprintf("grind: %d counters for %d threads", counters.Threads(), threads))
	}
	if ctx.Err() != nil || first > last {
		return 0, false
	}
	g := &grinder{header: *header, job: NewJob(header), target: *target, threads: uint64(threads),
		first: uint64(first), last: uint64(last), counters: counters}
	g.waiting.Store(int64(threads))
	unwatch := context.AfterFunc(ctx, func() { g.stop.Store(true) })
	defer unwatch()
	var wg sync.WaitGroup
	for i := range threads {
		wg.Go(func() { g.run(i) })
	}
	wg.Wait()
	if g.found.Load() {
		return g.nonce, true
	}
	return 0, false
}

// run is thread i's loop: scan its nonces in runs of CheckInterval,
// counting each run and looking at the stop flag between runs. A nonce the
// scanner finds is only a candidate (its hash's top word is within the
// target's); verify decides.
func (g *grinder) run(i int) {
	sc := newScanner(&g.header, &g.job)
	limit := g.target[len(g.target)-1]
	slot := &g.counters.slots[i].n
	step := g.threads
	if g.waiting.Add(-1) == 0 && g.counters.onStart != nil {
		g.counters.onStart(time.Now())
	}
	for n := g.first + uint64(i); n <= g.last; {
		if g.stop.Load() {
			return
		}
		count := min(CheckInterval, (g.last-n)/step+1)
		idx, ok := sc.scan(uint32(n), uint32(step), int(count), limit)
		if !ok {
			slot.Add(count)
			n += count * step
			continue
		}
		slot.Add(uint64(idx) + 1)
		nonce := n + uint64(idx)*step
		n = nonce + step
		if g.verify(uint32(nonce)) {
			if g.found.CompareAndSwap(false, true) {
				g.nonce = uint32(nonce)
			}
			g.stop.Store(true)
			return
		}
	}
}

// verify reports whether the header with nonce, a scanner's candidate,
// meets the target by wire.DoubleSHA256 of its full serialization,
// independently of the scanner. A candidate whose hash's top word is in
// fact above the target's is counted as rejected: the scanner was wrong.
func (g *grinder) verify(nonce uint32) bool {
	h := g.header
	h.Nonce = nonce
	b := h.Bytes()
	hash := wire.DoubleSHA256(b[:])
	if g.target.Meets(hash) {
		return true
	}
	if binary.LittleEndian.Uint32(hash[28:]) > g.target[len(g.target)-1] {
		g.counters.rejected.Add(1)
	}
	return false
}

// Rate returns n hashes over d in hashes per second, rounded (0 for no
// time).
func Rate(n uint64, d time.Duration) uint64 {
	if d <= 0 {
		return 0
	}
	return uint64(float64(n)/d.Seconds() + 0.5)
}

// Report calls report with the hash rate of the last interval, every
// interval while hashes are being counted, until ctx is done or the
// returned stop is called (stop waits for the reporting goroutine).
func (c *Counters) Report(ctx context.Context, interval time.Duration, report func(hashesPerSecond uint64)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		last, lastTime := c.Total(), time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				total := c.Total()
				if total != last {
					report(Rate(total-last, now.Sub(lastTime)))
				}
				last, lastTime = total, now
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
