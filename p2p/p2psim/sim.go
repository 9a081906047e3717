// Package p2psim simulates a network of nodecoin nodes in one process:
// real chains and p2p.Servers connected by in-memory pipes, for measuring
// how fast blocks propagate (internal/tools/p2pbench) and for testing it.
package p2psim

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"path/filepath"
	"sync"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/node/nodetest"
	"github.com/nodecoin/nodecoin/p2p"
)

// simNode is one node of the simulation.
type simNode struct {
	ch  *chain.Chain
	srv *p2p.Server
}

// Run returns the per-(block, node) arrival delays and graph distances
// (hops from the miner) of blocks mined at random nodes of n nodes, each a
// chain in its own directory under dir and a p2p.Server, connected in a
// random graph over in-memory pipes: every node after the first links to a
// random earlier one (so the graph is connected) and to three more at
// random. Each block is mined once the previous one reached every node.
// logf receives a line describing the graph.
func Run(dir string, n, blocks int, logf func(string, ...any)) (delays []time.Duration, hops []int, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	nodes := make([]*simNode, n)
	var mu sync.Mutex
	arrived := make(map[wire.Hash]map[int]time.Time)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
		for _, nd := range nodes {
			if nd != nil {
				nd.ch.Close()
			}
		}
	}()
	for i := range nodes {
		ch, err := chain.Open(ctx, chain.Config{Dir: filepath.Join(dir, fmt.Sprint(i)), Params: consensus.RegTestParams,
			CacheMiB: 4, Logger: quiet})
		if err != nil {
			return nil, nil, err
		}
		srv, err := p2p.New(p2p.Config{Params: consensus.RegTestParams, Chain: ch, Logger: quiet})
		if err != nil {
			ch.Close()
			return nil, nil, err
		}
		nodes[i] = &simNode{ch: ch, srv: srv}
		idx := i
		ch.Subscribe(func(nt chain.Notification) {
			if nt.Type != chain.BlockConnected {
				return
			}
			now := time.Now()
			mu.Lock()
			if arrived[nt.Hash] == nil {
				arrived[nt.Hash] = make(map[int]time.Time)
			}
			if _, ok := arrived[nt.Hash][idx]; !ok {
				arrived[nt.Hash][idx] = now
			}
			mu.Unlock()
		})
		wg.Add(1)
		go func() { defer wg.Done(); srv.Run(ctx) }()
	}
	adj := make([][]int, n)
	linked := make(map[[2]int]bool)
	link := func(a, b int) error {
		if a == b || linked[[2]int{a, b}] || linked[[2]int{b, a}] {
			return nil
		}
		linked[[2]int{a, b}] = true
		adj[a] = append(adj[a], b)
		adj[b] = append(adj[b], a)
		c1, c2 := net.Pipe()
		for deadline := time.Now().Add(5 * time.Second); ; {
			if nodes[b].srv.AddConn(c2, true, false) {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("node %d refused a connection", b)
			}
			time.Sleep(time.Millisecond)
		}
		if !nodes[a].srv.AddConn(c1, false, false) {
			return fmt.Errorf("node %d refused a connection", a)
		}
		return nil
	}
	for i := 1; i < n; i++ {
		if err := link(i, rand.IntN(i)); err != nil {
			return nil, nil, err
		}
		for k := 0; k < 3; k++ {
			if err := link(i, rand.IntN(n)); err != nil {
				return nil, nil, err
			}
		}
	}
	// Wait for the handshakes.
	for deadline := time.Now().Add(30 * time.Second); ; {
		ok := true
		for i, nd := range nodes {
			in, out := nd.srv.ConnectionCount()
			if in+out < len(adj[i]) {
				ok = false
			}
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return nil, nil, fmt.Errorf("handshakes did not complete")
		}
		time.Sleep(10 * time.Millisecond)
	}
	edges := 0
	for _, a := range adj {
		edges += len(a)
	}
	logf("sim: %d nodes, %d connections, mean degree %.1f", n, edges/2, float64(edges)/float64(n))
	for b := 0; b < blocks; b++ {
		origin := rand.IntN(n)
		best := nodes[origin].ch.Best()
		blk, err := nodetest.NewBlock(best.Hash, best.Time+60, int64(best.Height)+1, int64(b))
		if err != nil {
			return nil, nil, err
		}
		h := blk.BlockHash()
		start := time.Now()
		if _, err := nodes[origin].ch.ProcessBlock(blk); err != nil {
			return nil, nil, err
		}
		for deadline := time.Now().Add(30 * time.Second); ; {
			mu.Lock()
			got := len(arrived[h])
			mu.Unlock()
			if got == n {
				break
			}
			if time.Now().After(deadline) {
				return nil, nil, fmt.Errorf("block %d reached %d of %d nodes in 30 s", b, got, n)
			}
			time.Sleep(time.Millisecond)
		}
		dist := bfs(adj, origin)
		mu.Lock()
		for i, at := range arrived[h] {
			if i == origin {
				continue
			}
			delays = append(delays, at.Sub(start))
			hops = append(hops, dist[i])
		}
		mu.Unlock()
	}
	return delays, hops, nil
}

// bfs returns the graph distance of every node from origin.
func bfs(adj [][]int, origin int) []int {
	dist := make([]int, len(adj))
	for i := range dist {
		dist[i] = -1
	}
	dist[origin] = 0
	queue := []int{origin}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, v := range adj[u] {
			if dist[v] < 0 {
				dist[v] = dist[u] + 1
				queue = append(queue, v)
			}
		}
	}
	return dist
}
