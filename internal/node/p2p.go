package node

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/version"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/p2p"
	"github.com/nodecoin/nodecoin/p2p/message"
)

// txRelay passes the mempool's acceptances to the P2P server once it
// exists (the pool is created first). It is safe for concurrent use.
type txRelay struct {
	srv atomic.Pointer[p2p.Server]
}

// accepted queues an accepted transaction for announcement; it is called
// with the pool's lock held and never calls the pool.
func (r *txRelay) accepted(txid wire.Hash, fee, size int64) {
	if r == nil {
		return
	}
	if s := r.srv.Load(); s != nil {
		s.TxAccepted(txid, fee, size)
	}
}

// resolveP2P fills in the P2P defaults: listening on all interfaces at the
// network's P2P port, or not at all with --connect (as Bitcoin Core: a node
// that talks only to chosen peers does not take others), 125 connections.
func (cfg *Config) resolveP2P(p2pPort uint16) error {
	if cfg.Listen == "" && len(cfg.Connect) > 0 {
		cfg.Listen = "off"
	}
	if cfg.Listen == "" {
		cfg.Listen = net.JoinHostPort("0.0.0.0", strconv.Itoa(int(p2pPort)))
	}
	if cfg.Listen != "off" {
		if _, _, err := net.SplitHostPort(cfg.Listen); err != nil {
			return fmt.Errorf("P2P listen address %q: %w", cfg.Listen, err)
		}
	}
	for _, a := range append(append([]string{}, cfg.Connect...), cfg.AddNodes...) {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return fmt.Errorf("peer address %q: %w", a, err)
		}
	}
	if cfg.MaxConnections == 0 {
		cfg.MaxConnections = p2p.DefaultMaxConnections
	}
	if cfg.MaxConnections < 0 {
		return fmt.Errorf("--maxconnections %d is negative", cfg.MaxConnections)
	}
	return nil
}

// startP2P binds the P2P listening address and runs the P2P server on
// the chain and pool until ctx is cancelled or the returned function is
// called, which stops the server and waits for it.
func (n *Node) startP2P(ctx context.Context, ch *chain.Chain, pool *mempool.Pool, relay *txRelay, obs p2p.Observer) (*p2p.Server, func(), error) {
	listen := n.cfg.Listen
	if listen == "off" {
		listen = ""
	}
	srv, err := p2p.New(p2p.Config{Params: n.params, Chain: ch, Pool: pool, Listen: listen,
		Connect: n.cfg.Connect, AddNodes: n.cfg.AddNodes, MaxConnections: n.cfg.MaxConnections,
		DataDir: n.netDir, UserAgent: message.UserAgent(version.Version), Logger: n.p2pLog, Observer: obs})
	if err != nil {
		return nil, nil, err
	}
	if err := srv.Listen(); err != nil {
		return nil, nil, err
	}
	relay.srv.Store(srv)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Run(ctx); err != nil {
			n.p2pLog.Error("P2P server failed", "err", err)
		}
	}()
	return srv, func() {
		cancel()
		<-done
		relay.srv.Store(nil)
	}, nil
}
