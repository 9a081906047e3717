package p2psim

import (
	"slices"
	"testing"
	"time"
)

// TestBlocksReachEveryNode runs the 50-node simulation with a few blocks:
// every block must reach every node, within a bound far above the
// expected milliseconds, along paths no longer than the graph allows.
func TestBlocksReachEveryNode(t *testing.T) {
	if testing.Short() {
		t.Skip("50 chains in -short mode")
	}
	const nodes, blocks = 50, 3
	delays, hops, err := Run(t.TempDir(), nodes, blocks, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if len(delays) != blocks*(nodes-1) || len(hops) != len(delays) {
		t.Fatalf("%d arrivals, want %d", len(delays), blocks*(nodes-1))
	}
	slices.Sort(delays)
	slices.Sort(hops)
	if hops[0] < 1 || hops[len(hops)-1] > nodes-1 {
		t.Fatalf("hops from %d to %d", hops[0], hops[len(hops)-1])
	}
	if worst := delays[len(delays)-1]; worst > 10*time.Second {
		t.Fatalf("slowest arrival %v", worst)
	}
	t.Logf("median %v, max %v, hops median %d max %d", delays[len(delays)/2], delays[len(delays)-1], hops[len(hops)/2], hops[len(hops)-1])
}
