package wallet

import (
	"encoding/binary"
	"testing"

	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/syndtr/goleveldb/leveldb"
)

// benchUTXOs is the number of wallet outputs the balance benchmarks hold.
const benchUTXOs = 100_000

// walletWithUTXOs returns a wallet holding benchUTXOs confirmed outputs
// (40 transactions of 2,500 outputs each, in one block, two blocks deep).
func walletWithUTXOs(b *testing.B) *Wallet {
	w, _ := newTestWallet(b, 20)
	addr, err := w.NextReceive()
	if err != nil {
		b.Fatal(err)
	}
	pk := addr.ScriptPubKey()
	var txs []*wire.Tx
	for i := 0; i < benchUTXOs/2500; i++ {
		tx := spendTx([]wire.OutPoint{{Hash: wire.Hash{byte(i), byte(i >> 8), 0xee}}})
		for j := 0; j < 2500; j++ {
			tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: int64(1000 + j), PkScript: pk})
		}
		txs = append(txs, tx)
	}
	var c testChain
	c.add(foreignScript(1))
	blk, h := c.add(foreignScript(1), txs...)
	if err := w.ProcessBlockConnected(blk, h); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		blk, h = c.add(foreignScript(1))
		if err := w.ProcessBlockConnected(blk, h); err != nil {
			b.Fatal(err)
		}
	}
	if n := len(w.ListUnspent(1, 1<<30)); n != benchUTXOs {
		b.Fatalf("wallet holds %d outputs, want %d", n, benchUTXOs)
	}
	return w
}

// BenchmarkWalletGetBalance computes the balances (getbalance,
// getbalances) of a wallet with 100,000 unspent outputs.
func BenchmarkWalletGetBalance(b *testing.B) {
	w := walletWithUTXOs(b)
	for b.Loop() {
		if w.Balances().Trusted == 0 {
			b.Fatal("zero balance")
		}
	}
}

// BenchmarkWalletListUnspent lists (listunspent) a wallet's 100,000
// unspent outputs.
func BenchmarkWalletListUnspent(b *testing.B) {
	w := walletWithUTXOs(b)
	for b.Loop() {
		if len(w.ListUnspent(1, 1<<30)) != benchUTXOs {
			b.Fatal("wrong count")
		}
	}
}

// BenchmarkLevelDBScan100kCoins is the baseline of the two above: a plain
// scan of 100,000 coin-sized entries (36-byte outpoint keys, value and
// script values) from LevelDB, summing the values.
func BenchmarkLevelDBScan100kCoins(b *testing.B) {
	db, err := leveldb.OpenFile(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	batch := new(leveldb.Batch)
	for i := 0; i < benchUTXOs; i++ {
		key := make([]byte, 36)
		binary.BigEndian.PutUint32(key, uint32(i))
		val := binary.LittleEndian.AppendUint64(nil, uint64(1000+i%2500))
		val = append(val, make([]byte, 25)...) // a P2PKH script
		batch.Put(key, val)
	}
	if err := db.Write(batch, nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var sum uint64
		n := 0
		it := db.NewIterator(nil, nil)
		for it.Next() {
			sum += binary.LittleEndian.Uint64(it.Value())
			n++
		}
		it.Release()
		if n != benchUTXOs || sum == 0 {
			b.Fatal("scan incomplete")
		}
	}
}
