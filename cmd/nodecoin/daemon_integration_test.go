package main

// Integration tests of `nodecoin daemon`: TestMain builds the binary once,
// and each test starts real processes on temporary data directories,
// reading their log lines from stderr.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/node/blockfile"
	"github.com/nodecoin/nodecoin/internal/node/nodetest"
	"github.com/nodecoin/nodecoin/internal/testutil"
)

// binary is the nodecoin executable TestMain builds.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nodecoin-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "nodecoin")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build nodecoin:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Timeouts of waits for a daemon.
const (
	logTimeout  = 30 * time.Second
	exitTimeout = 30 * time.Second
)

// daemon is a running `nodecoin daemon` process.
type daemon struct {
	t    *testing.T
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited and its log is read

	mu    sync.Mutex
	lines []string
}

// startDaemon starts `nodecoin daemon args...` and kills it at the end of
// the test if it is still running.
func startDaemon(t *testing.T, args ...string) *daemon {
	t.Helper()
	if !slices.Contains(args, "--rpc-addr") {
		// A free port, so that tests (and other runs) never collide on the
		// network's default RPC port.
		args = append(args, "--rpc-addr", "127.0.0.1:0")
	}
	if !slices.Contains(args, "--metrics-addr") {
		args = append(args, "--metrics-addr", "127.0.0.1:0")
	}
	if !slices.Contains(args, "--listen") {
		args = append(args, "--listen", "127.0.0.1:0")
	}
	d := &daemon{t: t, cmd: exec.Command(binary, append([]string{"daemon"}, args...)...), done: make(chan struct{})}
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			d.mu.Lock()
			d.lines = append(d.lines, sc.Text())
			d.mu.Unlock()
		}
		io.Copy(io.Discard, stderr)
		d.cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() {
		d.cmd.Process.Kill()
		<-d.done
	})
	return d
}

// log returns the lines logged so far.
func (d *daemon) log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.Join(d.lines, "\n")
}

// waitFor waits for a log line containing s and returns it.
func (d *daemon) waitFor(s string) string {
	d.t.Helper()
	deadline := time.Now().Add(logTimeout)
	for seen := 0; ; {
		d.mu.Lock()
		lines := d.lines[seen:]
		d.mu.Unlock()
		for _, l := range lines {
			if strings.Contains(l, s) {
				return l
			}
		}
		seen += len(lines)
		select {
		case <-d.done:
			if d.exited() && seen == d.numLines() {
				d.t.Fatalf("daemon exited (%v) before logging %q:\n%s", d.cmd.ProcessState, s, d.log())
			}
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("no %q in the daemon's log after %v:\n%s", s, logTimeout, d.log())
		}
	}
}

func (d *daemon) numLines() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.lines)
}

// exited reports whether the process has exited.
func (d *daemon) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

func (d *daemon) signal(sig syscall.Signal) {
	d.t.Helper()
	if err := d.cmd.Process.Signal(sig); err != nil && !d.exited() {
		d.t.Fatal(err)
	}
}

// wait waits for the process to exit and returns its exit code (-1 when a
// signal killed it).
func (d *daemon) wait() int {
	d.t.Helper()
	select {
	case <-d.done:
	case <-time.After(exitTimeout):
		d.t.Fatalf("daemon still running %v after being told to stop:\n%s", exitTimeout, d.log())
	}
	return d.cmd.ProcessState.ExitCode()
}

// stop sends SIGTERM and requires a clean exit.
func (d *daemon) stop() {
	d.t.Helper()
	d.signal(syscall.SIGTERM)
	if code := d.wait(); code != 0 {
		d.t.Fatalf("exit code %d after SIGTERM:\n%s", code, d.log())
	}
}

// runDaemon runs a daemon expected to fail at start, returning its exit
// code and log.
func runDaemon(t *testing.T, args ...string) (int, string) {
	t.Helper()
	d := startDaemon(t, args...)
	return d.wait(), d.log()
}

