package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/atomicfile"
	"github.com/nodecoin/nodecoin/internal/metrics"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/mempool/feeest"
)

// Files of the mempool and the fee estimator in the network directory,
// written at clean shutdown and read at start.
const (
	mempoolFileName      = "mempool.dat"
	feeEstimatesFileName = "fee_estimates.dat"
)

// poolObserver passes the mempool's events to the metrics, the fee
// estimator and the wallet (nil when disabled). It is called with the
// pool's lock held, so it never calls the pool.
type poolObserver struct {
	met    *metrics.Metrics
	est    *feeest.Estimator
	chain  *chain.Chain
	wallet *nodeWallet
	relay  *txRelay // announces accepted transactions to peers
}

// Accepted counts the transaction, starts timing its confirmation and
// shows it to the wallet.
func (o *poolObserver) Accepted(txid wire.Hash, tx *wire.Tx, fee, size int64) {
	o.met.MempoolAccepted()
	if size > 0 {
		o.est.TxEntered(txid, fee*1000/size, o.chain.Best().Height)
	}
	if o.wallet != nil {
		o.wallet.mempoolAccepted(tx)
	}
	o.relay.accepted(txid, fee, size)
}

// Rejected counts the refusal by reason.
func (o *poolObserver) Rejected(reason string) { o.met.MempoolRejected(reason) }

// Removed stops timing a transaction that left the pool (a confirmed one
// was already recorded: the estimator hears of blocks first) and tells the
// wallet (which also heard of the block first).
func (o *poolObserver) Removed(txid wire.Hash) {
	o.est.TxLeft(txid)
	if o.wallet != nil {
		o.wallet.mempoolRemoved(txid)
	}
}

// loadMempool reloads the mempool and the fee estimates saved at the last
// clean shutdown. Missing files are normal (first start, or after a crash);
// unreadable ones are logged and skipped, never fatal.
func (n *Node) loadMempool(pool *mempool.Pool, est *feeest.Estimator) {
	if f, err := os.Open(filepath.Join(n.netDir, feeEstimatesFileName)); err == nil {
		if err := est.Load(f); err != nil {
			n.mempoolLog.Warn("fee estimates not loaded", "err", err)
		}
		f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		n.mempoolLog.Warn("fee estimates not loaded", "err", err)
	}
	path := filepath.Join(n.netDir, mempoolFileName)
	stats, err := pool.Load(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		n.mempoolLog.Warn("saved mempool not loaded", "file", path, "err", err)
	case stats.Accepted+stats.Failed+stats.Expired > 0:
		n.mempoolLog.Info("loaded saved mempool", "accepted", stats.Accepted, "failed", stats.Failed,
			"expired", stats.Expired)
	}
}

// saveMempool writes the mempool and the fee estimates for the next start.
func (n *Node) saveMempool(pool *mempool.Pool, est *feeest.Estimator) error {
	if err := pool.Save(filepath.Join(n.netDir, mempoolFileName)); err != nil {
		return fmt.Errorf("save mempool: %w", err)
	}
	path := filepath.Join(n.netDir, feeEstimatesFileName)
	if err := atomicfile.Write(path, 0o600, est.Save); err != nil {
		return fmt.Errorf("save fee estimates: %w", err)
	}
	return nil
}
