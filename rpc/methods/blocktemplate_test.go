package methods

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/miner"
	"github.com/nodecoin/nodecoin/rpc"
)

// blockFromTemplate builds the block a miner would from a template: a
// coinbase with the BIP34 height paying coinbasevalue to payTo, the
// template's transactions, its curtime and bits, the nonce ground.
func blockFromTemplate(t *testing.T, tmpl map[string]any, payTo []byte) *wire.Block {
	t.Helper()
	height := int64(tmpl["height"].(float64))
	sig := append(consensus.BIP34HeightScript(height), 0x01, 0x2a)
	cb := &wire.Tx{Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: sig, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: int64(tmpl["coinbasevalue"].(float64)), PkScript: payTo}}}
	txs := []*wire.Tx{cb}
	for _, it := range tmpl["transactions"].([]any) {
		raw, err := hex.DecodeString(it.(map[string]any)["data"].(string))
		if err != nil {
			t.Fatal(err)
		}
		tx, err := wire.DecodeTx(raw)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	prev, err := wire.NewHashFromStr(tmpl["previousblockhash"].(string))
	if err != nil {
		t.Fatal(err)
	}
	bits, err := strconv.ParseUint(tmpl["bits"].(string), 16, 32)
	if err != nil {
		t.Fatal(err)
	}
	b := &wire.Block{Header: wire.BlockHeader{Version: int32(tmpl["version"].(float64)), PrevBlock: prev,
		Timestamp: uint32(tmpl["curtime"].(float64)), Bits: uint32(bits)}, Transactions: txs}
	b.Header.MerkleRoot, _ = wire.MerkleRoot(b.TxHashes())
	if !miner.Solve(&b.Header, 1<<20) {
		t.Fatal("cannot solve a regtest block")
	}
	if b.Header.Timestamp != uint32(tmpl["curtime"].(float64)) {
		t.Fatal("solving changed the time")
	}
	return b
}

func TestGetBlockTemplate(t *testing.T) {
	f := newPoolFixture(t, 104)
	parent := f.fromCoinbase(0, 1000, 2)
	child := f.spendOut(parent, 0, 5000)
	f.send(parent)
	f.send(child)
	f.clock.advance(30 * time.Second)

	tmpl := f.obj("getblocktemplate", `{"rules": ["segwit"], "capabilities": ["coinbasetxn", "workid"]}`)
	best := f.c.Best()
	p := f.c.Params()
	bits := consensus.NextRequiredBits(p, int64(best.Height), int64(best.Time))
	target, _, _ := consensus.CompactToBig(bits)
	mintime := int64(best.MedianTime) + 1
	want := map[string]any{
		"capabilities":      []any{"proposal"},
		"version":           float64(miner.BlockVersion),
		"rules":             []any{"csv"},
		"vbavailable":       map[string]any{},
		"vbrequired":        float64(0),
		"previousblockhash": best.Hash.String(),
		"coinbaseaux":       map[string]any{},
		"coinbasevalue":     float64(consensus.CalcBlockSubsidy(105, p) + 6000),
		"longpollid":        best.Hash.String() + strconv.FormatUint(f.pool.Sequence(), 10),
		"target":            fmt.Sprintf("%064x", target),
		"mintime":           float64(mintime),
		"mutable":           []any{"time", "transactions", "prevblock"},
		"noncerange":        "00000000ffffffff",
		"sigoplimit":        float64(20000),
		"sizelimit":         float64(1000000),
		"weightlimit":       float64(4000000),
		"curtime":           float64(max(f.clock.now().Unix(), mintime)),
		"bits":              fmt.Sprintf("%08x", bits),
		"height":            float64(105),
	}
	for k, v := range want {
		if fmt.Sprint(tmpl[k]) != fmt.Sprint(v) {
			t.Errorf("%s = %v, want %v", k, tmpl[k], v)
		}
	}
	if tmpl["curtime"].(float64) < tmpl["mintime"].(float64) {
		t.Errorf("curtime %v before mintime %v", tmpl["curtime"], tmpl["mintime"])
	}
	if len(tmpl) != len(want)+1 {
		t.Errorf("template has %d fields, want %d", len(tmpl), len(want)+1)
	}
	txs := tmpl["transactions"].([]any)
	if len(txs) != 2 {
		t.Fatalf("transactions %v", txs)
	}
	for i, tc := range []struct {
		tx      *wire.Tx
		fee     int64
		depends string
	}{{parent, 1000, "[]"}, {child, 5000, "[1]"}} {
		got := txs[i].(map[string]any)
		id := tc.tx.TxHash().String()
		if got["txid"] != id || got["hash"] != id || got["data"] != txHex(tc.tx) ||
			got["fee"] != float64(tc.fee) || fmt.Sprint(got["depends"]) != tc.depends ||
			got["weight"] != float64(4*tc.tx.SerializeSize()) || got["sigops"] != float64(consensus.CountLegacySigOps(tc.tx)) {
			t.Errorf("transaction %d: %v", i, got)
		}
	}

	// The block a miner builds from the template is accepted, after a
	// proposal of it passes.
	blk := blockFromTemplate(t, tmpl, f.pkh.ScriptPubKey())
	blkHex := q(hex.EncodeToString(blk.Serialize()))
	if got := f.ok("getblocktemplate", `{"mode": "proposal", "data": `+blkHex+`}`); got != nil {
		t.Fatalf("proposal: %v", got)
	}
	if got := f.ok("submitblock", blkHex); got != nil {
		t.Fatalf("submitblock: %v", got)
	}
	if f.c.Best().Hash != blk.BlockHash() {
		t.Fatal("block from the template is not the tip")
	}
	if n := f.pool.Info().Size; n != 0 {
		t.Fatalf("%d transactions left in the pool", n)
	}
	if got := f.ok("getblocktemplate", `{"mode": "proposal", "data": `+blkHex+`}`); got != "duplicate" {
		t.Fatalf("proposal of a main-chain block: %v", got)
	}
	if got := f.ok("getblocktemplate", `{"mode": "proposal", "data": `+q(f.solved(f.build(1)))+`}`); got != nil {
		t.Fatalf("proposal of a block on the tip: %v", got)
	}
	stale := *blk
	stale.Header.Nonce++
	if got := f.ok("getblocktemplate", `{"mode": "proposal", "data": `+q(hex.EncodeToString(stale.Serialize()))+`}`); got != "inconclusive-not-best-prevblk" {
		t.Fatalf("proposal on a stale parent: %v", got)
	}
	badBits := f.build(2)
	badBits.Header.Bits--
	if got := f.ok("getblocktemplate", `{"mode": "proposal", "data": `+q(f.solved(badBits))+`}`); got != "bad-diffbits" {
		t.Fatalf("proposal with wrong bits: %v", got)
	}
	f.fail(rpc.CodeDeserialization, "Block decode failed", "getblocktemplate", `{"mode": "proposal", "data": "00"}`)
	f.fail(rpc.CodeType, "Missing data String key for proposal", "getblocktemplate", `{"mode": "proposal"}`)
	f.fail(rpc.CodeInvalidParameter, "Invalid mode", "getblocktemplate", `{"mode": "work"}`)

	// Without a request the template is for the new tip, with an empty
	// transaction list.
	next := f.obj("getblocktemplate")
	if next["previousblockhash"] != blk.BlockHash().String() || next["height"] != float64(106) ||
		fmt.Sprint(next["transactions"]) != "[]" ||
		next["coinbasevalue"] != float64(consensus.CalcBlockSubsidy(106, p)) {
		t.Fatalf("template on the new tip: %v", next)
	}
}

