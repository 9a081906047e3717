package main

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/script"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/miner"
)

// Shape of the generated coins.
const (
	// fanOutMax is the most outputs a fan-out transaction creates (about
	// 85 kB of transaction).
	fanOutMax = 2500
	// fanOutsPerBlock is how many fan-out transactions a block carries:
	// each P2PKH output counts one legacy signature operation, so seven
	// (17,500 sigops, 600 kB) stay under consensus.MaxBlockSigOps.
	fanOutsPerBlock = consensus.MaxBlockSigOps / fanOutMax * 9 / 10
	// splitCoinbases is how many coinbases the split transaction spends
	// into the fan-out transactions' inputs (500 coins of regtest
	// subsidy).
	splitCoinbases = 10
	// buildFee is the fee of the split and fan-out transactions (they go
	// straight into blocks, so only consensus applies).
	buildFee = 100_000
	// spendFee is the lowest fee of a measured spend; spendFeeSpread
	// varies it so that eviction has fee rates to choose from (about 5 to
	// 16 base units per byte).
	spendFee       = 1000
	spendFeeSpread = 2000
	// solveTries bounds the nonce search of a regtest block.
	solveTries = 1 << 24
)

// coin is a confirmed P2PKH output paying to the benchmark's key.
type coin struct {
	op    wire.OutPoint
	value int64
}

// builder mines regtest blocks paying to its key.
type builder struct {
	ch        *chain.Chain
	key       *btcec.PrivateKey
	pkScript  []byte
	extra     uint64
	coinbases []*wire.Tx // coinbase of block h at index h-1
}

// newKey returns the benchmark's fixed private key and its P2PKH script.
func newKey() (*btcec.PrivateKey, []byte, error) {
	var kb [32]byte
	for i := range kb {
		kb[i] = byte(i*11 + 5)
	}
	key, _ := btcec.PrivKeyFromBytes(kb[:])
	pk, err := script.PayToPubKeyHashScript(script.Hash160(key.PubKey().SerializeCompressed()))
	if err != nil {
		return nil, nil, fmt.Errorf("P2PKH script: %w", err)
	}
	return key, pk, nil
}

// mine builds, solves and connects a block holding txs on the tip.
func (b *builder) mine(txs ...*wire.Tx) error {
	b.extra++
	blk, err := miner.BuildBlock(b.ch, b.pkScript, txs, b.extra, time.Now())
	if err != nil {
		return fmt.Errorf("build block: %w", err)
	}
	if !miner.Solve(&blk.Header, solveTries) {
		return errors.New("block not solved")
	}
	res, err := b.ch.ProcessBlock(blk)
	if err != nil {
		return fmt.Errorf("connect block %s: %w", blk.BlockHash(), err)
	}
	if !res.MainChain {
		return fmt.Errorf("block %s did not become the tip", res.Hash)
	}
	b.coinbases = append(b.coinbases, blk.Transactions[0])
	return nil
}

// mineMature mines enough blocks for the first splitCoinbases coinbases
// to be spendable in the next block.
func (b *builder) mineMature() error {
	for int64(len(b.coinbases)) < consensus.CoinbaseMaturity+splitCoinbases {
		if err := b.mine(); err != nil {
			return err
		}
	}
	return nil
}

// sign fills the signature scripts of tx, every input of which spends an
// output paying to the builder's key.
func (b *builder) sign(tx *wire.Tx) error {
	for i := range tx.TxIn {
		ss, err := script.SignatureScript(tx, i, b.pkScript, script.SigHashAll, b.key, true)
		if err != nil {
			return fmt.Errorf("sign input %d: %w", i, err)
		}
		tx.TxIn[i].SignatureScript = ss
	}
	return nil
}

// spendTx returns the unsigned measured spend of c: one input, one P2PKH
// output back to the key, paying the fee of spend number i.
func (b *builder) spendTx(c coin, i int) *wire.Tx {
	fee := int64(spendFee + (i*7919)%spendFeeSpread)
	return &wire.Tx{Version: 1,
		TxIn:  []*wire.TxIn{{PreviousOutPoint: c.op, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: c.value - fee, PkScript: b.pkScript}}}
}

