package feeest

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// flow is a stream of transactions entering the mempool every block.
type flow struct {
	rate  int64 // fee rate, base units per 1,000 bytes
	delay int32 // blocks until a block confirms them; 0: never
	count int   // transactions per block
}

// market drives an Estimator with synthetic mempool and block events.
type market struct {
	e      *Estimator
	height int32
	next   uint64
	due    map[int32][]wire.Hash
	stuck  []wire.Hash
}

// startHeight is the tip every market starts from.
const startHeight = 100

func newMarket(e *Estimator) *market {
	e.BlockConnected(startHeight, nil)
	return &market{e: e, height: startHeight, due: make(map[int32][]wire.Hash)}
}

func (m *market) txid() wire.Hash {
	m.next++
	var h wire.Hash
	binary.LittleEndian.PutUint64(h[:], m.next)
	return h
}

// enter adds one transaction of f at the current tip.
func (m *market) enter(f flow) {
	id := m.txid()
	m.e.TxEntered(id, f.rate, m.height)
	if f.delay == 0 {
		m.stuck = append(m.stuck, id)
		return
	}
	m.due[m.height+f.delay] = append(m.due[m.height+f.delay], id)
}

// run connects n blocks; each confirms the transactions due at its height,
// then the flows add their transactions at the new tip.
func (m *market) run(n int, flows ...flow) {
	for range n {
		m.height++
		m.e.BlockConnected(m.height, m.due[m.height])
		delete(m.due, m.height)
		for _, f := range flows {
			for range f.count {
				m.enter(f)
			}
		}
	}
}

// drain connects empty blocks until every confirming transaction confirmed.
func (m *market) drain() {
	for len(m.due) > 0 {
		m.run(1)
	}
}

// lowerBound returns the lower bound of the bucket holding rate.
func lowerBound(rate int64) int64 { return bucketBounds[bucketFor(rate)] }

const (
	highRate = 50_000
	lowRate  = 2_000
)

// twoSpeedMarket is 200 blocks in which 5 high-fee transactions a block
// confirm in the next block and 5 low-fee ones ten blocks later.
func twoSpeedMarket() *market {
	m := newMarket(New())
	m.run(200, flow{highRate, 1, 5}, flow{lowRate, 10, 5})
	return m
}

func TestLayout(t *testing.T) {
	if numBuckets != 97 || bucketBounds[0] != MinBucketFeeRate || bucketBounds[numBuckets-1] > MaxBucketFeeRate {
		t.Fatalf("buckets: %d, first %d, last %d", numBuckets, bucketBounds[0], bucketBounds[numBuckets-1])
	}
	if next := (bucketBounds[numBuckets-1]*11 + 5) / 10; next <= MaxBucketFeeRate {
		t.Fatalf("bucket bound %d missing", next)
	}
	for i := 1; i < numBuckets; i++ {
		if r := float64(bucketBounds[i]) / float64(bucketBounds[i-1]); r < 1.09 || r > 1.11 {
			t.Fatalf("bucket %d: ratio %v", i, r)
		}
	}
	if numEdges != 64 || targetEdges[0] != 1 || targetEdges[numEdges-1] != MaxTarget {
		t.Fatalf("edges: %v", targetEdges)
	}
	for i := 1; i < numEdges; i++ {
		if targetEdges[i] <= targetEdges[i-1] || (i < 16 && targetEdges[i] != i+1) {
			t.Fatalf("edges: %v", targetEdges)
		}
	}
	buckets := []struct {
		rate int64
		want int
	}{
		{-5, 0}, {0, 0}, {999, 0}, {1000, 0}, {1099, 0}, {1100, 1}, {1210, 2},
		{bucketBounds[40] - 1, 39}, {bucketBounds[40], 40}, {MaxBucketFeeRate, 96}, {math.MaxInt64, 96},
	}
	for _, c := range buckets {
		if got := bucketFor(c.rate); got != c.want {
			t.Errorf("bucketFor(%d) = %d, want %d", c.rate, got, c.want)
		}
	}
	bins := []struct {
		blocks int64
		want   int
	}{
		{1, 0}, {2, 1}, {16, 15}, {17, 16}, {18, 16}, {19, 17}, {1008, numEdges - 1}, {1009, numEdges}, {1 << 40, numEdges},
	}
	for _, c := range bins {
		if got := binFor(c.blocks); got != c.want {
			t.Errorf("binFor(%d) = %d, want %d", c.blocks, got, c.want)
		}
	}
	edges := []struct {
		blocks int64
		want   int
	}{
		{-3, -1}, {0, -1}, {1, 0}, {16, 15}, {17, 15}, {18, 16}, {1007, numEdges - 2}, {1008, numEdges - 1}, {5000, numEdges - 1},
	}
	for _, c := range edges {
		if got := edgeAtMost(c.blocks); got != c.want {
			t.Errorf("edgeAtMost(%d) = %d, want %d", c.blocks, got, c.want)
		}
	}
}

