package methods

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/rpc"
)

// opTrueRedeem is the redeem script of the P2SH address the tests mine to:
// OP_TRUE, so its coins are spent with a scriptSig pushing it.
var opTrueRedeem = []byte{0x51}

// clock is a settable time source shared by the chain and the methods.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixture is a real regtest chain in a temporary directory with every
// method of the package bound to it.
type fixture struct {
	t       *testing.T
	c       *chain.Chain
	clock   *clock
	methods map[string]rpc.Method
	// addr is a P2SH address of OP_TRUE; pkh a P2PKH address.
	addr, pkh address.Address
}

func newFixture(t *testing.T, params *consensus.Params, txIndex bool) *fixture {
	t.Helper()
	clk := &clock{t: time.Now().Truncate(time.Second)}
	c, err := chain.Open(context.Background(), chain.Config{Dir: t.TempDir(), Params: params, CacheMiB: 16,
		TxIndex: txIndex, Now: clk.now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	p := params.AddressPrefixes()
	sh, err := address.NewAddressScriptHashFromScript(opTrueRedeem, p)
	if err != nil {
		t.Fatal(err)
	}
	pkh, err := address.NewAddressPubKeyHash(make([]byte, 20), p)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, c: c, clock: clk, methods: make(map[string]rpc.Method), addr: sh, pkh: pkh}
	for _, m := range All(c, Options{TxIndex: txIndex, Now: clk.now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}) {
		if _, dup := f.methods[m.Name]; dup {
			t.Fatalf("method %s twice", m.Name)
		}
		f.methods[m.Name] = m
	}
	return f
}

// call runs a method's handler with params given as JSON texts.
func (f *fixture) call(name string, params ...string) (any, error) {
	f.t.Helper()
	m, ok := f.methods[name]
	if !ok {
		f.t.Fatalf("no method %s", name)
	}
	return m.Handler(context.Background(), rpc.NewParams(m.Args, params...))
}

// ok calls a method that must succeed and returns its result as decoded
// JSON (map[string]any, []any, string, float64, bool or nil).
func (f *fixture) ok(name string, params ...string) any {
	f.t.Helper()
	res, err := f.call(name, params...)
	if err != nil {
		f.t.Fatalf("%s %v: %v", name, params, err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		f.t.Fatalf("%s: marshal result: %v", name, err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		f.t.Fatal(err)
	}
	return v
}

// obj is ok for a method answering an object.
func (f *fixture) obj(name string, params ...string) map[string]any {
	f.t.Helper()
	v, isObj := f.ok(name, params...).(map[string]any)
	if !isObj {
		f.t.Fatalf("%s %v: result is not an object", name, params)
	}
	return v
}

// fail calls a method that must fail with the given code and a message
// starting with msg.
func (f *fixture) fail(code int, msg, name string, params ...string) {
	f.t.Helper()
	_, err := f.call(name, params...)
	var e *rpc.Error
	if !errors.As(err, &e) {
		f.t.Fatalf("%s %v: error %v, want code %d %q", name, params, err, code, msg)
	}
	if e.Code != code || !strings.HasPrefix(e.Message, msg) {
		f.t.Fatalf("%s %v: error %d %q, want %d %q", name, params, e.Code, e.Message, code, msg)
	}
}

// generate mines n blocks to the OP_TRUE P2SH address, a minute apart, and
// returns their hashes.
func (f *fixture) generate(n int) []wire.Hash {
	f.t.Helper()
	var out []wire.Hash
	for range n {
		f.clock.advance(time.Minute)
		hashes := f.ok("generatetoaddress", "1", q(f.addr.String())).([]any)
		h, err := wire.NewHashFromStr(hashes[0].(string))
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, h)
	}
	return out
}

// block returns a stored block.
func (f *fixture) block(h wire.Hash) *wire.Block {
	f.t.Helper()
	b, err := f.c.Block(h)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// spendCoinbase returns a transaction spending the OP_TRUE coinbase of
// block h to the outputs given (value in base units, script).
func (f *fixture) spendCoinbase(h wire.Hash, outs ...*wire.TxOut) *wire.Tx {
	f.t.Helper()
	cb := f.block(h).Transactions[0]
	return &wire.Tx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()},
		SignatureScript: []byte{0x01, 0x51}, Sequence: 0xffffffff}}, TxOut: outs}
}

// q quotes s as a JSON string.
func q(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// txHex returns a transaction's hex.
func txHex(tx *wire.Tx) string { return hex.EncodeToString(tx.Serialize()) }
