// Package methods holds the node's RPC methods — the "blockchain",
// "mining", "rawtransactions", "util" and "wallet" categories of Bitcoin Core's RPC
// interface — as rpc.Method values for rpc.Server.Register. Names,
// parameters, result shapes, error codes and messages follow Bitcoin Core;
// where nodecoin differs, the method's help text and the function
// building it say so.
//
// The handlers are written against Chain, the part of *chain.Chain they
// use (and the wallet methods against Wallet, the part of *wallet.Wallet
// they use), so that they can be unit-tested with a real chain and no
// server.
// The server checks argument counts and declared JSON types before a
// handler runs; the handlers check values (hashes, hex, ranges).
package methods

import (
	"log/slog"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/mempool/feeest"
	"github.com/nodecoin/nodecoin/rpc"
)

// Chain is what the methods need of the block chain; *chain.Chain
// satisfies it (and miner.Chain is a part of it).
type Chain interface {
	Params() *consensus.Params
	Best() chain.BestState
	BlockInfo(hash wire.Hash) (chain.BlockInfo, error)
	BlockHashAt(height int32) (wire.Hash, error)
	BlockBytes(hash wire.Hash) ([]byte, error)
	Block(hash wire.Hash) (*wire.Block, error)
	Coin(op wire.OutPoint) (*chain.Coin, error)
	ChainTips() []chain.ChainTip
	SizeOnDisk() int64
	CoinSetInfo() (chain.CoinSetInfo, error)
	TxByID(txid wire.Hash) (*chain.TxLookup, error)
	ProcessBlock(b *wire.Block) (chain.ProcessResult, error)
	InvalidateBlock(hash wire.Hash) error
	ReconsiderBlock(hash wire.Hash) error
}

var _ Chain = (*chain.Chain)(nil)

// Pool is what the methods need of the mempool; *mempool.Pool satisfies
// it.
type Pool interface {
	Accept(tx *wire.Tx, opts mempool.AcceptOptions) (*mempool.AcceptResult, error)
	Get(txid wire.Hash) *mempool.EntryInfo
	Tx(txid wire.Hash) *wire.Tx
	Spender(op wire.OutPoint) *wire.Tx
	TxIDs() []wire.Hash
	Entries() []*mempool.EntryInfo
	Ancestors(txid wire.Hash) ([]wire.Hash, bool)
	Descendants(txid wire.Hash) ([]wire.Hash, bool)
	Info() mempool.Info
	Prioritise(txid wire.Hash, delta int64)
	MiningOrder() []*mempool.MiningTx
	Sequence() uint64
}

var _ Pool = (*mempool.Pool)(nil)

// FeeEstimator is what estimatesmartfee needs; *feeest.Estimator
// satisfies it.
type FeeEstimator interface {
	EstimateSmartFee(target int, conservative bool) (feeRate int64, blocks int, err error)
}

var _ FeeEstimator = (*feeest.Estimator)(nil)

// Options are the node's settings the methods depend on.
type Options struct {
	// TxIndex says whether the chain keeps the transaction index
	// (--txindex); getrawtransaction's error message depends on it.
	TxIndex bool
	// Now returns the current time; nil means time.Now. It decides
	// initialblockdownload and verificationprogress, and the timestamps of
	// generated blocks.
	Now func() time.Time
	// Logger receives the reasons verifychain gives false; nil means
	// slog.Default().
	Logger *slog.Logger
	// Pool is the node's mempool; nil leaves out the mempool methods and
	// makes the others answer as if the pool were empty.
	Pool Pool
	// Fees is the fee estimator behind estimatesmartfee; nil leaves the
	// method out.
	Fees FeeEstimator
	// Wallet is the node's wallet; nil leaves out the wallet methods
	// (--wallet=false).
	Wallet Wallet
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// All returns every method of this package: Blockchain, Mining,
// RawTransactions and Util, then Mempool when opts.Pool is set,
// FeeEstimation when opts.Fees is set and Wallets when opts.Wallet is set.
func All(c Chain, opts Options) []rpc.Method {
	var out []rpc.Method
	out = append(out, Blockchain(c, opts)...)
	out = append(out, Mining(c, opts)...)
	out = append(out, RawTransactions(c, opts)...)
	out = append(out, Util(c)...)
	out = append(out, Mempool(c, opts)...)
	out = append(out, FeeEstimation(opts)...)
	out = append(out, Wallets(c, opts)...)
	out = append(out, WalletSends(c, opts)...)
	return out
}