func TestSyntheticMarket(t *testing.T) {
	e := twoSpeedMarket().e
	high, low := lowerBound(highRate), lowerBound(lowRate)
	if high <= low || high > highRate || low > lowRate {
		t.Fatalf("bounds: high %d, low %d", high, low)
	}
	cases := []struct {
		target       int
		conservative bool
		wantRate     int64
		wantBlocks   int
	}{
		{1, false, high, 1},
		{1, true, high, 1},
		{2, false, high, 2},
		{5, false, high, 5},
		{9, false, high, 9},
		{9, true, high, 9},
		{10, false, low, 10},
		{10, true, low, 10},
		{11, false, low, 11},
		{17, false, low, 17},
		{144, false, low, 144},
		{1008, true, low, 1008},
		{0, false, high, 1},
		{-7, true, high, 1},
		{5000, false, low, MaxTarget},
	}
	for _, c := range cases {
		rate, blocks, err := e.EstimateSmartFee(c.target, c.conservative)
		if err != nil || rate != c.wantRate || blocks != c.wantBlocks {
			t.Errorf("EstimateSmartFee(%d, %v) = %d, %d, %v; want %d, %d",
				c.target, c.conservative, rate, blocks, err, c.wantRate, c.wantBlocks)
		}
	}
}

func TestInsufficientData(t *testing.T) {
	fee := lowerBound(20_000)
	cases := []struct {
		name       string
		setup      func(*market)
		target     int
		wantRate   int64 // 0: want ErrInsufficientData
		wantBlocks int
	}{
		{"no block seen", nil, 1, 0, 1},
		{"no transactions", func(m *market) { m.run(50) }, 6, 0, 6},
		{"too few transactions", func(m *market) { m.run(3, flow{20_000, 1, 9}); m.drain() }, 1, 0, 1},
		{"too few, clamped target", func(m *market) { m.run(3, flow{20_000, 1, 9}); m.drain() }, 2000, 0, MaxTarget},
		{"enough transactions", func(m *market) { m.run(4, flow{20_000, 1, 9}); m.drain() }, 1, fee, 1},
		{"nothing ever confirms", func(m *market) { m.run(1, flow{20_000, 0, 100}); m.run(1100) }, 1008, 0, 1008},
		{"only slow confirmations: answer for 3", func(m *market) { m.run(50, flow{20_000, 3, 5}) }, 1, fee, 3},
		{"only slow confirmations, conservative", func(m *market) { m.run(50, flow{20_000, 3, 5}) }, 2, fee, 3},
		{"only slow confirmations: asked 3", func(m *market) { m.run(50, flow{20_000, 3, 5}) }, 3, fee, 3},
	}
	for _, c := range cases {
		e := New()
		if c.setup != nil {
			c.setup(newMarket(e))
		}
		conservative := strings.Contains(c.name, "conservative")
		rate, blocks, err := e.EstimateSmartFee(c.target, conservative)
		if c.wantRate == 0 {
			if !errors.Is(err, ErrInsufficientData) || rate != 0 || blocks != c.wantBlocks ||
				!strings.Contains(err.Error(), "insufficient data") {
				t.Errorf("%s: got %d, %d, %v; want insufficient data for %d blocks", c.name, rate, blocks, err, c.wantBlocks)
			}
			continue
		}
		if err != nil || rate != c.wantRate || blocks != c.wantBlocks {
			t.Errorf("%s: got %d, %d, %v; want %d, %d", c.name, rate, blocks, err, c.wantRate, c.wantBlocks)
		}
	}
}

