package node

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/internal/metrics"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/miner/stratum"
	"github.com/nodecoin/nodecoin/rpc"
	"github.com/nodecoin/nodecoin/rpc/methods"
)

// stratumDirName is the share store's directory in a network directory.
const stratumDirName = "stratum"

// ErrPPLNSNeedsWallet means PPLNS payouts were asked for without the
// wallet that receives the operator fee.
var ErrPPLNSNeedsWallet = errors.New("--stratum-payout pplns pays the operator fee to the node's wallet: run with --wallet")

// resolveStratum checks the Stratum settings and fills in their defaults;
// it does nothing when the server is off.
func (cfg *Config) resolveStratum(params *consensus.Params) error {
	if cfg.StratumAddr == "" {
		return nil
	}
	if host := strings.Trim(cfg.StratumAddr, "[]"); net.ParseIP(host) != nil {
		cfg.StratumAddr = net.JoinHostPort(host, strconv.Itoa(int(params.StratumPort)))
	} else if _, _, err := net.SplitHostPort(cfg.StratumAddr); err != nil {
		var ae *net.AddrError
		if !errors.As(err, &ae) || !strings.Contains(ae.Err, "missing port") {
			return fmt.Errorf("stratum address %q: %w", cfg.StratumAddr, err)
		}
		cfg.StratumAddr = net.JoinHostPort(cfg.StratumAddr, strconv.Itoa(int(params.StratumPort)))
	}
	if cfg.StratumPayout == "" {
		cfg.StratumPayout = stratum.Solo.String()
	}
	mode, err := stratum.ParsePayoutMode(cfg.StratumPayout)
	if err != nil {
		return err
	}
	if mode == stratum.PPLNS && !cfg.Wallet {
		return ErrPPLNSNeedsWallet
	}
	if cfg.StratumMinDiff == 0 {
		cfg.StratumMinDiff = stratum.DefaultMinDifficulty
	}
	if cfg.StratumMaxDiff == 0 {
		cfg.StratumMaxDiff = stratum.DefaultMaxDifficulty
	}
	if !(cfg.StratumMinDiff > 0) || math.IsInf(cfg.StratumMaxDiff, 0) || !(cfg.StratumMaxDiff >= cfg.StratumMinDiff) {
		return fmt.Errorf("stratum difficulty bounds %v..%v: want 0 < --stratum-min-diff ≤ --stratum-max-diff", cfg.StratumMinDiff, cfg.StratumMaxDiff)
	}
	if cfg.StratumPPLNSWindow == 0 {
		cfg.StratumPPLNSWindow = stratum.DefaultPPLNSWindow
	}
	if cfg.StratumPPLNSWindow < 1 || cfg.StratumPPLNSWindow > 10_000_000 {
		return fmt.Errorf("--stratum-pplns-window %d: want 1 to 10,000,000 shares", cfg.StratumPPLNSWindow)
	}
	if !(cfg.StratumOperatorFee >= 0 && cfg.StratumOperatorFee <= 100) {
		return fmt.Errorf("--stratum-operator-fee %v: want a percentage from 0 to 100", cfg.StratumOperatorFee)
	}
	return nil
}

// startStratum opens the share store (<netdir>/stratum), starts the
// Stratum server on --stratum-addr with ch and pool, registers
// getstratuminfo and the Stratum metrics, and returns the function that
// stops the server (sending miners client.reconnect), waits for it and
// closes the store. In PPLNS mode the operator fee goes to a new address
// of wal.
func (n *Node) startStratum(ctx context.Context, ch *chain.Chain, pool *mempool.Pool, wal *nodeWallet,
	rpcSrv *rpc.Server, met *metrics.Metrics) (func(), error) {
	mode, err := stratum.ParsePayoutMode(n.cfg.StratumPayout)
	if err != nil {
		return nil, err
	}
	var operator []byte
	if mode == stratum.PPLNS {
		if wal == nil {
			return nil, ErrPPLNSNeedsWallet
		}
		a, err := wal.NextReceive()
		if err != nil {
			return nil, fmt.Errorf("stratum: operator fee address: %w", err)
		}
		operator = a.ScriptPubKey()
		n.stratumLog.Info("stratum operator fee address", "address", a.String(), "fee_percent", n.cfg.StratumOperatorFee,
			"pplns_window", n.cfg.StratumPPLNSWindow)
	}
	store, err := stratum.OpenStore(filepath.Join(n.netDir, stratumDirName), n.cfg.StratumPPLNSWindow)
	if err != nil {
		return nil, err
	}
	srv, err := stratum.New(stratum.Config{Chain: ch, Pool: pool, Addr: n.cfg.StratumAddr,
		Vardiff: stratum.VardiffConfig{Min: n.cfg.StratumMinDiff, Max: n.cfg.StratumMaxDiff},
		Payout:  mode, OperatorFeePPM: int64(math.Round(n.cfg.StratumOperatorFee * 10_000)), OperatorScript: operator,
		Store: store, Logger: n.stratumLog})
	if err == nil {
		err = srv.Listen()
	}
	if err == nil {
		err = registerRPC(rpcSrv, met, methods.Stratum(srv)...)
	}
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	met.SetStratum(srv)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Run(ctx); err != nil {
			n.stratumLog.Error("stratum server failed", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
		met.SetStratum(nil)
		if err := store.Close(); err != nil {
			n.stratumLog.Error("stratum: close the share store", "err", err)
		}
	}, nil
}
