package main

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/node/blockfile"
)

// genVersion identifies the generator's output. Bump it whenever the chain
// it builds changes, so that cached block files are rebuilt.
const genVersion = 1

// numKeys is how many private keys the generated chain pays to, in turn.
const numKeys = 4

// blockSpacing is the number of seconds between generated block
// timestamps: small, so that long chains stay in the past of the clock
// (regtest does not retarget).
const blockSpacing = 10

// chainSpec describes a generated chain.
type chainSpec struct {
	// Blocks is the number of blocks after the genesis block.
	Blocks int `json:"blocks"`
	// Txs is the minimum number of non-coinbase transactions.
	Txs int `json:"txs"`
}

// spendBlocks returns how many blocks carry transactions: every block once
// the first coinbase has matured.
func (s chainSpec) spendBlocks() int { return s.Blocks - consensus.CoinbaseMaturity }

// spendsPerBlock returns how many one-in, two-out spends each block holds
// besides its fan-out transaction, so that the chain reaches s.Txs.
func (s chainSpec) spendsPerBlock() int {
	n := s.spendBlocks()
	return max(1, (s.Txs+n-1)/n-1)
}

// fanOut returns the number of outputs each fan-out transaction creates:
// a few more than a block spends, so the pool of spendable outputs grows.
func (s chainSpec) fanOut() int { return s.spendsPerBlock() + 10 }

func (s chainSpec) validate() error {
	if s.spendBlocks() < 1 {
		return fmt.Errorf("a chain of %d blocks has no mature coinbase: it needs more than %d blocks",
			s.Blocks, consensus.CoinbaseMaturity)
	}
	if s.Txs < 1 {
		return fmt.Errorf("transaction count %d: want at least 1", s.Txs)
	}
	return nil
}

// baseName is the file name (without extension) of the spec's cached chain.
func (s chainSpec) baseName() string { return fmt.Sprintf("regtest-%dx%d", s.Blocks, s.Txs) }

// chainMeta is the marker file written next to a cached block file. A
// cache whose marker is missing, of another generator version or spec, or
// whose block file has another size, is rebuilt.
type chainMeta struct {
	Version int       `json:"generator_version"`
	Spec    chainSpec `json:"spec"`
	// TxsPerBlock is the number of non-coinbase transactions in each block
	// from the first with a mature coinbase.
	TxsPerBlock int `json:"txs_per_block"`
	// NonCoinbaseTxs counts the transactions that are not coinbases; each
	// has exactly one input and so one signature.
	NonCoinbaseTxs int `json:"non_coinbase_txs"`
	// Bytes is the block file's size.
	Bytes int64 `json:"bytes"`
	// Tip is the hash of the last block.
	Tip wire.Hash `json:"tip"`
}

// benchKeys returns the generator's deterministic private keys.
func benchKeys() []*btcec.PrivateKey {
	keys := make([]*btcec.PrivateKey, numKeys)
	for i := range keys {
		seed := sha256.Sum256([]byte(fmt.Sprintf("nodecoin chainbench key %d", i)))
		keys[i], _ = btcec.PrivKeyFromBytes(seed[:])
	}
	return keys
}

// p2pkhScripts returns the P2PKH output script of each key.
func p2pkhScripts(keys []*btcec.PrivateKey) ([][]byte, error) {
	scripts := make([][]byte, len(keys))
	for i, k := range keys {
		s, err := script.PayToPubKeyHashScript(script.Hash160(k.PubKey().SerializeCompressed()))
		if err != nil {
			return nil, fmt.Errorf("P2PKH script: %w", err)
		}
		scripts[i] = s
	}
	return scripts, nil
}