func TestWaitingTransactionsRaiseEstimate(t *testing.T) {
	high, low := lowerBound(highRate), lowerBound(lowRate)
	market := []flow{{highRate, 1, 5}, {lowRate, 1, 5}}
	cases := []struct {
		name   string
		stuck  int // low-fee transactions that never confirm
		wait   int // blocks connected after they entered
		left   bool
		target int
		want   int64
	}{
		{"none stuck", 0, 3, false, 1, low},
		{"stuck, target 1", 300, 3, false, 1, high},
		{"stuck, target 3", 300, 3, false, 3, high},
		{"stuck but younger than target", 300, 3, false, 4, low},
		{"few stuck", 20, 3, false, 1, low},
		{"stuck then evicted", 300, 3, true, 1, low},
	}
	for _, c := range cases {
		m := newMarket(New())
		m.run(100, market...)
		for range c.stuck {
			m.enter(flow{lowRate, 0, 1})
		}
		m.run(c.wait, market...)
		if c.left {
			for _, id := range m.stuck {
				m.e.TxLeft(id)
			}
		}
		rate, _, err := m.e.EstimateSmartFee(c.target, false)
		if err != nil || rate != c.want {
			t.Errorf("%s: got %d, %v; want %d", c.name, rate, err, c.want)
		}
	}
}

func TestDecay(t *testing.T) {
	high, low := lowerBound(highRate), lowerBound(lowRate)
	cases := []struct {
		name   string
		gap    int  // empty blocks between the two phases
		recent bool // whether the second phase happens
		want   int64
	}{
		// Old fast confirmations of cheap transactions outweigh recent slow ones...
		{"recent regime change", 0, true, low},
		// ...until they have faded.
		{"old regime faded", 2000, true, high},
		{"everything faded", 3000, false, 0},
	}
	for _, c := range cases {
		m := newMarket(New())
		m.run(100, flow{highRate, 1, 5}, flow{lowRate, 1, 5})
		m.run(c.gap)
		if c.recent {
			m.run(10, flow{highRate, 1, 4}, flow{lowRate, 5, 4})
			m.drain()
		}
		rate, _, err := m.e.EstimateSmartFee(1, false)
		if c.want == 0 {
			if !errors.Is(err, ErrInsufficientData) {
				t.Errorf("%s: got %d, %v; want insufficient data", c.name, rate, err)
			}
			continue
		}
		if err != nil || rate != c.want {
			t.Errorf("%s: got %d, %v; want %d", c.name, rate, err, c.want)
		}
	}
}

func TestDecayArithmetic(t *testing.T) {
	a, b := twoSpeedMarket().e, twoSpeedMarket().e
	before := append([]float64(nil), a.conf...)
	h := a.best
	a.BlockConnected(h+1, nil)
	for i, v := range a.conf {
		if want := before[i] * Decay; math.Abs(v-want) > 1e-9*want {
			t.Fatalf("count %d: %v after one block, want %v", i, v, want)
		}
	}
	// A jump in height decays as much as the blocks it skips.
	for i := int32(2); i <= 50; i++ {
		a.BlockConnected(h+i, nil)
	}
	b.BlockConnected(h+50, nil)
	for i := range a.conf {
		if math.Abs(a.conf[i]-b.conf[i]) > 1e-9*a.conf[i] {
			t.Fatalf("count %d: %v block by block, %v in one jump", i, a.conf[i], b.conf[i])
		}
	}
	b.BlockConnected(h+50+20000, nil)
	for i, v := range b.conf {
		if v != 0 {
			t.Fatalf("count %d is %v after 20000 blocks, want 0", i, v)
		}
	}
}