var (
	heightRE = regexp.MustCompile(`\bheight=(\d+)`)
	tipRE    = regexp.MustCompile(`\btip=([0-9a-f]{64})`)
)

// tipOf parses the height and tip fields of a log line.
func tipOf(t *testing.T, line string) (int32, string) {
	t.Helper()
	h, tip := heightRE.FindStringSubmatch(line), tipRE.FindStringSubmatch(line)
	if h == nil || tip == nil {
		t.Fatalf("no height and tip in %q", line)
	}
	n, err := strconv.Atoi(h[1])
	if err != nil {
		t.Fatal(err)
	}
	return int32(n), tip[1]
}

var (
	chainOnce   sync.Once
	chainBlocks []*wire.Block
	chainErr    error
)

// testChain returns the first n blocks of one regtest chain shared by the
// tests (with coinbase spends once coinbases mature).
func testChain(t *testing.T, n int) []*wire.Block {
	t.Helper()
	chainOnce.Do(func() { chainBlocks, chainErr = nodetest.RegtestChain(crashBlocks, 1) })
	if chainErr != nil {
		t.Fatal(chainErr)
	}
	return chainBlocks[:n]
}

func writeBlocks(t *testing.T, blocks []*wire.Block) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "blk00000.dat")
	if err := nodetest.WriteBlockFile(path, blocks); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDaemonStopAndRestartKeepsTip(t *testing.T) {
	dir := t.TempDir()
	blocks := testChain(t, 50)
	d := startDaemon(t, "--network", "regtest", "--datadir", dir, "--loadblock", writeBlocks(t, blocks))
	d.waitFor("node ready")
	h, tip := tipOf(t, d.waitFor("block import finished"))
	if h != 50 || tip != blocks[49].BlockHash().String() {
		t.Fatalf("after import: height %d tip %s", h, tip)
	}
	d.stop()
	d2 := startDaemon(t, "--network", "regtest", "--datadir", dir)
	if h2, tip2 := tipOf(t, d2.waitFor("node ready")); h2 != h || tip2 != tip {
		t.Fatalf("after restart: height %d tip %s, want %d %s", h2, tip2, h, tip)
	}
	d2.signal(syscall.SIGINT)
	if code := d2.wait(); code != 0 {
		t.Fatalf("exit code %d after SIGINT:\n%s", code, d2.log())
	}
	if _, err := os.Stat(filepath.Join(dir, "regtest", "chain")); err != nil {
		t.Fatalf("chain database not in <datadir>/regtest/chain: %v", err)
	}
}

func TestDaemonRefusesDataDirInUse(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, "--network", "regtest", "--datadir", dir)
	d.waitFor("node ready")
	code, log := runDaemon(t, "--network", "regtest", "--datadir", dir)
	want := fmt.Sprintf("data directory %s is in use by another nodecoin process (pid %d)",
		filepath.Join(dir, "regtest"), d.cmd.Process.Pid)
	if code == 0 || !strings.Contains(log, want) {
		t.Fatalf("second daemon: exit %d, log:\n%s\nwant %q", code, log, want)
	}
	// Another network's directory is not locked.
	d2 := startDaemon(t, "--network", "test", "--datadir", dir)
	d2.waitFor("node ready")
	d2.stop()
	d.stop()
}

func TestDaemonRefusesAnotherNetworksChain(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, "--network", "regtest", "--datadir", dir, "--loadblock", writeBlocks(t, testChain(t, 5)))
	d.waitFor("block import finished")
	d.stop()
	// The test network has its own subdirectory: no conflict.
	d = startDaemon(t, "--network", "test", "--datadir", dir)
	if h, tip := tipOf(t, d.waitFor("node ready")); h != 0 || tip != consensus.TestNetParams.GenesisHash.String() {
		t.Fatalf("test network starts at %d %s", h, tip)
	}
	d.stop()
	// A regtest chain database put where the test network's belongs.
	testChainDir := filepath.Join(dir, "test", "chain")
	if err := os.RemoveAll(testChainDir); err != nil {
		t.Fatal(err)
	}
	testutil.CopyDir(t, filepath.Join(dir, "regtest", "chain"), testChainDir)
	code, log := runDaemon(t, "--network", "test", "--datadir", dir)
	want := fmt.Sprintf(`data directory %s cannot be used for network test: chain database is for network "regtest", not "test"`,
		filepath.Join(dir, "test"))
	if code == 0 || !strings.Contains(log, want) {
		t.Fatalf("exit %d, log:\n%s\nwant %q", code, log, want)
	}
}

