package stratum

import (
	"slices"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/miner"
)

// TestBlockWithPoolTransactions mines through Stratum on a regtest chain
// whose mempool holds three transactions: the job's merkle branch has two
// levels, the block found holds the transactions and the chain connects
// it; the mempool change first brings a refreshed job.
func TestBlockWithPoolTransactions(t *testing.T) {
	c, err := chain.Open(t.Context(), chain.Config{Dir: t.TempDir(), Params: consensus.RegTestParams, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	redeem := []byte{script.OP_TRUE}
	fund, _ := script.PayToScriptHashScript(script.Hash160(redeem))
	sig, _ := script.NewBuilder().AddData(redeem).Script()
	var coinbases []*wire.Tx
	now := time.Now().Add(-2 * time.Hour)
	for i := range 103 {
		b, err := miner.BuildBlock(c, fund, nil, uint64(i), now)
		if err != nil {
			t.Fatal(err)
		}
		if !miner.Solve(&b.Header, 1<<20) {
			t.Fatal("not solved")
		}
		if _, err := c.ProcessBlock(b); err != nil {
			t.Fatal(err)
		}
		coinbases = append(coinbases, b.Transactions[0])
		now = now.Add(time.Second)
	}
	pool := mempool.New(c, mempool.Config{Logger: quiet})
	c.Subscribe(func(n chain.Notification) { pool.HandleNotification(n) })

	cfg := Config{Chain: c, Pool: pool, PoolCheckInterval: 20 * time.Millisecond}
	s := startServer(t, cfg)
	cl := ready(t, s, 40)
	if len(cl.lastJob().Branch) != 0 {
		t.Fatalf("branch of an empty pool's job: %v", cl.lastJob().Branch)
	}
	var txids []wire.Hash
	for i := range 3 {
		cb := coinbases[i]
		spend := &wire.Tx{Version: 2,
			TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()}, SignatureScript: sig,
				Sequence: wire.MaxTxInSequenceNum}},
			TxOut: []*wire.TxOut{{Value: cb.TxOut[0].Value - 10_000, PkScript: fund}}}
		if _, err := pool.Accept(spend, mempool.AcceptOptions{}); err != nil {
			t.Fatalf("pool refuses spend %d: %v", i, err)
		}
		txids = append(txids, spend.TxHash())
	}
	for len(cl.lastJob().Branch) != 2 {
		cl.waitFor("mining.notify")
	}
	j := cl.lastJob()
	if j.Clean {
		t.Error("a mempool refresh sent as a clean job")
	}
	netT, _, _ := consensus.CompactToBig(consensus.RegTestPowLimitBits)
	sh := cl.mine(j, 1, 0, netT, true, 0)
	if _, serr := cl.submit(sh, false); serr != nil {
		t.Fatal(serr)
	}
	best := c.Best()
	if best.Height != 104 || best.Hash != wire.Hash(sh.hash) {
		t.Fatalf("tip %d %s, want 104 %x", best.Height, best.Hash, sh.hash)
	}
	b, err := c.Block(best.Hash)
	if err != nil {
		t.Fatal(err)
	}
	got := b.TxHashes()[1:]
	for _, id := range txids {
		if !slices.Contains(got, id) {
			t.Errorf("transaction %s not in the block", id)
		}
	}
	// 50 NDC plus 3 × 10,000 in fees to the worker.
	if v := b.Transactions[0].TxOut[0].Value; v != 50_0000_0000+30_000 {
		t.Errorf("coinbase pays %d", v)
	}
}
