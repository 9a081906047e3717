package mempool

import (
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/miner"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// utxo is an output the harness can spend.
type utxo struct {
	op       wire.OutPoint
	value    int64
	pkScript []byte
}

// harness is a regtest chain with a pool on it. Setup mines 101 blocks
// paying to key, then block 102 with a fan-out of the first coinbase into
// fanOut confirmed P2PKH outputs (plus a non-standard OP_TRUE output and a
// P2SH output with a 16-sigop redeem script).
type harness struct {
	t         testing.TB
	chain     *chain.Chain
	pool      *Pool
	clock     *clock
	key       *btcec.PrivateKey
	pkScript  []byte
	sigCache  *chain.SigCache
	coinbases []*wire.Tx // coinbase of block h at index h-1
	coins     []utxo     // confirmed fan-out outputs
	opTrue    utxo       // a confirmed non-standard output
	p2sh      utxo       // a confirmed P2SH output, redeem script p2shRedeem
	nextCoin  int
	extra     uint64
}

var p2shRedeem = func() []byte {
	b := make([]byte, 16)
	for i := range b {
		b[i] = script.OP_CHECKSIG
	}
	return append(b, script.OP_DROP, script.OP_TRUE) // never run
}()

const fanOutValue = 20_000_000

func newHarness(t testing.TB, fanOut int, tune func(*Config)) *harness {
	t.Helper()
	ck := &clock{t: time.Unix(consensus.GenesisTime+1_000_000, 0)}
	h := &harness{t: t, clock: ck, sigCache: chain.NewSigCache(100_000)}
	var kb [32]byte
	for i := range kb {
		kb[i] = byte(i*7 + 3)
	}
	h.key, _ = btcec.PrivKeyFromBytes(kb[:])
	var err error
	h.pkScript, err = script.PayToPubKeyHashScript(script.Hash160(h.key.PubKey().SerializeCompressed()))
	if err != nil {
		t.Fatal(err)
	}
	h.chain, err = chain.Open(t.Context(), chain.Config{Dir: t.TempDir(), Params: consensus.RegTestParams,
		Logger: quiet, Now: ck.Now, SigCache: h.sigCache})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.chain.Close() })
	for i := 0; i < 101; i++ {
		b := h.mine()
		h.coinbases = append(h.coinbases, b.Transactions[0])
	}
	// Fan out the first coinbase.
	cb := h.coinbases[0]
	fan := &wire.Tx{Version: 1, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()}, Sequence: wire.MaxTxInSequenceNum}}}
	for i := 0; i < fanOut; i++ {
		fan.TxOut = append(fan.TxOut, &wire.TxOut{Value: fanOutValue, PkScript: h.pkScript})
	}
	p2shScript, _ := script.PayToScriptHashScript(script.Hash160(p2shRedeem))
	fan.TxOut = append(fan.TxOut, &wire.TxOut{Value: 1_000_000, PkScript: []byte{script.OP_TRUE}},
		&wire.TxOut{Value: 1_000_000, PkScript: p2shScript})
	h.sign(fan, []utxo{{op: fan.TxIn[0].PreviousOutPoint, value: cb.TxOut[0].Value, pkScript: h.pkScript}})
	h.mine(fan)
	id := fan.TxHash()
	for i := 0; i < fanOut; i++ {
		h.coins = append(h.coins, utxo{op: wire.OutPoint{Hash: id, Index: uint32(i)}, value: fanOutValue, pkScript: h.pkScript})
	}
	h.opTrue = utxo{op: wire.OutPoint{Hash: id, Index: uint32(fanOut)}, value: 1_000_000, pkScript: []byte{script.OP_TRUE}}
	h.p2sh = utxo{op: wire.OutPoint{Hash: id, Index: uint32(fanOut + 1)}, value: 1_000_000, pkScript: p2shScript}

	cfg := Config{SigCache: h.sigCache, Now: ck.Now, Logger: quiet}
	if tune != nil {
		tune(&cfg)
	}
	h.pool = New(h.chain, cfg)
	h.chain.Subscribe(func(n chain.Notification) {
		if err := h.pool.HandleNotification(n); err != nil {
			t.Errorf("HandleNotification: %v", err)
		}
	})
	return h
}

// mine builds, solves and connects a block with txs on the tip.
func (h *harness) mine(txs ...*wire.Tx) *wire.Block {
	h.t.Helper()
	h.extra++
	b, err := miner.BuildBlock(h.chain, h.pkScript, txs, h.extra, h.clock.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	if !miner.Solve(&b.Header, 1<<24) {
		h.t.Fatal("not solved")
	}
	res, err := h.chain.ProcessBlock(b)
	if err != nil || !res.MainChain {
		h.t.Fatalf("block: %+v %v", res, err)
	}
	return b
}

// coin returns an unused confirmed fan-out output.
func (h *harness) coin() utxo {
	h.t.Helper()
	if h.nextCoin >= len(h.coins) {
		h.t.Fatal("out of coins")
	}
	c := h.coins[h.nextCoin]
	h.nextCoin++
	return c
}

// sign signs every P2PKH input of tx; ins are the outputs spent.
func (h *harness) sign(tx *wire.Tx, ins []utxo) {
	h.t.Helper()
	for i, in := range ins {
		if !script.IsPayToPubKeyHash(in.pkScript) {
			continue
		}
		ss, err := script.SignatureScript(tx, i, in.pkScript, script.SigHashAll, h.key, true)
		if err != nil {
			h.t.Fatal(err)
		}
		tx.TxIn[i].SignatureScript = ss
	}
}

// txOpts shape a spend.
type txOpts struct {
	version  int32
	sequence uint32
	lockTime uint32
	outs     []*wire.TxOut // nil: one P2PKH output of the inputs minus fee
	fee      int64
	nOuts    int // with outs nil: split into this many P2PKH outputs
}

// spend returns a signed transaction spending ins.
func (h *harness) spend(ins []utxo, o txOpts) *wire.Tx {
	h.t.Helper()
	if o.version == 0 {
		o.version = 1
	}
	if o.sequence == 0 {
		o.sequence = wire.MaxTxInSequenceNum
	}
	tx := &wire.Tx{Version: o.version, LockTime: o.lockTime}
	var total int64
	for _, in := range ins {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: in.op, Sequence: o.sequence})
		total += in.value
	}
	if o.outs != nil {
		tx.TxOut = o.outs
	} else {
		n := max(o.nOuts, 1)
		each := (total - o.fee) / int64(n)
		for i := 0; i < n; i++ {
			v := each
			if i == n-1 {
				v = total - o.fee - each*int64(n-1)
			}
			tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: v, PkScript: h.pkScript})
		}
	}
	h.sign(tx, ins)
	return tx
}

// out returns output i of tx as a utxo.
func out(tx *wire.Tx, i int) utxo {
	return utxo{op: wire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)}, value: tx.TxOut[i].Value, pkScript: tx.TxOut[i].PkScript}
}

func (h *harness) accept(tx *wire.Tx) *AcceptResult {
	h.t.Helper()
	res, err := h.pool.Accept(tx, AcceptOptions{})
	if err != nil {
		h.t.Fatalf("accept %s: %v", tx.TxHash(), err)
	}
	return res
}

// wantReject checks that err is a RejectError whose Error() starts with want.
func wantReject(t testing.TB, err error, want string) *RejectError {
	t.Helper()
	re, ok := IsReject(err)
	if !ok {
		t.Fatalf("got %v, want rejection %q", err, want)
	}
	if got := re.Error(); len(got) < len(want) || got[:len(want)] != want {
		t.Fatalf("got rejection %q, want %q", got, want)
	}
	return re
}
