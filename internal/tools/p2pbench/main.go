// Command p2pbench measures the P2P figures of issue 8:
//
//  1. initial sync of a regtest chain (chainbench's benchmark chain when it
//     is cached in -dir, else a generated one) by a fresh daemon from two
//     peers over loopback, in transactions per second, against a fresh
//     daemon connecting the same chain from the block file (--loadblock),
//     in the same run;
//  2. block propagation in a simulation of -nodes in-process nodes over
//     in-memory connections in a random graph: median and p99 over every
//     (block, node) arrival, in hops (graph distance from the miner) and
//     milliseconds;
//  3. the resident memory of a daemon holding -conns connections, of which
//     -flood send invs of new transactions as fast as it reads them, against
//     the same daemon idle.
//
// `make bench` runs it after chainbench, which caches the chain.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	dir := flag.String("dir", "bench", "folder of chainbench's cached block file and the temporary data dirs")
	goCmd := flag.String("go", "go", "go command that builds the daemon")
	blockFile := flag.String("blocks", "regtest-2000x200000.blk", "block file in -dir to sync (generated when absent)")
	nodes := flag.Int("nodes", 50, "nodes of the propagation simulation")
	simBlocks := flag.Int("sim-blocks", 20, "blocks mined in the simulation")
	conns := flag.Int("conns", 125, "connections of the memory figure")
	flood := flag.Int("flood", 25, "of which flooding invs")
	seconds := flag.Float64("seconds", 20, "duration of the memory figure's load")
	only := flag.String("only", "", "run one figure: sync, sim or memory")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "p2pbench:", err)
		os.Exit(1)
	}
	work, err := os.MkdirTemp(*dir, "p2pbench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "p2pbench:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(work)
	run := func(name string, f func() error) {
		if *only != "" && *only != name {
			return
		}
		if err := f(); err != nil {
			fmt.Fprintf(os.Stderr, "p2pbench %s: %v\n", name, err)
			os.RemoveAll(work)
			os.Exit(1)
		}
	}
	var bin string
	build := func() error {
		if bin != "" {
			return nil
		}
		bin = filepath.Join(work, "nodecoin")
		if out, err := exec.Command(*goCmd, "build", "-o", bin, "github.com/nodecoin/nodecoin/cmd/nodecoin").CombinedOutput(); err != nil {
			return fmt.Errorf("build daemon: %w\n%s", err, out)
		}
		return nil
	}
	run("sync", func() error {
		if err := build(); err != nil {
			return err
		}
		return syncFigure(bin, work, filepath.Join(*dir, *blockFile))
	})
	run("sim", func() error { return simFigure(work, *nodes, *simBlocks) })
	run("memory", func() error {
		if err := build(); err != nil {
			return err
		}
		return memoryFigure(bin, work, *conns, *flood, time.Duration(*seconds*float64(time.Second)))
	})
}

// daemon is a running regtest `nodecoin daemon`.
type daemon struct {
	cmd      *exec.Cmd
	url      string
	p2p      string
	metrics  string
	user     string
	pass     string
	started  time.Time
	stopOnce sync.Once
	logMu    sync.Mutex
	log      []string
}

var (
	rpcAddrField = regexp.MustCompile(`msg="RPC server listening".* addr=(\S+)`)
	p2pAddrField = regexp.MustCompile(`msg="P2P listening".* addr=(\S+)`)
	metAddrField = regexp.MustCompile(`msg="metrics server listening".* addr=(\S+)`)
)

// startDaemon starts a regtest daemon listening for peers on 127.0.0.1
// (a free port) and waits until it answers RPC.
func startDaemon(bin, dataDir string, extra ...string) (*daemon, error) {
	d := &daemon{user: "bench", pass: "bench"}
	args := append([]string{"daemon", "--network", "regtest", "--datadir", dataDir, "--rpc-addr", "127.0.0.1:0",
		"--metrics-addr", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--wallet=false",
		"--rpc-user", d.user, "--rpc-password", d.pass}, extra...)
	d.cmd = exec.Command(bin, args...)
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	d.started = time.Now()
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start daemon: %w", err)
	}
	rpcReady, p2pReady := make(chan string, 1), make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			d.logMu.Lock()
			d.log = append(d.log, line)
			d.logMu.Unlock()
			if m := rpcAddrField.FindStringSubmatch(line); m != nil {
				rpcReady <- m[1]
			}
			if m := p2pAddrField.FindStringSubmatch(line); m != nil {
				p2pReady <- m[1]
			}
			if m := metAddrField.FindStringSubmatch(line); m != nil {
				d.logMu.Lock()
				d.metrics = m[1]
				d.logMu.Unlock()
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	for _, ch := range []chan string{rpcReady, p2pReady} {
		select {
		case addr := <-ch:
			if ch == rpcReady {
				d.url = "http://" + addr + "/"
			} else {
				d.p2p = addr
			}
		case <-time.After(60 * time.Second):
			d.stop()
			return nil, errors.New("daemon did not log its addresses within 60 s")
		}
	}
	for i := 0; ; i++ {
		if err := d.call("getblockcount", []any{}, nil); err == nil {
			return d, nil
		} else if i == 600 {
			d.stop()
			return nil, fmt.Errorf("daemon not answering: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (d *daemon) stop() {
	d.stopOnce.Do(func() {
		d.cmd.Process.Signal(syscall.SIGTERM)
		d.cmd.Wait()
	})
}

// call invokes method and decodes its result into v (when not nil).
func (d *daemon) call(method string, params []any, v any) error {
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	req, _ := http.NewRequest(http.MethodPost, d.url, bytes.NewReader(body))
	req.SetBasicAuth(d.user, d.pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Result json.RawMessage
		Error  *struct {
			Code    int
			Message string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if r.Error != nil {
		return fmt.Errorf("%s: %s (%d)", method, r.Error.Message, r.Error.Code)
	}
	if v != nil {
		return json.Unmarshal(r.Result, v)
	}
	return nil
}

// waitHeight waits until the daemon's chain reaches height and returns the
// time since the daemon started.
func (d *daemon) waitHeight(height int, timeout time.Duration) (time.Duration, error) {
	deadline := time.Now().Add(timeout)
	for {
		var n int
		if err := d.call("getblockcount", []any{}, &n); err == nil && n >= height {
			return time.Since(d.started), nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("height %d not reached within %v", height, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rss returns the daemon's resident and peak resident memory in bytes.
func (d *daemon) rss() (cur, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			cur = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return cur, peak, nil
}

// metric returns the value of an unlabelled series from the daemon's
// /metrics.
func (d *daemon) metric(name string) (float64, error) {
	d.logMu.Lock()
	addr := d.metrics
	d.logMu.Unlock()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == name {
			return strconv.ParseFloat(f[1], 64)
		}
	}
	return 0, fmt.Errorf("no %s in /metrics", name)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
