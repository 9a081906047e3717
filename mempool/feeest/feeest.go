package feeest

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// The estimator's fixed parameters; the package documentation explains them.
const (
	// MinBucketFeeRate is the lower bound of the first fee-rate bucket, in
	// base units per 1,000 bytes.
	MinBucketFeeRate = 1_000
	// MaxBucketFeeRate is the largest possible bucket lower bound, in base
	// units per 1,000 bytes.
	MaxBucketFeeRate = 10_000_000
	// Decay is the factor every count is multiplied by on each new block.
	Decay = 0.998
	// MaxTarget is the largest confirmation target, in blocks, as in
	// Bitcoin Core.
	MaxTarget = 1008
	// SuccessThreshold is the share of transactions that must have confirmed
	// within the target for a range of buckets to pass.
	SuccessThreshold = 0.85
	// ConservativeThreshold is SuccessThreshold in conservative mode.
	ConservativeThreshold = 0.95
	// SufficientData is the decayed number of observations a range of
	// buckets needs before its success rate is trusted.
	SufficientData = 30
)

// ErrInsufficientData is returned (wrapped) by EstimateSmartFee when no fee
// rate can be given honestly; the RPC layer reports it as Bitcoin Core's
// "Insufficient data or no feerate found".
var ErrInsufficientData = errors.New("insufficient data or no feerate found")

// minCount is the size below which a decayed count becomes zero, so that
// counts never shrink into denormal numbers.
const minCount = 1e-9

var (
	// bucketBounds are the lower bounds of the fee-rate buckets, ascending.
	bucketBounds = makeBucketBounds()
	// targetEdges are the upper ends, in blocks, of the confirmation-time
	// bins, ascending from 1 to MaxTarget; one more bin holds longer times.
	targetEdges = makeTargetEdges()
	numBuckets  = len(bucketBounds)
	numBins     = len(targetEdges) + 1
	numEdges    = len(targetEdges)
)

// makeBucketBounds returns 1,000 and each next bound the previous times 1.1,
// rounded, up to MaxBucketFeeRate; integer arithmetic keeps it the same on
// every platform.
func makeBucketBounds() []int64 {
	var b []int64
	for v := int64(MinBucketFeeRate); v <= MaxBucketFeeRate; v = (v*11 + 5) / 10 {
		b = append(b, v)
	}
	return b
}

// makeTargetEdges returns 1..16, then edges whose spacing doubles each time
// the edge reaches 16 times the spacing, and finally MaxTarget.
func makeTargetEdges() []int {
	var edges []int
	step := 1
	for e := 1; e < MaxTarget; e += step {
		edges = append(edges, e)
		if e >= 16*step {
			step *= 2
		}
	}
	return append(edges, MaxTarget)
}

// bucketFor returns the index of the bucket holding feeRate: the last one
// whose lower bound is at most feeRate, or the first for lower rates.
func bucketFor(feeRate int64) int {
	i := sort.Search(numBuckets, func(i int) bool { return bucketBounds[i] > feeRate }) - 1
	return max(i, 0)
}

// binFor returns the bin of a confirmation after blocks blocks (blocks >= 1):
// the first edge >= blocks, or the overflow bin past MaxTarget.
func binFor(blocks int64) int {
	return sort.Search(numEdges, func(i int) bool { return int64(targetEdges[i]) >= blocks })
}

// edgeAtMost returns the index of the largest edge <= blocks, or -1 when
// blocks < 1.
func edgeAtMost(blocks int64) int {
	return sort.Search(numEdges, func(i int) bool { return int64(targetEdges[i]) > blocks }) - 1
}

// tracked is a transaction in the mempool whose confirmation is awaited.
type tracked struct {
	entry  int32 // tip height when it entered the mempool
	bucket int32 // its fee-rate bucket
}

// Estimator is a fee estimator fed with mempool and block events. Create one
// with New; it is safe for concurrent use.
type Estimator struct {
	mu sync.Mutex
	// best is the height of the highest block connected, -1 before any.
	best int32
	// conf holds, bucket-major, the decayed number of transactions of each
	// bucket confirmed within each bin's span of blocks.
	conf []float64
	// txs are the mempool transactions awaiting confirmation.
	txs map[wire.Hash]tracked
}

// New returns an empty estimator.
func New() *Estimator {
	e := &Estimator{}
	e.resetLocked()
	return e
}

// resetLocked empties the estimator; the caller holds e.mu or owns e.
func (e *Estimator) resetLocked() {
	e.best = -1
	e.conf = make([]float64, numBuckets*numBins)
	e.txs = make(map[wire.Hash]tracked)
}

// TxEntered records that transaction txid, paying feeRate base units per
// 1,000 bytes, entered the mempool while the tip was at height. A txid
// already tracked keeps its first entry. See the package documentation for
// the transactions that should not be reported.
func (e *Estimator) TxEntered(txid wire.Hash, feeRate int64, height int32) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.txs[txid]; ok {
		return
	}
	e.txs[txid] = tracked{entry: height, bucket: int32(bucketFor(feeRate))}
}