// cachedChain returns the paths of the spec's block file in dir and its
// metadata, building both first if they are missing or stale. logf
// reports what it does.
func cachedChain(dir string, spec chainSpec, logf func(string, ...any)) (string, chainMeta, error) {
	if err := spec.validate(); err != nil {
		return "", chainMeta{}, err
	}
	blkPath := filepath.Join(dir, spec.baseName()+".blk")
	metaPath := filepath.Join(dir, spec.baseName()+".meta.json")
	meta, err := readMeta(metaPath)
	switch {
	case err == nil && meta.Version == genVersion && meta.Spec == spec:
		if fi, serr := os.Stat(blkPath); serr == nil && fi.Size() == meta.Bytes {
			logf("using cached chain %s (%d blocks, %d transactions)", blkPath, spec.Blocks, meta.NonCoinbaseTxs)
			return blkPath, meta, nil
		}
		logf("cached chain %s is missing or has the wrong size: rebuilding", blkPath)
	case err == nil:
		logf("cached chain %s is stale (generator version %d, want %d): rebuilding", blkPath, meta.Version, genVersion)
	case errors.Is(err, fs.ErrNotExist):
		logf("no cached chain %s: building it (once)", blkPath)
	default:
		logf("unreadable chain marker %s (%v): rebuilding", metaPath, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", chainMeta{}, fmt.Errorf("create bench directory: %w", err)
	}
	// Remove the marker first: a build interrupted later leaves no marker,
	// so the next run rebuilds.
	if err := os.Remove(metaPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", chainMeta{}, fmt.Errorf("remove stale marker: %w", err)
	}
	tmp := blkPath + ".tmp"
	meta, err = generateChain(tmp, spec)
	if err != nil {
		os.Remove(tmp)
		return "", chainMeta{}, err
	}
	if err := os.Rename(tmp, blkPath); err != nil {
		return "", chainMeta{}, fmt.Errorf("install block file: %w", err)
	}
	data, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return "", chainMeta{}, fmt.Errorf("encode chain marker: %w", err)
	}
	if err := os.WriteFile(metaPath, append(data, '\n'), 0o644); err != nil {
		return "", chainMeta{}, fmt.Errorf("write chain marker: %w", err)
	}
	return blkPath, meta, nil
}

func readMeta(path string) (chainMeta, error) {
	var m chainMeta
	data, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("decode %s: %w", path, err)
	}
	return m, nil
}

// spendable is an output the generator can spend.
type spendable struct {
	op    wire.OutPoint
	value int64
	key   int
}

// generator builds the benchmark chain block by block.
type generator struct {
	spec      chainSpec
	keys      []*btcec.PrivateKey
	pkScripts [][]byte
	coinbases []spendable // by height-1
	pool      []spendable // FIFO of spendable non-coinbase outputs
	head      int         // index of the pool's first unspent entry
	nextKey   int
}

