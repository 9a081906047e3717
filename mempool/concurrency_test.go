package mempool

import (
	"sync"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
)

// TestConcurrentUse runs acceptance, block connection (whose notifications
// call back into the pool and the chain) and queries at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, 40, nil)
	var txs []*wire.Tx
	for i := 0; i < 30; i++ {
		txs = append(txs, h.spend([]utxo{h.coin()}, txOpts{fee: 1000}))
	}
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		for _, tx := range txs {
			if _, err := h.pool.Accept(tx, AcceptOptions{}); err != nil {
				t.Error(err)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 3; i++ {
			h.mine()
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			h.pool.Info()
			h.pool.MiningOrder()
			h.pool.Entries()
		}
	}()
	wg.Wait()
	if n := h.pool.Info().Size; n != 30 {
		t.Fatalf("size %d", n)
	}
}
