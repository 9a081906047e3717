package chain

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/testutil"
	"github.com/syndtr/goleveldb/leveldb"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// testChain opens a regtest chain in dir whose clock stands far enough
// ahead of genesis for any test chain.
func testChain(t *testing.T, dir string) *Chain {
	t.Helper()
	c, err := Open(context.Background(), Config{Dir: dir, Params: consensus.RegTestParams, CacheMiB: 16, TxIndex: true,
		Now:    func() time.Time { return time.Unix(consensus.GenesisTime+1e6, 0) },
		Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// opTrue is an output script anyone can spend with an empty scriptSig.
var opTrue = []byte{script.OP_TRUE}

// blockInfo is what the builder needs to know about a parent block.
type blockInfo struct {
	hash   wire.Hash
	height int32
	time   uint32
}

func genesisInfo() blockInfo {
	g := consensus.RegTestParams.GenesisBlock
	return blockInfo{hash: g.BlockHash(), height: 0, time: g.Header.Timestamp}
}

// makeBlock builds and solves a regtest block on parent with a coinbase
// paying value (the subsidy when value < 0) to opTrue, and the given txs.
func makeBlock(t *testing.T, parent blockInfo, extraNonce int64, txs ...*wire.Tx) (*wire.Block, blockInfo) {
	t.Helper()
	height := parent.height + 1
	sig, err := script.NewBuilder().AddInt64(int64(height)).AddInt64(extraNonce).Script()
	if err != nil {
		t.Fatal(err)
	}
	cb := &wire.Tx{Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: sig, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: consensus.CalcBlockSubsidy(int64(height), consensus.RegTestParams), PkScript: opTrue}}}
	b := &wire.Block{Header: wire.BlockHeader{Version: 4, PrevBlock: parent.hash, Timestamp: parent.time + 60,
		Bits: consensus.RegTestPowLimitBits}, Transactions: append([]*wire.Tx{cb}, txs...)}
	b.Header.MerkleRoot, _ = wire.MerkleRoot(b.TxHashes())
	if !consensus.SolveHeader(&b.Header, consensus.RegTestParams.PowLimit) {
		t.Fatal("could not solve regtest header")
	}
	return b, blockInfo{hash: b.BlockHash(), height: height, time: b.Header.Timestamp}
}

// spend builds a transaction spending outpoint op (an opTrue output of
// value) into one opTrue output paying value-fee.
func spend(op wire.OutPoint, value, fee int64) *wire.Tx {
	return &wire.Tx{Version: 1,
		TxIn:  []*wire.TxIn{{PreviousOutPoint: op, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: value - fee, PkScript: opTrue}}}
}

func mustProcess(t *testing.T, c *Chain, b *wire.Block) ProcessResult {
	t.Helper()
	res, err := c.ProcessBlock(b)
	if err != nil {
		t.Fatalf("block %s: %v", b.BlockHash(), err)
	}
	return res
}

// extend mines n blocks on parent, processing each.
func extend(t *testing.T, c *Chain, parent blockInfo, n int, nonce int64) ([]*wire.Block, blockInfo) {
	t.Helper()
	var blocks []*wire.Block
	for i := 0; i < n; i++ {
		var b *wire.Block
		b, parent = makeBlock(t, parent, nonce)
		mustProcess(t, c, b)
		blocks = append(blocks, b)
	}
	return blocks, parent
}

func TestConnectSpendAndRestart(t *testing.T) {
	dir := t.TempDir()
	c := testChain(t, dir)
	blocks, tip := extend(t, c, genesisInfo(), 101, 0)
	// The first coinbase is mature at height 101 for a block at height 102.
	cbOut := wire.OutPoint{Hash: blocks[0].Transactions[0].TxHash()}
	value := blocks[0].Transactions[0].TxOut[0].Value
	tx := spend(cbOut, value, 1000)
	b, tip := makeBlock(t, tip, 0, tx)
	// The coinbase claims the fee too.
	b.Transactions[0].TxOut[0].Value += 1000
	b.Header.MerkleRoot, _ = wire.MerkleRoot(b.TxHashes())
	consensus.SolveHeader(&b.Header, consensus.RegTestParams.PowLimit)
	tip.hash = b.BlockHash()
	if res := mustProcess(t, c, b); !res.MainChain {
		t.Fatal("spending block not on main chain")
	}
	if best := c.Best(); best.Height != 102 || best.Hash != tip.hash {
		t.Fatalf("tip %d %s", best.Height, best.Hash)
	}
	// Spending the same coin again fails with missing inputs.
	again, _ := makeBlock(t, tip, 0, spend(cbOut, value, 2000))
	if _, err := c.ProcessBlock(again); !isKind(err, consensus.ErrMissingOrSpent) {
		t.Fatalf("double spend: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c = testChain(t, dir)
	defer c.Close()
	if best := c.Best(); best.Height != 102 || best.Hash != tip.hash {
		t.Fatalf("after restart: tip %d %s", best.Height, best.Hash)
	}
	c.mu.Lock()
	spent, _ := c.coins.fetch(cbOut)
	created, _ := c.coins.fetch(wire.OutPoint{Hash: tx.TxHash()})
	c.mu.Unlock()
	if spent != nil || created == nil || created.Value != value-1000 {
		t.Fatalf("coins after restart: spent=%v created=%+v", spent, created)
	}
}

func isKind(err error, k consensus.ErrorKind) bool {
	got, ok := consensus.IsRuleError(err)
	return ok && got == k
}

func TestReorgAndNotifications(t *testing.T) {
	c := testChain(t, t.TempDir())
	defer c.Close()
	var events []Notification
	c.Subscribe(func(n Notification) { events = append(events, n) })
	_, fork := extend(t, c, genesisInfo(), 5, 0)
	_, a := extend(t, c, fork, 3, 1)
	events = nil
	// A competing branch of equal work stays a side branch; one more block
	// makes it the best chain.
	bBlocks, b := extend(t, c, fork, 3, 2)
	if c.Best().Hash != a.hash {
		t.Fatal("equal-work branch replaced the first-seen tip")
	}
	more, b := makeBlock(t, b, 2)
	mustProcess(t, c, more)
	if best := c.Best(); best.Hash != b.hash || best.Height != 9 {
		t.Fatalf("tip after reorg %d %s", best.Height, best.Hash)
	}
	var disc, conn int
	for _, e := range events {
		switch e.Type {
		case BlockDisconnected:
			disc++
			if conn > 0 {
				t.Error("disconnection after a connection in one reorganisation")
			}
		case BlockConnected:
			conn++
		}
	}
	if disc != 3 || conn != 4 {
		t.Fatalf("events: %d disconnected, %d connected", disc, conn)
	}
	// Invalidate the new branch's first block: back to branch a.
	if err := c.InvalidateBlock(bBlocks[0].BlockHash()); err != nil {
		t.Fatal(err)
	}
	if c.Best().Hash != a.hash {
		t.Fatal("invalidateblock did not fall back to the other branch")
	}
	if err := c.ReconsiderBlock(bBlocks[0].BlockHash()); err != nil {
		t.Fatal(err)
	}
	if c.Best().Hash != b.hash {
		t.Fatal("reconsiderblock did not restore the best branch")
	}
}

func TestOrphanAndDuplicate(t *testing.T) {
	c := testChain(t, t.TempDir())
	defer c.Close()
	b1, i1 := makeBlock(t, genesisInfo(), 0)
	b2, i2 := makeBlock(t, i1, 0)
	if res, err := c.ProcessBlock(b2); err != nil || !res.Orphan {
		t.Fatalf("child first: %+v %v", res, err)
	}
	if res := mustProcess(t, c, b1); !res.MainChain {
		t.Fatal("parent not connected")
	}
	if c.Best().Hash != i2.hash {
		t.Fatal("orphan not connected after its parent arrived")
	}
	if _, err := c.ProcessBlock(b1); !errors.Is(err, ErrDuplicateBlock) {
		t.Fatalf("duplicate: %v", err)
	}
}

func TestMutatedBlockDoesNotPoisonHash(t *testing.T) {
	c := testChain(t, t.TempDir())
	defer c.Close()
	blocks, tip := extend(t, c, genesisInfo(), 101, 0)
	tx1 := spend(wire.OutPoint{Hash: blocks[0].Transactions[0].TxHash()}, blocks[0].Transactions[0].TxOut[0].Value, 0)
	tx2 := spend(wire.OutPoint{Hash: tx1.TxHash()}, tx1.TxOut[0].Value, 0)
	good, _ := makeBlock(t, tip, 0, tx1, tx2)
	// [cb tx1 tx2 tx2] has the same merkle root as [cb tx1 tx2].
	mutated := &wire.Block{Header: good.Header, Transactions: append(append([]*wire.Tx(nil), good.Transactions...), tx2)}
	if _, err := c.ProcessBlock(mutated); !consensus.IsMutated(err) {
		t.Fatalf("mutated block: %v", err)
	}
	if res := mustProcess(t, c, good); !res.MainChain {
		t.Fatal("honest block refused after its mutated twin")
	}
}

func TestCoinSetInfoMatchesAcrossReplays(t *testing.T) {
	c1 := testChain(t, t.TempDir())
	defer c1.Close()
	blocks, _ := extend(t, c1, genesisInfo(), 12, 0)
	c2 := testChain(t, t.TempDir())
	defer c2.Close()
	for _, b := range blocks[:11] {
		mustProcess(t, c2, b)
	}
	i1, err := c1.CoinSetInfo()
	if err != nil {
		t.Fatal(err)
	}
	i2, _ := c2.CoinSetInfo()
	if i1.Coins != 12 || i1.Total != 12*50*consensus.Coin || i1.Height != 12 {
		t.Fatalf("info %+v", i1)
	}
	if i1.Digest == i2.Digest {
		t.Fatal("different coin sets give the same digest")
	}
	mustProcess(t, c2, blocks[11])
	if i2, _ = c2.CoinSetInfo(); i2 != i1 {
		t.Fatalf("same chain, different info: %+v vs %+v", i2, i1)
	}
}

func TestTxIndexLookupAndToggle(t *testing.T) {
	dir := t.TempDir()
	c := testChain(t, dir)
	blocks, _ := extend(t, c, genesisInfo(), 3, 0)
	txid := blocks[1].Transactions[0].TxHash()
	got, err := c.TxByID(txid)
	if err != nil || got.Height != 2 || got.BlockHash != blocks[1].BlockHash() || got.Tx.TxHash() != txid {
		t.Fatalf("lookup: %+v %v", got, err)
	}
	if _, err := c.TxByID(wire.Hash{1}); !errors.Is(err, ErrTxNotFound) {
		t.Fatalf("unknown txid: %v", err)
	}
	c.Close()
	// Off: the index is dropped. On again: rebuilt over the main chain.
	off, err := Open(context.Background(), Config{Dir: dir, Params: consensus.RegTestParams, Logger: quietLog,
		Now: func() time.Time { return time.Unix(consensus.GenesisTime+1e6, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := off.TxByID(txid); !errors.Is(err, ErrTxNotFound) {
		t.Fatalf("index off: %v", err)
	}
	off.Close()
	c = testChain(t, dir)
	defer c.Close()
	if got, err := c.TxByID(txid); err != nil || got.Height != 2 {
		t.Fatalf("rebuilt index: %+v %v", got, err)
	}
}

func TestRecoveryAfterCrashBetweenFlushes(t *testing.T) {
	dir := t.TempDir()
	c := testChain(t, dir)
	c.coins.budget = 3 << 10 // a flush every few blocks
	blocks, tip := extend(t, c, genesisInfo(), 110, 0)
	// Spend a coinbase so recovery must replay a spend, too.
	cb := blocks[0].Transactions[0]
	b, tip := makeBlock(t, tip, 0, spend(wire.OutPoint{Hash: cb.TxHash()}, cb.TxOut[0].Value, 0))
	mustProcess(t, c, b)
	snap := t.TempDir()
	testutil.CopyDir(t, dir, snap)
	want, err := c.CoinSetInfo()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()

	st := openTestStore(t, snap, "regtest")
	flushed, _, _ := st.tip()
	st.close()
	if flushed == tip.hash || flushed == genesisInfo().hash {
		t.Fatalf("snapshot tip %s: want a mid-run flush point", flushed)
	}
	r := testChain(t, snap)
	defer r.Close()
	if best := r.Best(); best.Hash != tip.hash || best.Height != 111 {
		t.Fatalf("recovered tip %d %s, want 111 %s", best.Height, best.Hash, tip.hash)
	}
	got, err := r.CoinSetInfo()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("recovered coin set %+v, want %+v", got, want)
	}
}

func TestInterruptedRecoveryResumes(t *testing.T) {
	dir := t.TempDir()
	c := testChain(t, dir)
	c.coins.budget = 1 // flush after every block
	_, tip := extend(t, c, genesisInfo(), 5, 0)
	c.coins.budget = 1 << 30 // no more flushes: the next blocks need replaying
	_, tip = extend(t, c, tip, 20, 0)
	snap := t.TempDir()
	testutil.CopyDir(t, dir, snap)
	c.Close()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Open(ctx, Config{Dir: snap, Params: consensus.RegTestParams, Logger: quietLog,
		Now: func() time.Time { return time.Unix(consensus.GenesisTime+1e6, 0) }}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled open: %v", err)
	}
	r := testChain(t, snap)
	defer r.Close()
	if best := r.Best(); best.Hash != tip.hash || best.Height != 25 {
		t.Fatalf("tip after resumed recovery %d, want 25", best.Height)
	}
}

func TestHeadersAheadOfBlocks(t *testing.T) {
	c := testChain(t, t.TempDir())
	defer c.Close()
	var blocks []*wire.Block
	var headers []wire.BlockHeader
	tip := genesisInfo()
	for i := 0; i < 5; i++ {
		var b *wire.Block
		b, tip = makeBlock(t, tip, 0)
		blocks = append(blocks, b)
		headers = append(headers, b.Header)
	}
	if err := c.ProcessHeaders(headers); err != nil {
		t.Fatal(err)
	}
	if best := c.Best(); best.Height != 0 || best.HeadersHeight != 5 {
		t.Fatalf("after headers: height %d, headers %d", best.Height, best.HeadersHeight)
	}
	// A header that does not connect is refused.
	orphanHeader := headers[4]
	orphanHeader.PrevBlock = wire.Hash{9}
	if err := c.ProcessHeaders([]wire.BlockHeader{orphanHeader}); !errors.Is(err, errUnknownParent) {
		t.Fatalf("unconnected header: %v", err)
	}
	// A header with the wrong bits is a rule violation.
	bad := headers[0]
	bad.Bits = 0x1e00ffff
	if err := c.ProcessHeaders([]wire.BlockHeader{bad}); !isKind(err, consensus.ErrBadDiffBits) && !isKind(err, consensus.ErrHighHash) {
		t.Fatalf("bad bits: %v", err)
	}
	for _, b := range blocks {
		mustProcess(t, c, b)
	}
	if best := c.Best(); best.Height != 5 || best.Hash != tip.hash {
		t.Fatalf("after blocks: height %d", best.Height)
	}
}

func TestOrphanPoolIsBounded(t *testing.T) {
	c := testChain(t, t.TempDir())
	defer c.Close()
	for i := 0; i < maxOrphanBlocks+20; i++ {
		parent := blockInfo{hash: wire.Hash{byte(i), byte(i >> 8), 1}, height: 5, time: consensus.GenesisTime}
		b, _ := makeBlock(t, parent, int64(i))
		if res, err := c.ProcessBlock(b); err != nil || !res.Orphan {
			t.Fatalf("orphan %d: %+v %v", i, res, err)
		}
	}
	if n := c.orphans.len(); n != maxOrphanBlocks {
		t.Fatalf("orphan pool holds %d blocks, limit %d", n, maxOrphanBlocks)
	}
}

func TestInterruptedFlushIsReplayed(t *testing.T) {
	dir := t.TempDir()
	c := testChain(t, dir)
	blocks, tip := extend(t, c, genesisInfo(), 110, 0)
	c.mu.Lock()
	if err := c.flush(); err != nil {
		t.Fatal(err)
	}
	c.mu.Unlock()
	// A longer branch from height 105, spending coinbases, reorganises away
	// blocks 106-110 before the next flush.
	forkInfo := blockInfo{hash: blocks[104].BlockHash(), height: 105, time: blocks[104].Header.Timestamp}
	var side []*wire.Block
	for i := 0; i < 8; i++ {
		cb := blocks[i].Transactions[0]
		var b *wire.Block
		b, forkInfo = makeBlock(t, forkInfo, 5, spend(wire.OutPoint{Hash: cb.TxHash()}, cb.TxOut[0].Value, 0))
		mustProcess(t, c, b)
		side = append(side, b)
	}
	if c.Best().Hash != forkInfo.hash || forkInfo.hash == tip.hash {
		t.Fatal("side branch did not become the tip")
	}
	// A flush that stops after writing half its coins, as a crash would.
	c.mu.Lock()
	marker := new(leveldb.Batch)
	marker.Put([]byte{prefixFlush}, append(append([]byte(nil), c.savedTip.hash[:]...), forkInfo.hash[:]...))
	if err := c.store.write(marker, true); err != nil {
		t.Fatal(err)
	}
	half := 0
	for _, e := range c.coins.entries {
		if e.dirty {
			half++
		}
	}
	half /= 2
	written := 0
	errCrash := errors.New("crash")
	c.coins.writeChunks(1, func(b *leveldb.Batch) error {
		if written++; written > half {
			return errCrash
		}
		return c.store.write(b, false)
	})
	c.mu.Unlock()
	snap := t.TempDir()
	testutil.CopyDir(t, dir, snap)
	want, err := c.CoinSetInfo()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if half == 0 {
		t.Fatal("nothing dirty to half-write")
	}

	r := testChain(t, snap)
	defer r.Close()
	got, err := r.CoinSetInfo()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("replayed coin set %+v, want %+v", got, want)
	}
	if _, _, ok, _ := r.store.flushMarker(); ok {
		t.Fatal("flush marker left after recovery")
	}
}
