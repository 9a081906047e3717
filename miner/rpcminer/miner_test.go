package rpcminer

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/testutil"
	"github.com/nodecoin/nodecoin/rpc"
)

// easyTarget is regtest's target: half of all hashes meet it.
const easyTarget = "7fffff0000000000000000000000000000000000000000000000000000000000"

// fakeNode serves getblocktemplate, long polls and submitblock from memory:
// each accepted block becomes the tip, and down makes the next calls fail
// to connect.
type fakeNode struct {
	t        *testing.T
	mu       sync.Mutex
	tip      wire.Hash
	height   int64
	blocks   []*wire.Block
	changed  chan struct{}
	down     int // calls still to fail with a ConnectError
	noWallet bool
	calls    []string
}

func newFakeNode(t *testing.T) *fakeNode {
	return &fakeNode{t: t, changed: make(chan struct{})}
}

func (n *fakeNode) template() *Template {
	return &Template{Version: 0x20000000, PreviousBlockHash: n.tip.String(), CoinbaseValue: 50e8,
		LongPollID: fmt.Sprintf("%s%d", n.tip, n.height), Target: easyTarget, MinTime: 1000, CurTime: 2000,
		Bits: "207fffff", Height: n.height + 1}
}

func (n *fakeNode) Call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	n.mu.Lock()
	n.calls = append(n.calls, method)
	if n.down > 0 {
		n.down--
		n.mu.Unlock()
		return nil, &rpc.ConnectError{Addr: "fake", Err: errors.New("connection refused")}
	}
	defer n.mu.Unlock()
	switch method {
	case "getnewaddress":
		if n.noWallet {
			return nil, rpc.NewError(rpc.CodeMethodNotFound, "Method not found")
		}
		a, err := address.NewAddressPubKeyHash(make([]byte, 20), consensus.RegTestParams.AddressPrefixes())
		if err != nil {
			return nil, err
		}
		return json.Marshal(a.String())
	case "getblocktemplate":
		req := params.([]any)[0].(map[string]any)
		if id, ok := req["longpollid"]; ok && id == n.template().LongPollID {
			changed := n.changed
			n.mu.Unlock()
			select {
			case <-ctx.Done():
				n.mu.Lock()
				return nil, ctx.Err()
			case <-changed:
			}
			n.mu.Lock()
		}
		return json.Marshal(n.template())
	case "submitblock":
		raw, err := hex.DecodeString(params.([]any)[0].(string))
		if err != nil {
			n.t.Fatal(err)
		}
		b, err := wire.DecodeBlock(raw)
		if err != nil {
			n.t.Fatal(err)
		}
		if b.Header.PrevBlock != n.tip {
			return json.Marshal("bad-prevblk")
		}
		n.blocks = append(n.blocks, b)
		n.tip = b.BlockHash()
		n.height++
		close(n.changed)
		n.changed = make(chan struct{})
		return json.RawMessage("null"), nil
	}
	return nil, rpc.NewError(rpc.CodeMethodNotFound, "Method not found")
}

func (n *fakeNode) numBlocks() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.blocks)
}