func TestDaemonLoadBlock(t *testing.T) {
	blocks := testChain(t, 200)
	d := startDaemon(t, "--network", "regtest", "--datadir", t.TempDir(), "--loadblock", writeBlocks(t, blocks))
	h, tip := tipOf(t, d.waitFor("block import finished"))
	if h != 200 || tip != blocks[199].BlockHash().String() {
		t.Fatalf("after import: height %d tip %s", h, tip)
	}
	if !strings.Contains(d.log(), "records=200 accepted=200 duplicates=0 orphans=0 invalid=0") {
		t.Errorf("no import summary:\n%s", d.log())
	}
	d.stop()
}

func TestDaemonLoadBlockTruncatedFile(t *testing.T) {
	blocks := testChain(t, 201)
	path := writeBlocks(t, blocks[:200])
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	last := blocks[200].Serialize()
	// The last record announces the whole block but holds half of it.
	blockfile.NewWriter(f, consensus.RegTestParams.Magic).WriteRaw(last)
	f.Close()
	fi, _ := os.Stat(path)
	if err := os.Truncate(path, fi.Size()-int64(len(last)/2)); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, "--network", "regtest", "--datadir", t.TempDir(), "--loadblock", path)
	h, _ := tipOf(t, d.waitFor("block import finished"))
	if h != 200 {
		t.Fatalf("height %d after importing a truncated file of 200 whole blocks", h)
	}
	if line := d.waitFor("stopped importing block file"); !strings.Contains(line, "truncated record") {
		t.Fatalf("the problem is not named: %s", line)
	}
	d.stop()
}

func TestDaemonBadArguments(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	badConf := filepath.Join(dir, "bad.conf")
	if err := os.WriteFile(badConf, []byte("dbcache=100\nrpcport=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--network", "bitcoin"}, `unknown network "bitcoin"`},
		{[]string{"--dbcache", "2"}, "below the minimum of 4 MiB"},
		{[]string{"--dbcache", "lots"}, `invalid argument "lots"`},
		{[]string{"--log-level", "loud"}, `unknown log level "loud"`},
		{[]string{"--txindex=maybe"}, `invalid argument "maybe"`},
		{[]string{"--rpc-addr", "localhost"}, `RPC address "localhost"`},
		{[]string{"--rpc-password", "p"}, "--rpc-user and --rpc-password go together"},
		{[]string{"extra"}, `unknown command "extra"`},
		{[]string{"--datadir", ""}, "--datadir is empty"},
		{[]string{"--datadir", filepath.Join(file, "sub")}, "create data directory " + filepath.Join(file, "sub", "regtest")},
		{[]string{"--datadir", dir, "--loadblock", filepath.Join(dir, "missing.dat")}, "block file " + filepath.Join(dir, "missing.dat")},
		{[]string{"--datadir", dir, "--conf", badConf}, `line 2: unknown setting "rpcport"`},
		{[]string{"--datadir", dir, "--conf", filepath.Join(dir, "none.conf")}, "no such file"},
		{[]string{"--datadir", dir, "--conf", dir}, "is a directory"},
	} {
		args := append([]string{"--network", "regtest"}, tc.args...)
		code, log := runDaemon(t, args...)
		if code == 0 || !strings.Contains(log, tc.want) {
			t.Errorf("%q: exit %d, log:\n%s\nwant %q", tc.args, code, log, tc.want)
		}
	}
}

