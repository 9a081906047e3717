// Package node wires nodecoin's subsystems into a running node: its
// configuration, the per-network data directory and its lock, logging (one
// structured slog logger per subsystem), the chain, and the import of block
// files at start (--loadblock). cmd/nodecoin's daemon command is a thin
// front over it.
//
// A node's life is Run(ctx): it takes the data directory, starts the
// metrics server and the JSON-RPC server (in warm-up until the chain is
// open; cookie written), opens the chain, creates the mempool and the fee
// estimator (reloading what the last clean stop saved) and, unless
// disabled, the wallet (<netdir>/wallet.dat, created when absent, brought
// up to date with the chain) and subscribes them to the chain, starts the
// P2P server (p2p.go: listening, peers, sync and relay), registers the RPC
// methods, logs "node ready", starts the in-process miner when asked
// (--mine, package miner/local) and the Stratum server when asked
// (--stratum-addr, package miner/stratum; see stratum.go), imports the
// block files, and on cancellation of ctx (or the `stop` RPC) stops the
// Stratum server, the miner, the import, the P2P server (which saves its
// ban list and address book) and the RPC server, saves the mempool and fee
// estimates, closes the wallet
// and the chain, which flushes its state, removes the cookie and stops the
// metrics server.
package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/internal/metrics"
	"github.com/nodecoin/nodecoin/internal/version"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/mempool/feeest"
	"github.com/nodecoin/nodecoin/miner/grind"
	"github.com/nodecoin/nodecoin/miner/local"
	"github.com/nodecoin/nodecoin/rpc"
	"github.com/nodecoin/nodecoin/rpc/methods"
)

// chainDirName is the chain database's directory in a network directory.
const chainDirName = "chain"

// Node is a nodecoin full node.
type Node struct {
	cfg    Config
	params *consensus.Params
	netDir string

	log        *slog.Logger // subsystem node
	chainLog   *slog.Logger // subsystem chain
	importLog  *slog.Logger // subsystem import
	rpcLog     *slog.Logger // subsystem rpc
	metricsLog *slog.Logger // subsystem metrics
	mempoolLog *slog.Logger // subsystem mempool
	walletLog  *slog.Logger // subsystem wallet
	minerLog   *slog.Logger // subsystem miner
	stratumLog *slog.Logger // subsystem stratum
	p2pLog     *slog.Logger // subsystem p2p

	// payTo is the decoded --mining-address, nil when none was given.
	payTo []byte
}

// New checks cfg and returns a node ready to Run. It touches no files.
func New(cfg Config) (*Node, error) {
	params, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	var payTo []byte
	if cfg.Mine && cfg.MiningAddress != "" {
		a, err := address.Decode(cfg.MiningAddress, params.AddressPrefixes())
		if err != nil {
			return nil, fmt.Errorf("mining address %q: %w", cfg.MiningAddress, err)
		}
		payTo = a.ScriptPubKey()
	}
	base := NewLogger(cfg.LogOutput, cfg.LogLevel)
	return &Node{
		cfg: cfg, params: params, payTo: payTo,
		netDir:     filepath.Join(cfg.DataDir, params.Name),
		log:        base.With("subsystem", "node"),
		chainLog:   base.With("subsystem", "chain"),
		importLog:  base.With("subsystem", "import"),
		rpcLog:     base.With("subsystem", "rpc"),
		metricsLog: base.With("subsystem", "metrics"),
		mempoolLog: base.With("subsystem", "mempool"),
		walletLog:  base.With("subsystem", "wallet"),
		minerLog:   base.With("subsystem", "miner"),
		stratumLog: base.With("subsystem", "stratum"),
		p2pLog:     base.With("subsystem", "p2p"),
	}, nil
}

// NewLogger returns the node's base logger: slog text lines of the given
// level and above, written to w.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// NetworkDir returns the directory holding the node's network's data,
// <datadir>/<network>.
func (n *Node) NetworkDir() string { return n.netDir }

