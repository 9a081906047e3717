// Command rpcbench measures the JSON-RPC figures of a real regtest daemon,
// each against a baseline measured in the same run:
//
//  1. getblockcount and getblock <hash> 1 requests per second from 32
//     concurrent keep-alive clients on loopback, against a bare net/http
//     handler answering the same bytes to the same load;
//  2. sendrawtransaction of independent one-input P2PKH transactions, in
//     transactions per second, against raw ECDSA verification of the same
//     signatures on every core;
//  3. the p99 latency of getblockcount while the daemon connects blocks at
//     full speed (importing the chain chainbench caches), against the p99 of
//     the same load on the idle daemon.
//
// `make bench` runs it after chainbench, which builds the block file.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/consensus"
)

func main() {
	dir := flag.String("dir", "bench", "folder of chainbench's cached block file and the temporary data dirs")
	goCmd := flag.String("go", "go", "go command that builds the daemon")
	clients := flag.Int("clients", 32, "concurrent keep-alive clients")
	seconds := flag.Float64("seconds", 3, "duration of each throughput measurement")
	blockFile := flag.String("blocks", "regtest-2000x200000.blk", "block file in -dir to import for the latency figure")
	flag.Parse()
	if err := run(*dir, *goCmd, *blockFile, *clients, time.Duration(*seconds*float64(time.Second))); err != nil {
		fmt.Fprintln(os.Stderr, "rpcbench:", err)
		os.Exit(1)
	}
}

func run(dir, goCmd, blockFile string, clients int, d time.Duration) error {
	work, err := os.MkdirTemp(dir, "rpcbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "nodecoin")
	if out, err := exec.Command(goCmd, "build", "-o", bin, "github.com/nodecoin/nodecoin/cmd/nodecoin").CombinedOutput(); err != nil {
		return fmt.Errorf("build daemon: %w\n%s", err, out)
	}

	// Figure 1: throughput on an idle node with 100 blocks.
	d1, err := startDaemon(bin, filepath.Join(work, "idle"))
	if err != nil {
		return err
	}
	defer d1.stop()
	addr, err := address.NewAddressPubKeyHash(make([]byte, 20), consensus.RegTestParams.AddressPrefixes())
	if err != nil {
		return err
	}
	var hashes []string
	if err := d1.call("generatetoaddress", []any{100, addr.String()}, &hashes); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "rpcbench: %d clients, %v per measurement\n", clients, d)
	for _, req := range []struct {
		name   string
		method string
		params []any
		target float64
	}{
		{"getblockcount", "getblockcount", []any{}, 0.5},
		{"getblock <hash> 1", "getblock", []any{hashes[50], 1}, 0},
	} {
		body := requestBody(req.method, req.params)
		reply, err := d1.raw(body)
		if err != nil {
			return err
		}
		rpc := load(d1.url, d1.user, d1.pass, body, clients, d)
		bare, err := loadBare(reply, body, clients, d)
		if err != nil {
			return err
		}
		ratio := rpc.rate() / bare.rate()
		verdict := "(report only)"
		if req.target > 0 {
			verdict = fmt.Sprintf("(target >= %.2f) ok", req.target)
			if ratio < req.target {
				verdict = fmt.Sprintf("(target >= %.2f) BELOW", req.target)
			}
		}
		fmt.Printf("rpc %-18s %8.0f req/s vs bare net/http answering the same %d bytes %8.0f req/s: ratio %.2f %s\n",
			req.name, rpc.rate(), len(reply), bare.rate(), ratio, verdict)
	}
	idle := load(d1.url, d1.user, d1.pass, requestBody("getblockcount", []any{}), clients, d)
	if err := sendRawFigure(d1, 1000, clients); err != nil {
		return err
	}
	d1.stop()

	// Figure 2: getblockcount latency while the daemon connects blocks.
	blk := filepath.Join(dir, blockFile)
	if _, err := os.Stat(blk); err != nil {
		return fmt.Errorf("block file for the latency figure: %w (run chainbench first)", err)
	}
	d2, err := startDaemon(bin, filepath.Join(work, "busy"), "--loadblock", blk)
	if err != nil {
		return err
	}
	defer d2.stop()
	busy := loadUntil(d2.url, d2.user, d2.pass, requestBody("getblockcount", []any{}), clients, d2.importDone)
	if busy.n == 0 {
		return errors.New("the import finished before any request was answered")
	}
	fmt.Printf("rpc getblockcount p99 latency while connecting blocks (%d requests over %v): %v (p50 %v, max %v) vs idle p99 %v: ratio %.1f (report only)\n",
		busy.n, busy.elapsed.Round(time.Millisecond), busy.quantile(0.99), busy.quantile(0.5), busy.quantile(1),
		idle.quantile(0.99), float64(busy.quantile(0.99))/float64(idle.quantile(0.99)))
	return nil
}

