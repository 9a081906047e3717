package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/p2p/message"
)

// handshake connects to addr and completes the version/verack exchange.
func handshake(addr string) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	magic := consensus.RegTestParams.Magic
	v := &message.Version{ProtocolVersion: message.ProtocolVersion, Services: message.ServiceNodeNetwork,
		Timestamp: time.Now().Unix(), Nonce: uint64(time.Now().UnixNano()), UserAgent: "/p2pbench/", Relay: true}
	if err := message.WriteMessage(conn, magic, v.Command(), v.Encode()); err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		cmd, _, err := message.ReadMessage(conn, magic, nil)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("handshake: %w", err)
		}
		if cmd == message.CmdVerAck {
			break
		}
	}
	conn.SetReadDeadline(time.Time{})
	if err := message.WriteMessage(conn, magic, message.CmdVerAck, nil); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// memoryFigure is figure 3: resident memory with conns connections, flood
// of them sending invs of new transactions.
func memoryFigure(bin, work string, conns, flood int, d time.Duration) error {
	dm, err := startDaemon(bin, work+"/memory", "--maxconnections", fmt.Sprint(conns))
	if err != nil {
		return err
	}
	defer dm.stop()
	time.Sleep(2 * time.Second)
	idle, _, err := dm.rss()
	if err != nil {
		return err
	}
	var all []net.Conn
	defer func() {
		for _, c := range all {
			c.Close()
		}
	}()
	var sent atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < conns; i++ {
		c, err := handshake(dm.p2p)
		if err != nil {
			return fmt.Errorf("connection %d: %w", i, err)
		}
		all = append(all, c)
		go io.Copy(io.Discard, c)
		if i < flood {
			wg.Add(1)
			go func() {
				defer wg.Done()
				inv := &message.Inv{List: make([]message.InvVect, 1000)}
				for {
					select {
					case <-stop:
						return
					default:
					}
					for k := range inv.List {
						inv.List[k].Type = message.InvTypeTx
						rand.Read(inv.List[k].Hash[:])
					}
					if err := message.WriteMessage(c, consensus.RegTestParams.Magic, inv.Command(), inv.Encode()); err != nil {
						return
					}
					sent.Add(1)
				}
			}()
		}
	}
	time.Sleep(d)
	cur, peak, err := dm.rss()
	heap, herr := dm.metric("go_memstats_heap_inuse_bytes")
	close(stop)
	wg.Wait()
	if err != nil {
		return err
	}
	if herr != nil {
		return herr
	}
	var count int
	if err := dm.call("getconnectioncount", []any{}, &count); err != nil {
		return err
	}
	fmt.Printf("memory: idle daemon %.1f MiB RSS\n", mib(idle))
	fmt.Printf("memory: %d connections (%d still connected), %d flooding %d invs of 1,000 new txids in %v: %.1f MiB RSS (peak %.1f MiB), %.1f KiB per connection over idle\n",
		conns, count, flood, sent.Load(), d, mib(cur), mib(peak), float64(cur-idle)/1024/float64(conns))
	fmt.Printf("memory: Go heap in use under the flood %.1f MiB (the rest of the RSS is garbage of the flood awaiting collection and freed pages)\n", heap/(1<<20))
	return nil
}