// TestRunMinesChainAfterWaitingForNode mines three blocks on a node that
// is unreachable for the first calls, each block on the previous one with a
// BIP34 coinbase paying the node's new address.
func TestRunMinesChainAfterWaitingForNode(t *testing.T) {
	n := newFakeNode(t)
	n.down = 2
	var out, errOut testutil.SyncBuffer
	m := New(Config{Client: n, NodeAddr: "fake", Prefixes: consensus.RegTestParams.AddressPrefixes(), Threads: 2,
		Out: &out, Err: &errOut, MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		HashRateInterval: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for n.numBlocks() < 3 {
		select {
		case err := <-done:
			t.Fatalf("Run returned early: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d blocks after 10 s\nstdout:\n%s\nstderr:\n%s", n.numBlocks(), out.String(), errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !strings.Contains(errOut.String(), "waiting for the node at fake") {
		t.Errorf("no wait for the node in stderr:\n%s", errOut.String())
	}
	if !regexp.MustCompile(`(?m)^block found: height 1 hash [0-9a-f]{64}\nsubmitblock: accepted$`).MatchString(out.String()) {
		t.Errorf("stdout:\n%s", out.String())
	}
	var prev wire.Hash
	for i, b := range n.blocks[:3] {
		if b.Header.PrevBlock != prev {
			t.Errorf("block %d: prev %s, want %s", i, b.Header.PrevBlock, prev)
		}
		prev = b.BlockHash()
		cb := b.Transactions[0]
		want, _ := CoinbaseScript(int64(i+1), 0)
		if !cb.IsCoinBase() || len(cb.TxIn[0].SignatureScript) != len(want) ||
			!bytes.Equal(cb.TxIn[0].SignatureScript[:len(want)-ExtraNonceSize], want[:len(want)-ExtraNonceSize]) {
			t.Errorf("block %d: coinbase script %x", i, cb.TxIn[0].SignatureScript)
		}
		if len(cb.TxOut) != 1 || cb.TxOut[0].Value != 50e8 || len(cb.TxOut[0].PkScript) != 25 {
			t.Errorf("block %d: coinbase outputs %+v", i, cb.TxOut)
		}
	}
	if got := len(m.Found()); got < 3 {
		t.Errorf("Found: %d blocks", got)
	}
}

// TestRunNoWallet fails with ErrNoWallet when the node has no
// getnewaddress and no address was given.
func TestRunNoWallet(t *testing.T) {
	n := newFakeNode(t)
	n.noWallet = true
	m := New(Config{Client: n, Prefixes: consensus.RegTestParams.AddressPrefixes(), Threads: 1})
	if err := m.Run(context.Background()); !errors.Is(err, ErrNoWallet) {
		t.Fatalf("Run: %v, want ErrNoWallet", err)
	}
}

// TestBuildBlock checks the coinbase, the transactions' order, the merkle
// root and the header of a built block.
func TestBuildBlock(t *testing.T) {
	tx := &wire.Tx{Version: 1, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: 3}, Sequence: 7}},
		TxOut: []*wire.TxOut{{Value: 5, PkScript: []byte{0x51}}}}
	prev := wire.DoubleSHA256([]byte("prev"))
	tmpl := &Template{Version: 0x20000000, PreviousBlockHash: prev.String(), CoinbaseValue: 123,
		Transactions: []TemplateTx{{Data: hex.EncodeToString(tx.Serialize()), TxID: tx.TxHash().String()}},
		Target:       easyTarget, MinTime: 500, CurTime: 600, Bits: "207fffff", Height: 300}
	payTo := []byte{0x76, 0xa9}
	b, target, err := BuildBlock(tmpl, payTo, 0x0102030405060708, 400)
	if err != nil {
		t.Fatal(err)
	}
	h := b.Header
	if h.Version != 0x20000000 || h.PrevBlock != prev || h.Timestamp != 500 || h.Bits != 0x207fffff || h.Nonce != 0 {
		t.Errorf("header %+v", h)
	}
	if root, _ := wire.MerkleRoot(b.TxHashes()); h.MerkleRoot != root {
		t.Error("merkle root")
	}
	cb := b.Transactions[0]
	wantSig := []byte{0x02, 0x2c, 0x01, 0x08, 8, 7, 6, 5, 4, 3, 2, 1}
	if len(b.Transactions) != 2 || b.Transactions[1].TxHash() != tx.TxHash() || !cb.IsCoinBase() ||
		cb.Version != 1 || cb.LockTime != 0 || cb.TxIn[0].Sequence != wire.MaxTxInSequenceNum ||
		!bytes.Equal(cb.TxIn[0].SignatureScript, wantSig) || cb.TxOut[0].Value != 123 || !bytes.Equal(cb.TxOut[0].PkScript, payTo) {
		t.Errorf("coinbase %+v script %x", cb, cb.TxIn[0].SignatureScript)
	}
	if target.Big().Text(16) != strings.TrimRight(easyTarget, "0")+strings.Repeat("0", len(easyTarget)-len(strings.TrimRight(easyTarget, "0"))) {
		t.Errorf("target %x", target.Big())
	}
	bad := *tmpl
	bad.Transactions = []TemplateTx{{Data: "zz"}}
	if _, _, err := BuildBlock(&bad, payTo, 0, 0); err == nil {
		t.Error("bad transaction hex accepted")
	}
}

// TestBench checks the last line of a short bench.
func TestBench(t *testing.T) {
	var out bytes.Buffer
	r, err := Bench(context.Background(), 1, 300*time.Millisecond, &out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if last := lines[len(lines)-1]; r == 0 || last != fmt.Sprintf("hashrate %d H/s threads=1", r) {
		t.Errorf("rate %d, output:\n%s", r, out.String())
	}
}