// Run runs the node until ctx is cancelled, then shuts it down cleanly and
// returns nil; it returns an error when the node cannot start or a
// subsystem fails. A Node runs once.
func (n *Node) Run(ctx context.Context) (err error) {
	started := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := os.MkdirAll(n.netDir, 0o700); err != nil {
		return fmt.Errorf("create data directory %s: %w", n.netDir, err)
	}
	lock, err := lockDir(n.netDir)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, lock.release()) }()

	files, err := openBlockFiles(n.cfg.LoadBlocks)
	if err != nil {
		return err
	}
	defer closeAll(files)

	n.log.Info("starting nodecoin", "version", version.String(), "network", n.params.Name, "datadir", n.netDir,
		"dbcache_mib", n.cfg.CacheMiB, "txindex", n.cfg.TxIndex, "pid", os.Getpid())
	met, stopMetrics, err := n.startMetrics(cancel)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stopMetrics()) }()
	rpcSrv, stopRPC, err := n.startRPC(started, cancel, met)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stopRPC()) }()

	chainDir := filepath.Join(n.netDir, chainDirName)
	// One signature cache: the mempool fills it, block connection reads it.
	sigCache := chain.NewSigCache(sigCacheEntries)
	ch, err := chain.Open(ctx, chain.Config{Dir: chainDir, Params: n.params, CacheMiB: n.cfg.CacheMiB,
		TxIndex: n.cfg.TxIndex, SigCache: sigCache, Logger: n.chainLog, Observer: met})
	if errors.Is(err, chain.ErrSchema) {
		return fmt.Errorf("data directory %s cannot be used for network %s: %w", n.netDir, n.params.Name, err)
	}
	if err != nil && ctx.Err() != nil {
		n.log.Info("shut down while bringing the chain up to date", "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("open chain: %w", err)
	}
	// The wallet catches up with the chain before anything can add blocks
	// and before the saved mempool is reloaded (whose transactions may
	// spend coins of the blocks it missed).
	var wal *nodeWallet
	if n.cfg.Wallet {
		if wal, err = n.openWallet(ch); err != nil {
			return errors.Join(err, ch.Close())
		}
	}
	est := feeest.New()
	relay := &txRelay{}
	pool := mempool.New(ch, mempool.Config{MaxBytes: int64(n.cfg.MaxMempoolMiB) << 20, MinRelayFee: n.cfg.MinRelayFee,
		SigCache: sigCache, Logger: n.mempoolLog, Observer: &poolObserver{met: met, est: est, chain: ch, wallet: wal, relay: relay}})
	defer func() {
		// No RPC handler may run once the chain closes.
		err = errors.Join(err, stopRPC())
		met.SetChain(nil) // no scrape reads the chain once it closes
		met.SetPool(nil)
		err = errors.Join(err, n.saveMempool(pool, est))
		if wal != nil {
			if werr := wal.Close(); werr != nil {
				err = errors.Join(err, fmt.Errorf("close wallet: %w", werr))
			}
		}
		best := ch.Best()
		if cerr := ch.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close chain: %w", cerr))
			return
		}
		n.log.Info("node stopped", "height", best.Height, "tip", best.Hash)
	}()
	met.SetChain(ch)
	ch.Subscribe(met.OnNotification)
	if wal != nil {
		// Before the mempool's subscriber: see nodeWallet.handleNotification.
		ch.Subscribe(wal.handleNotification)
	}
	n.loadMempool(pool, est)
	// The estimator sees a block's confirmations before the pool drops
	// the confirmed transactions.
	ch.Subscribe(func(nt chain.Notification) {
		if nt.Type == chain.BlockConnected {
			est.BlockConnected(nt.Height, nt.TxIDs)
		}
		if err := pool.HandleNotification(nt); err != nil {
			n.mempoolLog.Warn("mempool update after a block failed", "block", nt.Hash, "err", err)
		}
	})
	met.SetPool(pool)
	p2pSrv, stopP2P, err := n.startP2P(ctx, ch, pool, relay, met)
	if err != nil {
		return err
	}
	met.SetSyncSource(p2pSrv)
	// Deferred after the chain's close, so run before it.
	defer func() {
		met.SetSyncSource(nil)
		stopP2P()
	}()
	// The chain's RPC methods are registered here, before the warm-up ends.
	opts := methods.Options{TxIndex: n.cfg.TxIndex, Logger: n.rpcLog, Pool: pool, Fees: est}
	if wal != nil {
		opts.Wallet = wal // never a typed nil
	}
	if err := registerRPC(rpcSrv, met, append(methods.All(ch, opts), methods.Network(p2pSrv, n.cfg.MinRelayFee)...)...); err != nil {
		return fmt.Errorf("register RPC methods: %w", err)
	}
	rpcSrv.WarmupFinished()
	best := ch.Best()
	n.log.Info("node ready", "network", n.params.Name, "datadir", n.netDir, "height", best.Height, "tip", best.Hash)

	if n.cfg.Mine {
		stopMining, err := n.startMining(ctx, ch, pool, wal, met)
		if err != nil {
			return err
		}
		// Deferred after the chain's close, so run before it.
		defer stopMining()
	}
	if n.cfg.StratumAddr != "" {
		stopStratum, err := n.startStratum(ctx, ch, pool, wal, rpcSrv, met)
		if err != nil {
			return err
		}
		defer stopStratum()
	}

	importDone := make(chan error, 1)
	go func() { importDone <- n.importBlockFiles(ctx, ch, files) }()

	select {
	case err = <-importDone:
		if err != nil {
			n.log.Error("block import failed, shutting down", "err", err)
			return err
		}
		<-ctx.Done()
	case <-ctx.Done():
		// The import stops at the next block.
		err = <-importDone
	}
	n.log.Info("shutting down")
	return err
}

