package wallet

import (
	"crypto/sha256"

	"bytes"
	"encoding/binary"
	"fmt"
	"github.com/btcsuite/btcd/btcec/v2"
	"sync"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
)

const coin = 100_000_000

var testSeed = bytes.Repeat([]byte{0x5a}, 32)

// fakeClock is a settable clock for unlock timeouts.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testConfig(t testing.TB, dir string, gap int, clk *fakeClock) Config {
	t.Helper()
	cfg := Config{Params: consensus.RegTestParams, Dir: dir, GapLimit: gap}
	if clk != nil {
		cfg.Now = clk.Now
	}
	return cfg
}

func newTestWallet(t testing.TB, gap int) (*Wallet, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	w, err := CreateFromSeed(testConfig(t, t.TempDir(), gap, clk), testSeed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, clk
}

// foreignScript is a P2PKH script no test wallet owns.
func foreignScript(tag byte) []byte {
	s, _ := script.PayToPubKeyHashScript(bytes.Repeat([]byte{tag}, 20))
	return s
}

func coinbaseTx(height int32, outs ...*wire.TxOut) *wire.Tx {
	sig := binary.LittleEndian.AppendUint32([]byte{4}, uint32(height))
	return &wire.Tx{Version: 1,
		TxIn:  []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: 0xffffffff}, SignatureScript: sig, Sequence: 0xffffffff}},
		TxOut: outs}
}

func spendTx(ins []wire.OutPoint, outs ...*wire.TxOut) *wire.Tx {
	tx := &wire.Tx{Version: 2, TxOut: outs}
	for _, op := range ins {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: op, Sequence: 0xfffffffd})
	}
	return tx
}

// testChain builds a main chain of hand-made blocks and serves it to Rescan.
type testChain struct {
	blocks []*wire.Block
}

func (c *testChain) tip() wire.Hash {
	if len(c.blocks) == 0 {
		return wire.Hash{}
	}
	return c.blocks[len(c.blocks)-1].BlockHash()
}

// add appends a block at the next height with a coinbase paying cbScript
// 50 coins and the given transactions; it returns the block and its height.
func (c *testChain) add(cbScript []byte, txs ...*wire.Tx) (*wire.Block, int32) {
	h := int32(len(c.blocks))
	b := &wire.Block{Header: wire.BlockHeader{Version: 4, PrevBlock: c.tip(), Timestamp: uint32(1_795_651_200 + 60*h), Bits: 0x207fffff}}
	b.Transactions = append([]*wire.Tx{coinbaseTx(h, &wire.TxOut{Value: 50 * coin, PkScript: cbScript})}, txs...)
	var leaves []wire.Hash
	for _, tx := range b.Transactions {
		leaves = append(leaves, tx.TxHash())
	}
	b.Header.MerkleRoot, _ = wire.MerkleRoot(leaves)
	c.blocks = append(c.blocks, b)
	return b, h
}

func (c *testChain) pop() (*wire.Block, int32) {
	b := c.blocks[len(c.blocks)-1]
	c.blocks = c.blocks[:len(c.blocks)-1]
	return b, int32(len(c.blocks))
}

func (c *testChain) BlockHashAt(h int32) (wire.Hash, error) {
	if h < 0 || int(h) >= len(c.blocks) {
		return wire.Hash{}, errNotFound
	}
	return c.blocks[h].BlockHash(), nil
}

func (c *testChain) Block(hash wire.Hash) (*wire.Block, error) {
	for _, b := range c.blocks {
		if b.BlockHash() == hash {
			return b, nil
		}
	}
	return nil, errNotFound
}

var errNotFound = fmt.Errorf("test chain: %w", chain.ErrBlockNotFound)

func sha256Sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

func btcecPrivKey(b byte) (*btcec.PrivateKey, *btcec.PublicKey) {
	return btcec.PrivKeyFromBytes(bytes.Repeat([]byte{b}, 32))
}

func mustPriv(b byte) *btcec.PrivateKey { k, _ := btcecPrivKey(b); return k }