// TxLeft forgets transaction txid, which left the mempool without being
// confirmed (evicted, replaced or expired). Unknown txids are ignored.
func (e *Estimator) TxLeft(txid wire.Hash) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.txs, txid)
}

// BlockConnected records the block at height, which confirmed txids. If
// height is above every height seen so far, the counts first decay by one
// block per height gained, then each tracked txid is recorded as confirmed
// after height - entry height blocks and forgotten. At or below the highest
// height seen (after a reorganisation) the tracked txids are only forgotten.
// Negative heights are ignored.
func (e *Estimator) BlockConnected(height int32, txids []wire.Hash) {
	if height < 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if height <= e.best {
		for _, id := range txids {
			delete(e.txs, id)
		}
		return
	}
	gap := int64(1)
	if e.best >= 0 {
		gap = int64(height) - int64(e.best)
	}
	e.decayLocked(gap)
	e.best = height
	for _, id := range txids {
		t, ok := e.txs[id]
		if !ok {
			continue
		}
		delete(e.txs, id)
		blocks := int64(height) - int64(t.entry)
		if blocks < 1 {
			continue // entered at or after this height: no honest timing
		}
		e.conf[int(t.bucket)*numBins+binFor(blocks)]++
	}
}

// decayLocked multiplies every count by Decay once per block in blocks.
func (e *Estimator) decayLocked(blocks int64) {
	f := math.Pow(Decay, float64(blocks))
	for i, v := range e.conf {
		v *= f
		if v < minCount {
			v = 0
		}
		e.conf[i] = v
	}
}

// EstimateSmartFee returns the lowest bucket lower bound at which, in the
// decayed observations, at least 85% (conservative: 95%) of the transactions
// confirmed within target blocks, with enough data. The target is clamped to
// [1, MaxTarget]; blocks is the target the answer holds for: the clamped
// target, or a larger one when the clamped one had no answer. Without an
// answer it returns a zero fee rate, the clamped target and an error wrapping
// ErrInsufficientData.
func (e *Estimator) EstimateSmartFee(target int, conservative bool) (feeRate int64, blocks int, err error) {
	target = min(max(target, 1), MaxTarget)
	threshold := SuccessThreshold
	if conservative {
		threshold = ConservativeThreshold
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.best >= 0 {
		within, total, waiting := e.tablesLocked()
		first := edgeAtMost(int64(target))
		for k := first; k < numEdges; k++ {
			b, ok := estimateAt(k, threshold, within, total, waiting)
			if !ok {
				continue
			}
			blocks = target
			if k != first {
				blocks = targetEdges[k]
			}
			return bucketBounds[b], blocks, nil
		}
	}
	return 0, target, fmt.Errorf("feeest: target %d blocks: %w", target, ErrInsufficientData)
}

// tablesLocked returns, bucket-major with numEdges columns, the decayed
// number of confirmations within each edge and the number of tracked
// transactions that have waited at least each edge, and per bucket the
// decayed number of all confirmations.
func (e *Estimator) tablesLocked() (within, total, waiting []float64) {
	within = make([]float64, numBuckets*numEdges)
	total = make([]float64, numBuckets)
	waiting = make([]float64, numBuckets*numEdges)
	for b := range numBuckets {
		sum := 0.0
		for k := range numEdges {
			sum += e.conf[b*numBins+k]
			within[b*numEdges+k] = sum
		}
		total[b] = sum + e.conf[b*numBins+numEdges]
	}
	for _, t := range e.txs {
		if k := edgeAtMost(int64(e.best) - int64(t.entry)); k >= 0 {
			waiting[int(t.bucket)*numEdges+k]++
		}
	}
	// A transaction that waited past edge k also waited past every lower one.
	for b := range numBuckets {
		for k := numEdges - 2; k >= 0; k-- {
			waiting[b*numEdges+k] += waiting[b*numEdges+k+1]
		}
	}
	return within, total, waiting
}

// estimateAt scans the buckets from the highest fee rate down in ranges of
// at least SufficientData attempts for target edge k, and returns the lowest
// bucket of the last range that passed threshold before the first that
// failed; ok is false when none passed.
func estimateAt(k int, threshold float64, within, total, waiting []float64) (bucket int, ok bool) {
	var successes, attempts float64
	for b := numBuckets - 1; b >= 0; b-- {
		successes += within[b*numEdges+k]
		attempts += total[b] + waiting[b*numEdges+k]
		if attempts < SufficientData {
			continue
		}
		if successes/attempts < threshold {
			break
		}
		bucket, ok = b, true
		successes, attempts = 0, 0
	}
	return bucket, ok
}