func requestBody(method string, params []any) []byte {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "1.0", "id": 1, "method": method, "params": params})
	return b
}

// result is the outcome of one load run.
type result struct {
	n       int
	elapsed time.Duration
	lat     []time.Duration // sorted
}

func (r result) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r result) quantile(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(len(r.lat)-1, int(q*float64(len(r.lat))))]
}

// load posts body from clients goroutines over keep-alive connections for
// d and returns the count and latencies of successful replies.
func load(url, user, pass string, body []byte, clients int, d time.Duration) result {
	stop := make(chan struct{})
	time.AfterFunc(d, func() { close(stop) })
	return loadUntil(url, user, pass, body, clients, stop)
}

func loadUntil(url, user, pass string, body []byte, clients int, stop <-chan struct{}) result {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var (
		mu    sync.Mutex
		lat   []time.Duration
		fails atomic.Int64
		wg    sync.WaitGroup
	)
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for {
				select {
				case <-stop:
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
					return
				default:
				}
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				if user != "" {
					req.SetBasicAuth(user, pass)
				}
				t := time.Now()
				resp, err := hc.Do(req)
				if err != nil {
					fails.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					fails.Add(1)
					continue
				}
				mine = append(mine, time.Since(t))
			}
		}()
	}
	wg.Wait()
	r := result{n: len(lat), elapsed: time.Since(start), lat: lat}
	slices.Sort(r.lat)
	if f := fails.Load(); f > 0 {
		fmt.Fprintf(os.Stderr, "rpcbench: %d requests failed\n", f)
	}
	return r
}

// loadBare serves reply from a bare net/http handler on loopback and runs
// the same load (the same request body) against it.
func loadBare(reply, body []byte, clients int, d time.Duration) (result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(reply)
	})}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	return load("http://"+ln.Addr().String()+"/", "", "", body, clients, d), nil
}

// daemon is a running `nodecoin daemon --network regtest`.
type daemon struct {
	cmd        *exec.Cmd
	url        string
	user, pass string
	importDone chan struct{}
	stopOnce   sync.Once
}

var rpcAddrField = regexp.MustCompile(`msg="RPC server listening".* addr=(\S+)`)

func startDaemon(bin, dataDir string, extra ...string) (*daemon, error) {
	d := &daemon{user: "bench", pass: "bench", importDone: make(chan struct{})}
	args := append([]string{"daemon", "--network", "regtest", "--datadir", dataDir, "--rpc-addr", "127.0.0.1:0",
		"--metrics-addr", "127.0.0.1:0", "--listen", "off", "--rpc-user", d.user, "--rpc-password", d.pass}, extra...)
	d.cmd = exec.Command(bin, args...)
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start daemon: %w", err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		importClosed := false
		for sc.Scan() {
			line := sc.Text()
			if m := rpcAddrField.FindStringSubmatch(line); m != nil {
				ready <- m[1]
			}
			if strings.Contains(line, `msg="block import finished"`) && !importClosed {
				close(d.importDone)
				importClosed = true
			}
		}
	}()
	select {
	case addr := <-ready:
		d.url = "http://" + addr + "/"
	case <-time.After(30 * time.Second):
		d.stop()
		return nil, errors.New("daemon did not log its RPC address within 30 s")
	}
	// Wait out the warm-up.
	for i := 0; ; i++ {
		if err := d.call("getblockcount", []any{}, nil); err == nil {
			return d, nil
		} else if i == 300 {
			d.stop()
			return nil, fmt.Errorf("daemon not answering: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (d *daemon) stop() {
	d.stopOnce.Do(func() {
		d.cmd.Process.Signal(syscall.SIGTERM)
		d.cmd.Wait()
	})
}

// raw posts body and returns the reply's bytes.
func (d *daemon) raw(body []byte) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodPost, d.url, bytes.NewReader(body))
	req.SetBasicAuth(d.user, d.pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("HTTP %d: %s", resp.StatusCode, b)
	}
	return b, err
}

// call makes one RPC call and decodes its result into out (if not nil).
func (d *daemon) call(method string, params []any, out any) error {
	b, err := d.raw(requestBody(method, params))
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	var reply struct {
		Result json.RawMessage
		Error  *struct {
			Code    int
			Message string
		}
	}
	if err := json.Unmarshal(b, &reply); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if reply.Error != nil {
		return fmt.Errorf("%s: error %d: %s", method, reply.Error.Code, reply.Error.Message)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(reply.Result, out)
}