// generateChain writes the spec's chain to path in regtest block file
// format. Every block pays its coinbase to a P2PKH key. From height
// CoinbaseMaturity+1 on, each block holds one fan-out transaction that
// splits the coinbase of 100 blocks earlier into many P2PKH outputs, then
// spendsPerBlock transactions that each spend the oldest unspent P2PKH
// output and pay two P2PKH outputs. Every input carries a real signature;
// the signatures of a block are made on all cores.
func generateChain(path string, spec chainSpec) (chainMeta, error) {
	meta := chainMeta{Version: genVersion, Spec: spec, TxsPerBlock: spec.spendsPerBlock() + 1}
	keys := benchKeys()
	pks, err := p2pkhScripts(keys)
	if err != nil {
		return meta, err
	}
	g := &generator{spec: spec, keys: keys, pkScripts: pks}
	f, err := os.Create(path)
	if err != nil {
		return meta, fmt.Errorf("create block file: %w", err)
	}
	defer f.Close()
	w := blockfile.NewWriter(f, consensus.RegTestParams.Magic)
	p := consensus.RegTestParams
	prev := p.GenesisHash
	prevTime := p.GenesisBlock.Header.Timestamp
	for h := int64(1); h <= int64(spec.Blocks); h++ {
		txs, err := g.blockTxs(h)
		if err != nil {
			return meta, fmt.Errorf("block %d: %w", h, err)
		}
		meta.NonCoinbaseTxs += len(txs)
		b, err := g.newBlock(prev, prevTime+blockSpacing, h, txs)
		if err != nil {
			return meta, fmt.Errorf("block %d: %w", h, err)
		}
		if err := w.WriteBlock(b); err != nil {
			return meta, err
		}
		prev, prevTime = b.BlockHash(), b.Header.Timestamp
	}
	meta.Tip = prev
	if err := f.Sync(); err != nil {
		return meta, fmt.Errorf("sync block file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		return meta, fmt.Errorf("stat block file: %w", err)
	}
	meta.Bytes = fi.Size()
	if err := f.Close(); err != nil {
		return meta, fmt.Errorf("close block file: %w", err)
	}
	return meta, nil
}

// takeKey returns the next key index, in turn.
func (g *generator) takeKey() int {
	k := g.nextKey
	g.nextKey = (g.nextKey + 1) % len(g.keys)
	return k
}

// blockTxs returns the signed non-coinbase transactions of the block at
// height h, and adds their outputs to the pool.
func (g *generator) blockTxs(h int64) ([]*wire.Tx, error) {
	c := h - consensus.CoinbaseMaturity
	if c < 1 {
		return nil, nil
	}
	// The fan-out transaction first: the block's spends may use its
	// outputs (in the first such block they have nothing else).
	cb := g.coinbases[c-1]
	nOut := g.spec.fanOut()
	per := cb.value / int64(nOut)
	if per < 1 {
		return nil, fmt.Errorf("coinbase of height %d (%d units) cannot pay %d outputs", c, cb.value, nOut)
	}
	fan := &wire.Tx{Version: 1, TxIn: []*wire.TxIn{{PreviousOutPoint: cb.op, Sequence: wire.MaxTxInSequenceNum}}}
	keysOf := make([]int, nOut)
	for i := 0; i < nOut; i++ {
		v := per
		if i == 0 {
			v += cb.value - per*int64(nOut)
		}
		keysOf[i] = g.takeKey()
		fan.TxOut = append(fan.TxOut, &wire.TxOut{Value: v, PkScript: g.pkScripts[keysOf[i]]})
	}
	if err := g.sign([]*wire.Tx{fan}, []spendable{cb}); err != nil {
		return nil, err
	}
	fanID := fan.TxHash()
	for i, out := range fan.TxOut {
		g.pool = append(g.pool, spendable{op: wire.OutPoint{Hash: fanID, Index: uint32(i)}, value: out.Value, key: keysOf[i]})
	}

	n := g.spec.spendsPerBlock()
	if len(g.pool)-g.head < n {
		return nil, fmt.Errorf("only %d spendable outputs for %d spends", len(g.pool)-g.head, n)
	}
	ins := g.pool[g.head : g.head+n]
	g.head += n
	txs := make([]*wire.Tx, n)
	outKeys := make([][2]int, n)
	for i, in := range ins {
		if in.value < 2 {
			return nil, fmt.Errorf("output %s of %d units cannot be split in two", in.op, in.value)
		}
		outKeys[i] = [2]int{g.takeKey(), g.takeKey()}
		txs[i] = &wire.Tx{Version: 1,
			TxIn: []*wire.TxIn{{PreviousOutPoint: in.op, Sequence: wire.MaxTxInSequenceNum}},
			TxOut: []*wire.TxOut{
				{Value: in.value / 2, PkScript: g.pkScripts[outKeys[i][0]]},
				{Value: in.value - in.value/2, PkScript: g.pkScripts[outKeys[i][1]]},
			}}
	}
	if err := g.sign(txs, ins); err != nil {
		return nil, err
	}
	for i, tx := range txs {
		id := tx.TxHash()
		for j, out := range tx.TxOut {
			g.pool = append(g.pool, spendable{op: wire.OutPoint{Hash: id, Index: uint32(j)}, value: out.Value, key: outKeys[i][j]})
		}
	}
	if g.head > len(g.pool)/2 { // drop the spent prefix now and then
		g.pool = append([]spendable(nil), g.pool[g.head:]...)
		g.head = 0
	}
	return append([]*wire.Tx{fan}, txs...), nil
}

// sign fills in the scriptSig of input 0 of each txs[i], which spends
// prev[i], on all cores.
func (g *generator) sign(txs []*wire.Tx, prev []spendable) error {
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errMu    sync.Mutex
		firstErr error
	)
	workers := min(runtime.NumCPU(), len(txs))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(txs) {
					return
				}
				k := prev[i].key
				sig, err := script.SignatureScript(txs[i], 0, g.pkScripts[k], script.SigHashAll, g.keys[k], true)
				if err != nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("sign %s: %w", prev[i].op, err)
					}
					errMu.Unlock()
					return
				}
				txs[i].TxIn[0].SignatureScript = sig
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// newBlock builds and solves the regtest block at height h on prev: a
// coinbase paying the subsidy to the next key (its scriptSig the BIP34
// height), then txs, which pay no fee.
func (g *generator) newBlock(prev wire.Hash, t uint32, h int64, txs []*wire.Tx) (*wire.Block, error) {
	p := consensus.RegTestParams
	sig, err := script.NewBuilder().AddInt64(h).AddInt64(genVersion).Script()
	if err != nil {
		return nil, fmt.Errorf("coinbase script: %w", err)
	}
	key := g.takeKey()
	cb := &wire.Tx{Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: sig, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: consensus.CalcBlockSubsidy(h, p), PkScript: g.pkScripts[key]}}}
	b := &wire.Block{Header: wire.BlockHeader{Version: 4, PrevBlock: prev, Timestamp: t, Bits: p.PowLimitBits},
		Transactions: append([]*wire.Tx{cb}, txs...)}
	ids := b.TxHashes()
	b.Header.MerkleRoot, _ = wire.MerkleRoot(ids)
	if !consensus.SolveHeader(&b.Header, p.PowLimit) {
		return nil, errors.New("no nonce solves the regtest block header")
	}
	g.coinbases = append(g.coinbases, spendable{op: wire.OutPoint{Hash: ids[0]}, value: cb.TxOut[0].Value, key: key})
	return b, nil
}