// Crash test parameters. NODECOIN_CRASH_ROUNDS sets the number of kill
// rounds, NODECOIN_CRASH_SEED the random seed (to replay a failure).
const (
	crashBlocks        = 2000
	defaultCrashRounds = 20
)

func envInt(t *testing.T, name string, def int64) int64 {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// TestDaemonSurvivesKills imports a long block file, killing the daemon
// with SIGKILL at random moments (some right after a SIGTERM, to land in
// the shutdown flush), restarting it on the same file each time; after a
// final clean run, the data dir must hold the same tip and coin set as a
// clean validation of the same blocks into a fresh directory.
func TestDaemonSurvivesKills(t *testing.T) {
	rounds := envInt(t, "NODECOIN_CRASH_ROUNDS", defaultCrashRounds)
	seed := envInt(t, "NODECOIN_CRASH_SEED", time.Now().UnixNano())
	t.Logf("%d rounds, NODECOIN_CRASH_SEED=%d", rounds, seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))

	blocks := testChain(t, crashBlocks)
	file := writeBlocks(t, blocks)

	// The reference: the same blocks validated in-process into a fresh dir.
	want, wantCoins := validate(t, blocks)
	t.Logf("reference: tip %d %s, %d coins", want.Height, want.Hash, wantCoins.Coins)

	// Calibration: how long a daemon takes from start to the end of the
	// import, so that the kills land anywhere in it.
	start := time.Now()
	d := startDaemon(t, "--network", "regtest", "--datadir", t.TempDir(), "--loadblock", file)
	d.waitFor("block import finished")
	importTime := time.Since(start)
	d.stop()
	t.Logf("a daemon imports %d blocks in %v", len(blocks), importTime)

	dir := t.TempDir()
	args := []string{"--network", "regtest", "--datadir", dir, "--dbcache", "4", "--loadblock", file}
	midImport := 0
	// Kill moments are drawn from 0 to a little past the time the work
	// took: a fresh import at first, then what the last round that
	// finished its import took (after a crash, recovery at start does most
	// of it; after a clean stop, little is left).
	span := importTime
	for i := range rounds {
		d := startDaemon(t, args...)
		delay := time.Duration(rng.Int64N(int64(span*6/5 + 10*time.Millisecond)))
		graceful := rng.IntN(3) == 0
		time.Sleep(delay)
		if d.exited() {
			t.Fatalf("round %d: daemon exited by itself (%v):\n%s", i, d.cmd.ProcessState, d.log())
		}
		var extra time.Duration
		if graceful {
			// SIGTERM, then SIGKILL during the shutdown's flush.
			d.signal(syscall.SIGTERM)
			extra = time.Duration(rng.Int64N(int64(20 * time.Millisecond)))
			time.Sleep(extra)
		}
		d.signal(syscall.SIGKILL)
		code := d.wait()
		log := d.log()
		last := "nothing"
		if m := heightRE.FindAllString(log, -1); m != nil {
			last = m[len(m)-1]
		}
		if took, ok := importDuration(log); ok {
			span = took + 10*time.Millisecond // process start-up
		} else {
			midImport++
		}
		t.Logf("round %d: killed after %v (SIGTERM first: %v, +%v), exit %d, last logged %s",
			i, delay, graceful, extra, code, last)
	}
	t.Logf("%d of %d rounds stopped the daemon before its import finished", midImport, rounds)

	d = startDaemon(t, args...)
	h, tip := tipOf(t, d.waitFor("block import finished"))
	if h != want.Height || tip != want.Hash.String() {
		t.Fatalf("final import: tip %d %s, want %d %s\n%s", h, tip, want.Height, want.Hash, d.log())
	}
	d.stop()
	if h, tip = tipOf(t, d.waitFor("node stopped")); h != want.Height || tip != want.Hash.String() {
		t.Fatalf("stopped at %d %s", h, tip)
	}

	c := openChain(t, filepath.Join(dir, "regtest", "chain"))
	defer c.Close()
	if got := c.Best(); got.Hash != want.Hash || got.Height != want.Height || got.ChainWork.Cmp(want.ChainWork) != 0 {
		t.Fatalf("data dir tip %d %s, want %d %s", got.Height, got.Hash, want.Height, want.Hash)
	}
	coins, err := c.CoinSetInfo()
	if err != nil {
		t.Fatal(err)
	}
	if coins != wantCoins {
		t.Fatalf("coin set %+v, want %+v", coins, wantCoins)
	}
}

