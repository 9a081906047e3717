package wallet

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

func wantBalances(t *testing.T, w *Wallet, step string, want Balances) {
	t.Helper()
	if got := w.Balances(); got != want {
		t.Fatalf("%s: balances %+v, want %+v", step, got, want)
	}
}

func connect(t *testing.T, w *Wallet, b *wire.Block, h int32) {
	t.Helper()
	if err := w.ProcessBlockConnected(b, h); err != nil {
		t.Fatal(err)
	}
}

func TestTrackCoinbaseSpendAndReorg(t *testing.T) {
	w, clk := newTestWallet(t, 5)
	var c testChain
	connectNext(t, w, &c, foreignScript(1)) // genesis, not ours
	mine, err := w.NextReceive()
	if err != nil {
		t.Fatal(err)
	}

	// A coinbase to the wallet at height 1: immature.
	cb, h := c.add(mine.ScriptPubKey())
	connect(t, w, cb, h)
	cbID := cb.Transactions[0].TxHash()
	wantBalances(t, w, "coinbase", Balances{Immature: 50 * coin})
	if u := w.ListUnspent(0, 9999999); len(u) != 0 {
		t.Fatalf("immature coinbase listed unspent: %+v", u)
	}
	d, err := w.Transaction(cbID)
	if err != nil || d.Entries[0].Category != CategoryImmature || !d.Generated || d.Confirmations != 1 {
		t.Fatalf("coinbase details %+v %v", d, err)
	}

	// 99 confirmations: still immature; 100: spendable.
	for len(c.blocks) < 100 {
		connectNext(t, w, &c, foreignScript(1))
	}
	if w.TipHeight() != 99 {
		t.Fatalf("tip %d", w.TipHeight())
	}
	wantBalances(t, w, "99 confirmations", Balances{Immature: 50 * coin})
	connectNext(t, w, &c, foreignScript(1))
	wantBalances(t, w, "100 confirmations", Balances{Trusted: 50 * coin})
	u := w.ListUnspent(1, 9999999)
	if len(u) != 1 || u[0].Confirmations != 100 || !u[0].Coinbase || u[0].Address != mine.String() || !u[0].Safe {
		t.Fatalf("unspent %+v", u)
	}
	if d, _ := w.Transaction(cbID); d.Entries[0].Category != CategoryGenerate {
		t.Errorf("mature coinbase category %s", d.Entries[0].Category)
	}

	// Spend it: 30 to someone else, change back, 0.001 fee. In the mempool
	// the change is trusted.
	change, err := w.NextChange()
	if err != nil {
		t.Fatal(err)
	}
	const fee = coin / 1000
	spend := spendTx([]wire.OutPoint{{Hash: cbID}},
		&wire.TxOut{Value: 30 * coin, PkScript: foreignScript(2)},
		&wire.TxOut{Value: 20*coin - fee, PkScript: change.ScriptPubKey()})
	if err := w.SignInput(spend, 0, mine.ScriptPubKey()); err != nil {
		t.Fatal(err)
	}
	if err := script.VerifyInput(spend, 0, mine.ScriptPubKey(), script.StandardVerifyFlags, nil); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if err := w.ProcessMempoolTx(spend); err != nil {
		t.Fatal(err)
	}
	wantBalances(t, w, "spend in mempool", Balances{Trusted: 20*coin - fee})
	sd, err := w.Transaction(spend.TxHash())
	if err != nil {
		t.Fatal(err)
	}
	if !sd.HasFee || sd.Fee != -fee || sd.Amount != -30*coin || sd.Confirmations != 0 || !sd.Trusted {
		t.Errorf("send details: fee %d amount %d conf %d trusted %v", sd.Fee, sd.Amount, sd.Confirmations, sd.Trusted)
	}
	if len(sd.Entries) != 1 || sd.Entries[0].Category != CategorySend || sd.Entries[0].Amount != -30*coin {
		t.Errorf("send entries %+v (change must not be listed)", sd.Entries)
	}
	if u := w.ListUnspent(0, 0); len(u) != 1 || !u[0].Change || !u[0].Safe {
		t.Errorf("unconfirmed change unspent %+v", u)
	}
	if u := w.ListUnspent(1, 9999999); len(u) != 0 {
		t.Errorf("confirmed unspent while spent in mempool: %+v", u)
	}

	// Mined in block 101.
	connectNext(t, w, &c, foreignScript(1), spend)
	wantBalances(t, w, "spend confirmed", Balances{Trusted: 20*coin - fee})
	if sd, _ := w.Transaction(spend.TxHash()); sd.Confirmations != 1 || sd.Block == nil || sd.Block.Height != 101 {
		t.Errorf("confirmed spend %+v", sd.Block)
	}

	// A payment from someone else: untrusted in the mempool, trusted once
	// confirmed, gone with its block, back when the mempool takes it again.
	recv, _ := w.NextReceive()
	pay := spendTx([]wire.OutPoint{{Hash: wire.Hash{0xee}, Index: 3}}, &wire.TxOut{Value: 5 * coin, PkScript: recv.ScriptPubKey()})
	if err := w.ProcessMempoolTx(pay); err != nil {
		t.Fatal(err)
	}
	wantBalances(t, w, "payment in mempool", Balances{Trusted: 20*coin - fee, UntrustedPending: 5 * coin})
	pb, ph := c.add(foreignScript(1), pay)
	connect(t, w, pb, ph)
	if err := w.RemoveMempoolTx(pay.TxHash()); err != nil { // the mempool drops the mined tx
		t.Fatal(err)
	}
	wantBalances(t, w, "payment confirmed", Balances{Trusted: 25*coin - fee})
	pd, _ := w.Transaction(pay.TxHash())
	if pd.Entries[0].Category != CategoryReceive || pd.Amount != 5*coin || pd.HasFee {
		t.Errorf("receive details %+v", pd)
	}

	b, h := c.pop()
	if err := w.ProcessBlockDisconnected(b, h); err != nil {
		t.Fatal(err)
	}
	wantBalances(t, w, "payment's block disconnected", Balances{Trusted: 20*coin - fee})
	if pd, _ := w.Transaction(pay.TxHash()); pd.Confirmations != 0 || pd.Block != nil {
		t.Errorf("disconnected payment still confirmed: %+v", pd.Block)
	}
	if w.TipHeight() != 101 {
		t.Errorf("tip after disconnect %d", w.TipHeight())
	}
	if err := w.ProcessMempoolTx(pay); err != nil {
		t.Fatal(err)
	}
	wantBalances(t, w, "payment back in mempool", Balances{Trusted: 20*coin - fee, UntrustedPending: 5 * coin})

	// Everything survives a restart.
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(w.path)
	before := w.Transactions()
	w.Close()
	w2, err := Open(testConfig(t, dir, 0, clk))
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	wantBalances(t, w2, "reopened", Balances{Trusted: 20*coin - fee, UntrustedPending: 5 * coin})
	after := w2.Transactions()
	if len(after) != len(before) || len(after) != 3 {
		t.Fatalf("transactions %d after reopen, %d before", len(after), len(before))
	}
	for i := range after {
		if after[i].TxID != before[i].TxID || after[i].Confirmations != before[i].Confirmations {
			t.Errorf("transaction %d differs after reopen", i)
		}
	}

	// A wallet restored from the seed finds the same history by rescan.
	r, err := CreateFromSeed(testConfig(t, t.TempDir(), 5, clk), testSeed)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	last, err := r.Rescan(&c, 0)
	if err != nil || last != 101 {
		t.Fatalf("rescan to %d: %v", last, err)
	}
	wantBalances(t, r, "restored by rescan", Balances{Trusted: 20*coin - fee})
	if _, err := r.Transaction(spend.TxHash()); err != nil {
		t.Errorf("rescan missed the spend: %v", err)
	}
	if _, err := r.Transaction(wire.Hash{1}); !errors.Is(err, ErrTxNotFound) {
		t.Errorf("unknown txid: %v", err)
	}
}

