package node

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/wallet"
)

// nodeWallet is the node's wallet with its rescans serialised with the
// chain's block notifications: Wallet.Rescan must not run while blocks are
// delivered, and importprivkey rescans while the node runs.
type nodeWallet struct {
	*wallet.Wallet
	log    *slog.Logger
	scanMu sync.Mutex // held by Rescan and by the delivery of a block
}

// Rescan is wallet.Wallet.Rescan, holding back block notifications until
// it is done (they then repeat what the rescan saw, which is harmless).
func (w *nodeWallet) Rescan(src wallet.BlockSource, from int32) (int32, error) {
	w.scanMu.Lock()
	defer w.scanMu.Unlock()
	return w.Wallet.Rescan(src, from)
}

// handleNotification passes a block notification to the wallet. The node
// subscribes it before the mempool: the wallet records a block's
// transactions as confirmed before the pool's Removed events would mark
// them as out of the mempool, and marks a disconnected block's
// transactions unconfirmed before the pool takes them back (its Accepted
// events then count them as in the mempool again).
func (w *nodeWallet) handleNotification(nt chain.Notification) {
	w.scanMu.Lock()
	defer w.scanMu.Unlock()
	var err error
	switch nt.Type {
	case chain.BlockConnected:
		err = w.ProcessBlockConnected(nt.Block, nt.Height)
	case chain.BlockDisconnected:
		err = w.ProcessBlockDisconnected(nt.Block, nt.Height)
	}
	if err != nil {
		w.log.Error("wallet update after a block failed", "block", nt.Hash, "height", nt.Height, "err", err)
	}
}

// mempoolAccepted records a transaction the pool accepted, if it concerns
// the wallet. It is called with the pool's lock held: it touches only the
// wallet (a wallet transaction costs one write of the wallet file).
func (w *nodeWallet) mempoolAccepted(tx *wire.Tx) {
	if err := w.ProcessMempoolTx(tx); err != nil {
		w.log.Error("wallet update after a mempool acceptance failed", "txid", tx.TxHash(), "err", err)
	}
}

// mempoolRemoved records that a transaction left the pool.
func (w *nodeWallet) mempoolRemoved(txid wire.Hash) {
	if err := w.RemoveMempoolTx(txid); err != nil {
		w.log.Error("wallet update after a mempool removal failed", "txid", txid, "err", err)
	}
}

// openWallet opens <netdir>/wallet.dat, creating a new wallet when there is
// none (logging its first receiving address, never a key), and rescans the
// blocks connected since the wallet last saw the chain. It runs before the
// wallet is subscribed to the chain and before anything can add blocks.
func (n *Node) openWallet(ch *chain.Chain) (*nodeWallet, error) {
	cfg := wallet.Config{Params: n.params, Dir: n.netDir, Logger: n.walletLog}
	w, err := wallet.Open(cfg)
	if errors.Is(err, wallet.ErrNoWallet) {
		if w, err = wallet.Create(cfg); err != nil {
			return nil, fmt.Errorf("create wallet: %w", err)
		}
		a, aerr := w.NextReceive()
		if aerr != nil {
			return nil, errors.Join(fmt.Errorf("create wallet: first address: %w", aerr), w.Close())
		}
		n.walletLog.Info("created a new wallet", "path", wallet.Path(n.netDir), "first_address", a.String())
	} else if err != nil {
		return nil, fmt.Errorf("open wallet: %w", err)
	}
	nw := &nodeWallet{Wallet: w, log: n.walletLog}
	from, err := nw.unwindStaleTip(ch)
	if err != nil {
		return nil, errors.Join(err, w.Close())
	}
	best := ch.Best()
	if from > best.Height+1 {
		n.walletLog.Warn("wallet has seen more blocks than the chain holds; rescanning from genesis",
			"wallet_height", from-1, "chain_height", best.Height)
		from = 0
	}
	if from <= best.Height {
		n.walletLog.Info("wallet catching up with the chain", "from", from, "to", best.Height)
		if _, err := nw.Rescan(ch, from); err != nil {
			return nil, errors.Join(fmt.Errorf("wallet rescan: %w", err), w.Close())
		}
	}
	return nw, nil
}

// unwindStaleTip finds where the wallet's last block stands in ch: when a
// reorganisation took it off the main chain while the wallet was closed,
// the wallet is walked back, block by block, to the fork point (its
// transactions of those blocks become unconfirmed, as a live
// disconnection does). It returns the height the catch-up rescan starts
// from: the block after the wallet's tip, or genesis when the chain does
// not know the wallet's blocks at all (another data directory's wallet).
func (w *nodeWallet) unwindStaleTip(ch *chain.Chain) (int32, error) {
	height, hash := w.Tip()
	if height < 0 {
		return 0, nil
	}
	for unwound := 0; ; unwound++ {
		if main, err := ch.BlockHashAt(height); err == nil && main == hash {
			if unwound > 0 {
				w.log.Info("wallet's blocks left the main chain while it was closed; unwound to the fork",
					"blocks", unwound, "fork_height", height, "fork", hash)
			}
			return height + 1, nil
		}
		blk, err := ch.Block(hash)
		if errors.Is(err, chain.ErrBlockNotFound) {
			w.log.Warn("the chain does not know the wallet's last block; rescanning from genesis",
				"wallet_height", height, "wallet_tip", hash)
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("wallet: read block %s: %w", hash, err)
		}
		if err := w.ProcessBlockDisconnected(blk, height); err != nil {
			return 0, fmt.Errorf("wallet: unwind block %s: %w", hash, err)
		}
		height, hash = height-1, blk.Header.PrevBlock
		if height < 0 {
			return 0, nil
		}
	}
}

// ExportIncome writes the mining income records of the wallet of network
// (the default network when empty) in dataDir as CSV to out
// (wallet.WriteIncomeCSV), offline: it takes the network directory's lock,
// so it refuses, with an error wrapping ErrDataDirInUse, while a daemon
// runs on the data directory.
func ExportIncome(network, dataDir string, out io.Writer) (err error) {
	if network == "" {
		network = consensus.MainNetName
	}
	params, err := consensus.ParamsForNetwork(network)
	if err != nil {
		return err
	}
	netDir := filepath.Join(dataDir, params.Name)
	lock, err := lockDir(netDir)
	if errors.Is(err, ErrDataDirInUse) {
		return fmt.Errorf("%w; stop the daemon first, or ask it with `nodecoin cli listminingrewards`", err)
	}
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, lock.release()) }()
	w, err := wallet.Open(wallet.Config{Params: params, Dir: netDir})
	if err != nil {
		return err
	}
	rewards := w.MiningRewards()
	if err := w.Close(); err != nil {
		return err
	}
	return wallet.WriteIncomeCSV(out, rewards)
}