func TestEvents(t *testing.T) {
	e := New()
	m := newMarket(e)
	sum := func() (s float64) {
		for _, v := range e.conf {
			s += v
		}
		return s
	}
	id := m.txid()

	// A duplicate TxEntered keeps the first entry height.
	e.TxEntered(id, 5000, startHeight)
	e.TxEntered(id, 90000, startHeight+3)
	e.BlockConnected(startHeight+4, []wire.Hash{id})
	if got := e.conf[bucketFor(5000)*numBins+binFor(4)]; got != 1 || len(e.txs) != 0 {
		t.Fatalf("confirmed after 4 blocks: count %v, %d tracked", got, len(e.txs))
	}

	// A transaction that left is not recorded when a block confirms it anyway.
	total := sum()
	left := m.txid()
	e.TxEntered(left, 5000, startHeight+4)
	e.TxLeft(left)
	e.TxLeft(m.txid()) // unknown: ignored
	e.BlockConnected(startHeight+5, []wire.Hash{left})
	if got := sum(); math.Abs(got-total*Decay) > 1e-12 {
		t.Fatalf("counts sum to %v, want %v", got, total*Decay)
	}

	// A block at a height already seen (a reorganisation) only forgets.
	total = sum()
	again := m.txid()
	e.TxEntered(again, 5000, startHeight+4)
	e.BlockConnected(startHeight+5, []wire.Hash{again})
	if got := sum(); got != total || len(e.txs) != 0 || e.best != startHeight+5 {
		t.Fatalf("replacement block: sum %v (want %v), %d tracked, best %d", got, total, len(e.txs), e.best)
	}

	// A transaction entered at the block's own height has no honest timing.
	late := m.txid()
	e.TxEntered(late, 5000, startHeight+6)
	e.BlockConnected(startHeight+6, []wire.Hash{late})
	e.BlockConnected(-1, []wire.Hash{late})
	if got := sum(); math.Abs(got-total*Decay) > 1e-12 || len(e.txs) != 0 {
		t.Fatalf("zero-block confirmation: sum %v, want %v; %d tracked", got, total*Decay, len(e.txs))
	}
}

func TestConcurrentUse(t *testing.T) {
	e := New()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				var h wire.Hash
				h[0], h[1], h[2] = byte(g), byte(i), byte(i>>8)
				e.TxEntered(h, int64(1000+i*100), int32(i))
				switch g {
				case 0:
					e.BlockConnected(int32(i+1), []wire.Hash{h})
				case 1:
					e.TxLeft(h)
				case 2:
					e.EstimateSmartFee(i%20+1, i%2 == 0)
				case 3:
					var sb strings.Builder
					if err := e.Save(&sb); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
}

func TestSlowBucketNotHiddenByVolume(t *testing.T) {
	high, low := lowerBound(highRate), lowerBound(lowRate)
	cases := []struct {
		name       string
		highPerBlk int
		target     int
		want       int64
	}{
		// 50 fast high-fee transactions a block for 5 slow cheap ones: over all
		// transactions at or above the cheap bucket 90% confirm within 1 block,
		// yet the cheap bucket itself never does.
		{"heavy fast volume, target 1", 50, 1, high},
		{"heavy fast volume, target 10", 50, 10, low},
		{"equal volume, target 1", 5, 1, high},
	}
	for _, c := range cases {
		m := newMarket(New())
		m.run(200, flow{highRate, 1, c.highPerBlk}, flow{lowRate, 10, 5})
		rate, _, err := m.e.EstimateSmartFee(c.target, false)
		if err != nil || rate != c.want {
			t.Errorf("%s: got %d, %v; want %d", c.name, rate, err, c.want)
		}
	}
}