// importDuration returns the time from a daemon's first log line to its
// "block import finished" line, if it logged one.
func importDuration(log string) (time.Duration, bool) {
	lines := strings.Split(log, "\n")
	first, err1 := logTime(lines[0])
	for _, l := range lines {
		if strings.Contains(l, "block import finished") {
			end, err2 := logTime(l)
			return end.Sub(first), err1 == nil && err2 == nil
		}
	}
	return 0, false
}

// logTime parses the time field at the start of a log line.
func logTime(line string) (time.Time, error) {
	ts, _, _ := strings.Cut(strings.TrimPrefix(line, "time="), " ")
	return time.Parse(time.RFC3339Nano, ts)
}

// validate processes blocks into a fresh chain and returns its tip and
// coin set.
func validate(t *testing.T, blocks []*wire.Block) (chain.BestState, chain.CoinSetInfo) {
	t.Helper()
	c := openChain(t, t.TempDir())
	defer c.Close()
	for _, b := range blocks {
		if _, err := c.ProcessBlock(b); err != nil {
			t.Fatalf("reference validation: block %s: %v", b.BlockHash(), err)
		}
	}
	info, err := c.CoinSetInfo()
	if err != nil {
		t.Fatal(err)
	}
	return c.Best(), info
}

func openChain(t *testing.T, dir string) *chain.Chain {
	t.Helper()
	c, err := chain.Open(context.Background(), chain.Config{Dir: dir, Params: consensus.RegTestParams, CacheMiB: 16, TxIndex: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDaemonConfigFile checks that <datadir>/nodecoin.conf selects the
// network and sets flags, that its network section applies, and that the
// command line wins over it.
func TestDaemonConfigFile(t *testing.T) {
	dir := t.TempDir()
	conf := "# a comment\nnetwork=regtest\ndbcache=64\n[regtest]\ntxindex=0\n[main]\ndbcache=5\n"
	if err := os.WriteFile(filepath.Join(dir, "nodecoin.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, "--datadir", dir, "--dbcache", "32")
	line := d.waitFor("starting nodecoin")
	for _, want := range []string{"network=regtest", "dbcache_mib=32", "txindex=false"} {
		if !strings.Contains(line, want) {
			t.Errorf("start-up line lacks %s: %s", want, line)
		}
	}
	d.stop()
}

// TestDaemonStopsCleanlyDuringImport sends SIGTERM while a long import runs:
// the daemon exits 0, and the next start resumes where it stopped.
func TestDaemonStopsCleanlyDuringImport(t *testing.T) {
	blocks := testChain(t, crashBlocks)
	file := writeBlocks(t, blocks)
	dir := t.TempDir()
	d := startDaemon(t, "--network", "regtest", "--datadir", dir, "--loadblock", file)
	d.waitFor("importing blocks")
	time.Sleep(50 * time.Millisecond)
	d.signal(syscall.SIGTERM)
	if code := d.wait(); code != 0 {
		t.Fatalf("exit %d during import:\n%s", code, d.log())
	}
	h, _ := tipOf(t, d.waitFor("node stopped"))
	d = startDaemon(t, "--network", "regtest", "--datadir", dir)
	h2, _ := tipOf(t, d.waitFor("node ready"))
	// The block in flight at the signal was stored but not connected; the
	// restart connects it.
	if h2 != h && h2 != h+1 {
		t.Fatalf("restart at height %d, stopped at %d", h2, h)
	}
	d.stop()
}