// fanOut creates n confirmed P2PKH outputs: a split transaction spending
// the first splitCoinbases coinbases into one output per fan-out
// transaction, mined in one block, then the fan-out transactions of up to
// fanOutMax outputs each, fanOutsPerBlock to a block. The coinbases must
// be mature (mineMature).
func (b *builder) fanOut(n int) ([]coin, error) {
	fans := (n + fanOutMax - 1) / fanOutMax
	split := &wire.Tx{Version: 1}
	var total int64
	for _, cb := range b.coinbases[:splitCoinbases] {
		split.TxIn = append(split.TxIn, &wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()},
			Sequence: wire.MaxTxInSequenceNum})
		total += cb.TxOut[0].Value
	}
	each := (total - buildFee) / int64(fans)
	for range fans {
		split.TxOut = append(split.TxOut, &wire.TxOut{Value: each, PkScript: b.pkScript})
	}
	if err := b.sign(split); err != nil {
		return nil, fmt.Errorf("split transaction: %w", err)
	}
	if err := b.mine(split); err != nil {
		return nil, fmt.Errorf("split transaction: %w", err)
	}
	splitID := split.TxHash()

	txs := make([]*wire.Tx, fans)
	left := n
	for j := range txs {
		outs := min(left, fanOutMax)
		left -= outs
		value := (each - buildFee) / int64(outs)
		tx := &wire.Tx{Version: 1, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: splitID, Index: uint32(j)},
			Sequence: wire.MaxTxInSequenceNum}}}
		tx.TxOut = make([]*wire.TxOut, outs)
		for k := range tx.TxOut {
			tx.TxOut[k] = &wire.TxOut{Value: value, PkScript: b.pkScript}
		}
		txs[j] = tx
	}
	if err := parallel(len(txs), 1, func(j int) error { return b.sign(txs[j]) }); err != nil {
		return nil, fmt.Errorf("fan-out transaction: %w", err)
	}
	coins := make([]coin, 0, n)
	for start := 0; start < len(txs); start += fanOutsPerBlock {
		block := txs[start:min(start+fanOutsPerBlock, len(txs))]
		if err := b.mine(block...); err != nil {
			return nil, fmt.Errorf("fan-out block: %w", err)
		}
		for _, tx := range block {
			id := tx.TxHash()
			for k, out := range tx.TxOut {
				coins = append(coins, coin{op: wire.OutPoint{Hash: id, Index: uint32(k)}, value: out.Value})
			}
		}
	}
	return coins, nil
}

// signChunk is how many spends a signing worker takes at a time; each
// chunk's serialized transactions share one buffer.
const signChunk = 4096

// signSpends signs the measured spend of every coin on one goroutine per
// CPU and returns the serialized transactions, in coin order.
func (b *builder) signSpends(coins []coin) ([][]byte, error) {
	raws := make([][]byte, len(coins))
	chunks := (len(coins) + signChunk - 1) / signChunk
	err := parallel(chunks, 1, func(c int) error {
		lo, hi := c*signChunk, min((c+1)*signChunk, len(coins))
		buf := make([]byte, 0, (hi-lo)*200)
		ends := make([]int, 0, hi-lo)
		for i := lo; i < hi; i++ {
			tx := b.spendTx(coins[i], i)
			if err := b.sign(tx); err != nil {
				return fmt.Errorf("spend %d: %w", i, err)
			}
			buf = tx.AppendTo(buf)
			ends = append(ends, len(buf))
		}
		start := 0
		for k, end := range ends {
			raws[lo+k] = buf[start:end:end]
			start = end
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return raws, nil
}

// parallel runs f(0) … f(n-1) on one goroutine per CPU, each taking batch
// indices at a time, and returns the first error.
func parallel(n, batch int, f func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range min(runtime.NumCPU(), max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(int64(batch))) - batch
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+batch, n); i++ {
					if err := f(i); err != nil {
						once.Do(func() { first = err })
						next.Store(int64(n))
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	return first
}
