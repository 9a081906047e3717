package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/mempool"
	"github.com/nodecoin/nodecoin/miner/stratum"
)

// logBuffer collects JSON log lines safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the log lines written so far, decoded.
func (b *logBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// waitForLog waits for a log record with the given message and returns it.
func (b *logBuffer) waitForLog(t *testing.T, msg string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, r := range b.records(t) {
			if r["msg"] == msg {
				return r
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no log line %q in:\n%s", msg, b.buf.String())
	return nil
}

// startServer runs a metrics server of m on 127.0.0.1:0, finds its address
// in the log as an operator would, and stops it at the end of the test,
// checking that Run returns nil.
func startServer(t *testing.T, m *Metrics) (addr string, logs *logBuffer) {
	t.Helper()
	logs = &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil)).With("subsystem", "metrics")
	srv := NewServer("127.0.0.1:0", m, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	rec := logs.waitForLog(t, "metrics server listening")
	if rec["subsystem"] != "metrics" {
		t.Errorf("listening line without subsystem=metrics: %v", rec)
	}
	addr, _ = rec["addr"].(string)
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "0" {
		t.Fatalf("logged addr %q: want the bound HOST:PORT (%v)", addr, err)
	}
	if got := srv.Addr(); got == nil || got.String() != addr {
		t.Errorf("Addr() = %v, logged %s", got, addr)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run after cancel: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after cancel")
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after Run returned", addr)
		}
	})
	return addr, logs
}

// scrape fetches /metrics and returns the response and its body.
func scrape(t *testing.T, addr string) (*http.Response, string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + addr + Path)
	if err != nil {
		t.Fatalf("GET %s: %v", Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", Path, err)
	}
	return resp, string(body)
}

// populated returns metrics with a chain and one observation of every
// kind, so every series family appears in the exposition.
func populated() *Metrics {
	m := New(newFakeChain())
	m.RegisterRPCMethods("getblockcount", "getblock")
	m.BlockValidated(40 * time.Millisecond)
	m.BlockRejected("bad-txnmrklroot")
	m.Reorganized(2)
	m.OnNotification(chain.Notification{Type: chain.BlockConnected, Height: 1})
	m.ObserveRPC("getblockcount", 0, time.Millisecond)
	m.ObserveRPC("getblock", -5, time.Millisecond)
	m.SetPool(fakePool{})
	m.MempoolAccepted()
	m.MempoolRejected("min relay fee not met")
	mm := m.RegisterMiner(2, func() uint64 { return 12345 })
	mm.HashRate(1000)
	mm.WorkStarted(time.Now(), true, 3*time.Millisecond)
	mm.Submitted("accepted")
	m.SetStratum(fakeStratum{})
	m.PeerConnected(true)
	m.MessageSent("inv", 61)
	m.MessageReceived("sendcmpct", 33)
	m.Banned()
	m.BlockPropagation(30 * time.Millisecond)
	m.SetSyncSource(fakeSync(1500))
	return m
}

// fakeStratum is a Stratum server of fixed figures.
type fakeStratum struct{}

func (fakeStratum) Info() stratum.Info {
	return stratum.Info{Connections: 3, SharesAccepted: 40, AcceptedDifficulty: 12.5, BlocksFound: 2, HashRate: 1e6,
		SharesRejected: map[string]uint64{stratum.ReasonStale: 4},
		Workers:        []stratum.WorkerInfo{{Name: "n1.a", Connections: 1}, {Name: "n1.b"}}}
}

// fakeSync is a P2P server whose peers claim a fixed height.
type fakeSync int32

func (f fakeSync) SyncHeight() int32 { return int32(f) }

// fakePool is a mempool of fixed figures.
type fakePool struct{}

func (fakePool) Info() mempool.Info {
	return mempool.Info{Size: 3, Bytes: 700, Usage: 2400, MempoolMinFee: 1000, Orphans: 1}
}

func TestServerServesExposition(t *testing.T) {
	addr, _ := startServer(t, populated())
	resp, body := scrape(t, addr)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %s", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q, want the text exposition format 0.0.4", ct)
	}
	for _, want := range []string{
		"# HELP nodecoin_chain_height ",
		"# TYPE nodecoin_chain_height gauge",
		"nodecoin_chain_height 1234\n",
		"nodecoin_coin_cache_hit_ratio 0.75\n",
		"nodecoin_chain_blocks_connected_total 1\n",
		`nodecoin_chain_blocks_rejected_total{reason="bad-txnmrklroot"} 1`,
		`nodecoin_rpc_requests_total{method="getblock",result="-5"} 1`,
		`nodecoin_rpc_request_duration_seconds_bucket{method="getblockcount",le="0.001"} 1`,
		"# TYPE go_goroutines gauge", // Go collector
		"go_memstats_heap_alloc_bytes ",
		"go_gc_duration_seconds{",
		"# TYPE process_cpu_seconds_total counter", // process collector
		"process_resident_memory_bytes ",
		"process_open_fds ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
	// Only nodecoin_, go_ and process_ series.
	for _, line := range strings.Split(body, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !strings.HasPrefix(line, "nodecoin_") && !strings.HasPrefix(line, "go_") &&
			!strings.HasPrefix(line, "process_") {
			t.Errorf("unexpected series %q", line)
		}
	}
}

func TestServerRoutes(t *testing.T) {
	addr, _ := startServer(t, New(nil))
	client := &http.Client{Timeout: 10 * time.Second}
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/", http.StatusNotFound},
		{http.MethodGet, "/metricsx", http.StatusNotFound},
		{http.MethodPost, Path, http.StatusMethodNotAllowed},
		{http.MethodHead, Path, http.StatusOK},
	} {
		req, err := http.NewRequest(tc.method, "http://"+addr+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
		}
	}
}

func TestServerListenErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	srv := NewServer(busy.Addr().String(), New(nil), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := srv.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "listen on") {
		t.Errorf("Run on a busy port: %v", err)
	}
	var opErr *net.OpError
	if err := srv.Listen(context.Background()); !errors.As(err, &opErr) {
		t.Errorf("Listen on a busy port: %v, want a wrapped *net.OpError", err)
	}
	if srv.Addr() != nil {
		t.Errorf("Addr() = %v after failing to listen", srv.Addr())
	}
	if err := NewServer("127.0.0.1:notaport", New(nil), nil).Listen(context.Background()); err == nil {
		t.Error("Listen accepted a bad port")
	}
}

func TestServerListenThenRun(t *testing.T) {
	srv := NewServer("127.0.0.1:0", New(newFakeChain()), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := srv.Listen(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(context.Background()); err == nil {
		t.Error("second Listen succeeded")
	}
	addr := srv.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	if _, body := scrape(t, addr); !strings.Contains(body, "nodecoin_chain_height 1234\n") {
		t.Errorf("exposition after Listen then Run lacks the height:\n%s", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

func TestServerRunCancelledBeforeStart(t *testing.T) {
	srv := NewServer("127.0.0.1:0", New(nil), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := srv.Listen(context.Background()); err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.Run(ctx); err != nil {
		t.Errorf("Run with a cancelled context: %v", err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still listening", addr)
	}
}

// TestPromtoolCheckMetrics runs `promtool check metrics` (Debian package
// prometheus) over the exposition, which must report no problem. CI
// installs promtool; elsewhere the test skips without it.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		msg := "promtool not found in PATH (install it with: apt-get install -y prometheus)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI is set, so the check is required")
		}
		t.Skip(msg)
	}
	addr, _ := startServer(t, populated())
	_, body := scrape(t, addr)
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