func TestOrphanedCoinbaseAndConflict(t *testing.T) {
	w, _ := newTestWallet(t, 3)
	a, _ := w.NextReceive()
	var c testChain
	connectNext(t, w, &c, foreignScript(1))
	cb, h := c.add(a.ScriptPubKey())
	connect(t, w, cb, h)
	wantBalances(t, w, "coinbase", Balances{Immature: 50 * coin})
	b, h := c.pop()
	if err := w.ProcessBlockDisconnected(b, h); err != nil {
		t.Fatal(err)
	}
	wantBalances(t, w, "coinbase orphaned", Balances{})
	d, _ := w.Transaction(cb.Transactions[0].TxHash())
	if d.Entries[0].Category != CategoryOrphan {
		t.Errorf("category %s, want orphan", d.Entries[0].Category)
	}

	// An unconfirmed payment whose input a confirmed transaction spends
	// is conflicted and counts for nothing.
	src := wire.OutPoint{Hash: wire.Hash{0xab}, Index: 0}
	pay := spendTx([]wire.OutPoint{src}, &wire.TxOut{Value: 2 * coin, PkScript: a.ScriptPubKey()})
	if err := w.ProcessMempoolTx(pay); err != nil {
		t.Fatal(err)
	}
	wantBalances(t, w, "pending", Balances{UntrustedPending: 2 * coin})
	// The double spend pays the wallet less, so the wallet records it too.
	ds := spendTx([]wire.OutPoint{src}, &wire.TxOut{Value: coin, PkScript: a.ScriptPubKey()})
	connectNext(t, w, &c, foreignScript(1), ds)
	wantBalances(t, w, "double spend confirmed", Balances{Trusted: coin})
	if d, _ := w.Transaction(pay.TxHash()); d.Confirmations != -1 {
		t.Errorf("conflicted confirmations %d, want -1", d.Confirmations)
	}
}

// connectNext adds a block to c and connects it to w.
func connectNext(t *testing.T, w *Wallet, c *testChain, cbScript []byte, txs ...*wire.Tx) {
	t.Helper()
	b, h := c.add(cbScript, txs...)
	connect(t, w, b, h)
}
