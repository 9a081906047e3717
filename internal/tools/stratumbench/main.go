// Command stratumbench measures the Stratum server in process, on a fresh
// regtest chain: the time from a new tip (the chain's notification) to the
// clean job reaching each of -miners connected miners, as p50 and p99 over
// every delivery and over each round's last delivery; and the memory per
// idle connection with -idle connections open, against the same number of
// connections to a listener that only holds them. `make bench` runs it.
package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/miner"
	"github.com/nodecoin/nodecoin/miner/stratum"
)

func main() {
	miners := flag.Int("miners", 100, "connected miners receiving each clean job")
	rounds := flag.Int("rounds", 200, "new tips")
	idle := flag.Int("idle", 1000, "idle connections for the memory figure")
	flag.Parse()
	if err := run(*miners, *rounds, *idle); err != nil {
		log.Fatal(err)
	}
}

// delivery is a clean job's arrival at a miner.
type delivery struct {
	prev string
	at   time.Time
}

func stratumPrev(h wire.Hash) string {
	var b [32]byte
	for i := 0; i < 32; i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = h[i+3], h[i+2], h[i+1], h[i]
	}
	return hex.EncodeToString(b[:])
}

func run(nMiners, rounds, nIdle int) error {
	dir, err := os.MkdirTemp("", "stratumbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := chain.Open(context.Background(), chain.Config{Dir: dir + "/chain", Params: consensus.RegTestParams, Logger: quiet})
	if err != nil {
		return err
	}
	defer c.Close()
	var tipMu sync.Mutex
	tipAt := map[string]time.Time{}
	// Subscribed before the server, so its time is taken first.
	c.Subscribe(func(n chain.Notification) {
		if n.Type == chain.BlockConnected {
			tipMu.Lock()
			tipAt[stratumPrev(n.Hash)] = time.Now()
			tipMu.Unlock()
		}
	})
	st, err := stratum.OpenStore(dir+"/stratum", 1000)
	if err != nil {
		return err
	}
	defer st.Close()
	srv, err := stratum.New(stratum.Config{Chain: c, Store: st, Addr: "127.0.0.1:0", Logger: quiet,
		MaxConnections: nMiners + nIdle + 10})
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Run(ctx)
	addr := srv.Addr().String()
	payee, _ := address.NewAddressPubKeyHash(make([]byte, 20), consensus.RegTestParams.AddressPrefixes())

	deliveries := make(chan delivery, nMiners*4)
	for i := range nMiners {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		defer nc.Close()
		fmt.Fprintf(nc, `{"id":1,"method":"mining.subscribe","params":[]}`+"\n"+
			`{"id":2,"method":"mining.authorize","params":["%s.m%d","x"]}`+"\n", payee, i)
		go func() {
			r := bufio.NewReader(nc)
			for {
				line, err := r.ReadBytes('\n')
				if err != nil {
					return
				}
				at := time.Now()
				var m struct {
					Method string            `json:"method"`
					Params []json.RawMessage `json:"params"`
				}
				if json.Unmarshal(line, &m) != nil || m.Method != "mining.notify" || len(m.Params) < 9 {
					continue
				}
				var prev string
				var clean bool
				json.Unmarshal(m.Params[1], &prev)
				json.Unmarshal(m.Params[8], &clean)
				if clean {
					deliveries <- delivery{prev: prev, at: at}
				}
			}
		}()
	}
	// Every miner's first job.
	for range nMiners {
		select {
		case <-deliveries:
		case <-time.After(10 * time.Second):
			return fmt.Errorf("miners got no first job")
		}
	}

	var each, last []time.Duration
	now := time.Now()
	for r := range rounds {
		b, err := miner.BuildBlock(c, payee.ScriptPubKey(), nil, uint64(r), now)
		if err != nil {
			return err
		}
		if !miner.Solve(&b.Header, 1<<24) {
			return fmt.Errorf("regtest block not solved")
		}
		want := stratumPrev(b.BlockHash())
		if _, err := c.ProcessBlock(b); err != nil {
			return fmt.Errorf("block %d: %w", r+1, err)
		}
		var worst time.Duration
		for got := 0; got < nMiners; {
			select {
			case d := <-deliveries:
				if d.prev != want {
					continue
				}
				tipMu.Lock()
				lat := d.at.Sub(tipAt[want])
				tipMu.Unlock()
				each = append(each, lat)
				worst = max(worst, lat)
				got++
			case <-time.After(10 * time.Second):
				return fmt.Errorf("round %d: %d of %d miners got the clean job", r+1, got, nMiners)
			}
		}
		last = append(last, worst)
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Printf("stratum: new tip → clean job at each of %d miners (%d tips, %d deliveries): p50 %v, p99 %v\n",
		nMiners, rounds, len(each), pct(each, 50), pct(each, 99))
	fmt.Printf("stratum: new tip → clean job at all %d miners (per tip): p50 %v, p99 %v, max %v\n",
		nMiners, pct(last, 50), pct(last, 99), pct(last, 100))

	// Memory per idle connection.
	nullLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer nullLn.Close()
	var heldMu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			nc, err := nullLn.Accept()
			if err != nil {
				return
			}
			heldMu.Lock()
			held = append(held, nc)
			heldMu.Unlock()
		}
	}()
	nullPer, err := perConn(nullLn.Addr().String(), nIdle, func() int {
		heldMu.Lock()
		defer heldMu.Unlock()
		return len(held)
	})
	if err != nil {
		return err
	}
	base := srv.Info().Connections
	stratumPer, err := perConn(addr, nIdle, func() int { return srv.Info().Connections - base })
	if err != nil {
		return err
	}
	fmt.Printf("stratum: memory per idle connection (%d connections, heap + stacks, both ends in this process): %.0f bytes; "+
		"a listener that only holds the sockets: %.0f bytes; Stratum's own share: %.0f bytes\n",
		nIdle, stratumPer, nullPer, stratumPer-nullPer)
	return nil
}

// perConn opens n idle connections to addr, waits until count reports
// them all accepted, and returns the growth of heap and stack memory per
// connection; the connections are closed before it returns.
func perConn(addr string, n int, count func() int) (float64, error) {
	before := inUse()
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return 0, err
		}
		conns = append(conns, c)
	}
	for start := time.Now(); count() < n; time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 20*time.Second {
			return 0, fmt.Errorf("%d of %d connections accepted", count(), n)
		}
	}
	time.Sleep(100 * time.Millisecond)
	after := inUse()
	runtime.KeepAlive(conns)
	return float64(after-before) / float64(n), nil
}

func inUse() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc + ms.StackInuse)
}

// pct returns the p-th percentile of ds (nearest rank).
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(min(i, len(s))-1, 0)]
}