// startMining starts the in-process miner on ch with pool's transactions,
// paying --mining-address or else a new receiving address of wal. The
// returned function stops the miner and waits for it.
func (n *Node) startMining(ctx context.Context, ch *chain.Chain, pool *mempool.Pool, wal *nodeWallet, met *metrics.Metrics) (func(), error) {
	payTo, payee := n.payTo, n.cfg.MiningAddress
	if payTo == nil {
		if wal == nil {
			return nil, ErrNoMiningAddress
		}
		a, err := wal.NextReceive()
		if err != nil {
			return nil, fmt.Errorf("mining: new wallet address: %w", err)
		}
		payTo, payee = a.ScriptPubKey(), a.String()+" (new wallet address)"
	}
	threads := n.cfg.Threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	counters := grind.NewCounters(threads)
	m, err := local.New(local.Config{Chain: ch, Pool: pool, PayTo: payTo, Threads: threads, Logger: n.minerLog,
		Counters: counters, Observer: met.RegisterMiner(threads, counters.Total)})
	if err != nil {
		return nil, fmt.Errorf("mining: %w", err)
	}
	n.minerLog.Info("mining to address", "address", payee)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}, nil
}

// rpcShutdownGrace is how long replies in progress may take to finish
// when the RPC server stops.
const rpcShutdownGrace = 5 * time.Second

// startRPC starts the JSON-RPC server on the configured address, in
// warm-up, with the control methods registered (`stop` calls shutdown),
// writing the cookie file when no credentials are configured. The
// returned function stops the server (waiting up to rpcShutdownGrace for
// replies in progress) and removes the cookie; it may be called more than
// once; the first call returns the server's error, if it failed.
func (n *Node) startRPC(started time.Time, shutdown context.CancelFunc, met *metrics.Metrics) (*rpc.Server, func() error, error) {
	ln, err := net.Listen("tcp", n.cfg.RPCAddr)
	if err != nil {
		return nil, nil, fmt.Errorf("RPC server: %w", err)
	}
	user, password, auth := n.cfg.RPCUser, n.cfg.RPCPassword, "rpc-user"
	cookiePath := filepath.Join(n.netDir, rpc.CookieFileName)
	if user == "" {
		if user, password, err = rpc.WriteCookie(cookiePath); err != nil {
			ln.Close()
			return nil, nil, err
		}
		auth = "cookie"
	}
	removeCookie := func() error {
		if auth != "cookie" {
			return nil
		}
		return rpc.RemoveCookie(cookiePath)
	}
	srv, err := rpc.New(rpc.Config{User: user, Password: password, Logger: n.rpcLog, OnRequest: met.ObserveRPC})
	if err == nil {
		err = registerRPC(srv, met, rpc.ControlMethods(started, func() {
			n.log.Info("shutdown requested over RPC")
			shutdown()
		})...)
	}
	if err != nil {
		ln.Close()
		return nil, nil, errors.Join(err, removeCookie())
	}
	srv.SetWarmup("Loading block index…")
	served := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if err != nil {
			n.rpcLog.Error("RPC server failed, shutting down", "err", err)
			shutdown()
		}
		served <- err
	}()
	n.rpcLog.Info("RPC server listening", "addr", ln.Addr().String(), "auth", auth)
	var once sync.Once
	stop := func() (err error) {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), rpcShutdownGrace)
			defer cancel()
			err = errors.Join(srv.Shutdown(ctx), <-served, removeCookie())
			n.rpcLog.Info("RPC server stopped")
		})
		return err
	}
	return srv, stop, nil
}

// registerRPC registers methods with the RPC server and their names with
// the metrics, whose method label takes registered names only.
func registerRPC(srv *rpc.Server, met *metrics.Metrics, methods ...rpc.Method) error {
	if err := srv.Register(methods...); err != nil {
		return err
	}
	for _, m := range methods {
		met.RegisterRPCMethods(m.Name)
	}
	return nil
}

// startMetrics binds the metrics server's address (so a busy port stops
// the node before it opens the chain) and serves the node's metrics there
// until the returned function is called; that function may be called more
// than once and returns the server's error. The chain's gauges appear once
// the caller sets the chain. If serving fails, the node shuts down.
func (n *Node) startMetrics(shutdown context.CancelFunc) (*metrics.Metrics, func() error, error) {
	met := metrics.New(nil)
	srv := metrics.NewServer(n.cfg.MetricsAddr, met, n.metricsLog)
	if err := srv.Listen(context.Background()); err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		err := srv.Run(ctx)
		if err != nil {
			n.metricsLog.Error("metrics server failed, shutting down", "err", err)
			shutdown()
		}
		served <- err
	}()
	var (
		once sync.Once
		err  error
	)
	stop := func() error {
		once.Do(func() {
			cancel()
			err = <-served
		})
		return err
	}
	return met, stop, nil
}

// sigCacheEntries bounds the signature cache.
const sigCacheEntries = 100_000

// openBlockFiles opens the --loadblock files, so that a missing or
// unreadable one stops the node before it starts.
func openBlockFiles(paths []string) ([]*os.File, error) {
	var files []*os.File
	for _, p := range paths {
		f, err := os.Open(p)
		if err == nil {
			var fi os.FileInfo
			if fi, err = f.Stat(); err == nil && fi.IsDir() {
				err = errors.New("is a directory")
			}
			if err != nil {
				f.Close()
			}
		}
		if err != nil {
			closeAll(files)
			return nil, fmt.Errorf("block file %s: %w", p, err)
		}
		files = append(files, f)
	}
	return files, nil
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}