// longPoll runs getblocktemplate with a longpollid in a goroutine and
// returns the channel of its outcome.
func longPoll(ctx context.Context, f *fixture, id string) <-chan any {
	m := f.methods["getblocktemplate"]
	out := make(chan any, 1)
	go func() {
		res, err := m.Handler(ctx, rpc.NewParams(m.Args, `{"longpollid": `+q(id)+`}`))
		if err != nil {
			out <- err
			return
		}
		out <- res
	}()
	return out
}

func TestGetBlockTemplateLongPoll(t *testing.T) {
	f := newFixture(t, consensus.RegTestParams, true)
	f.generate(1)
	id := f.obj("getblocktemplate")["longpollid"].(string)

	// A stale longpollid is answered at once.
	select {
	case res := <-longPoll(context.Background(), f, "00"+id[2:]):
		if _, isErr := res.(error); isErr {
			t.Fatalf("stale long poll: %v", res)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stale long poll waits")
	}

	// The current one waits for the next block.
	start := time.Now()
	out := longPoll(context.Background(), f, id)
	select {
	case res := <-out:
		t.Fatalf("long poll answered before a new block: %v", res)
	case <-time.After(300 * time.Millisecond):
	}
	tip := f.generate(1)[0]
	select {
	case res := <-out:
		tmpl, isTmpl := res.(*blockTemplate)
		if !isTmpl {
			t.Fatalf("long poll: %v", res)
		}
		if tmpl.PreviousBlockHash != tip.String() || tmpl.Height != 3 {
			b, _ := json.Marshal(tmpl)
			t.Fatalf("long poll template %s, want previousblockhash %s", b, tip)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long poll not answered after a new block")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("long poll took %v", d)
	}

	// Cancelling the request's context ends the wait with an error.
	id = f.obj("getblocktemplate")["longpollid"].(string)
	ctx, cancel := context.WithCancel(context.Background())
	out = longPoll(ctx, f, id)
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case res := <-out:
		if err, isErr := res.(error); !isErr || ctx.Err() == nil {
			t.Fatalf("cancelled long poll: %v", res)
		} else if err == nil {
			t.Fatal("no error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancelled long poll goes on")
	}
}

func TestGetBlockTemplateLongPollMempool(t *testing.T) {
	if testing.Short() {
		t.Skip("waits longPollMempoolDelay")
	}
	f := newPoolFixture(t, 101)
	id := f.obj("getblocktemplate")["longpollid"].(string)
	start := time.Now()
	out := longPoll(context.Background(), f.fixture, id)
	tx := f.fromCoinbase(0, 1000, 1)
	f.send(tx)
	select {
	case res := <-out:
		tmpl, isTmpl := res.(*blockTemplate)
		if !isTmpl {
			t.Fatalf("long poll: %v", res)
		}
		if d := time.Since(start); d < longPollMempoolDelay {
			t.Errorf("long poll answered after %v, before the mempool delay", d)
		}
		if len(tmpl.Transactions) != 1 || tmpl.Transactions[0].TxID != tx.TxHash().String() || tmpl.LongPollID == id {
			t.Fatalf("long poll template: %+v", tmpl)
		}
	case <-time.After(longPollMempoolDelay + 5*time.Second):
		t.Fatal("long poll not answered after a mempool change")
	}
}
