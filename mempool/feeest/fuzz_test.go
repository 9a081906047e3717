package feeest

import (
	"bytes"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load: it must never panic, a refused
// file must leave the estimator empty, and an accepted one must save back to
// the same bytes and answer estimates.
func FuzzLoad(f *testing.F) {
	empty := saved(f, New())
	good := saved(f, drainedMarket().e)
	f.Add(empty)
	f.Add(good)
	for _, c := range corruptions {
		f.Add(c.damage(bytes.Clone(good)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e := New()
		if err := e.Load(bytes.NewReader(b)); err != nil {
			if !bytes.Equal(saved(t, e), empty) {
				t.Fatalf("refused file %q left state behind", err)
			}
			return
		}
		if !bytes.Equal(saved(t, e), b) {
			t.Fatalf("accepted file saves differently")
		}
		for _, target := range []int{1, 2, 25, MaxTarget} {
			e.EstimateSmartFee(target, target%2 == 0)
		}
		e.BlockConnected(e.best+1, nil)
	})
}
