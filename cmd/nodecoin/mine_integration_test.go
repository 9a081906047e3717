package main

// Integration tests of `nodecoin mine` against a real regtest daemon.

import (
	"bytes"
	"net"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer collects a process's output for concurrent reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// minerProc is a running `nodecoin mine` process.
type minerProc struct {
	t           *testing.T
	cmd         *exec.Cmd
	out, errOut lockedBuffer
	done        chan struct{}
}

// startMiner starts `nodecoin mine args...` and kills it at the end of the
// test if it is still running.
func startMiner(t *testing.T, args ...string) *minerProc {
	t.Helper()
	p := &minerProc{t: t, cmd: exec.Command(binary, append([]string{"mine"}, args...)...), done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.errOut
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// stop sends SIGINT and requires exit code 0.
func (p *minerProc) stop() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(exitTimeout):
		p.t.Fatalf("miner still running after SIGINT:\n%s\n%s", p.out.String(), p.errOut.String())
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		p.t.Fatalf("miner exit code %d after SIGINT:\nstdout:\n%s\nstderr:\n%s", code, p.out.String(), p.errOut.String())
	}
}

// waitHeight polls getblockcount until it reaches height.
func waitHeight(t *testing.T, n *rpcNode, p *minerProc, height int) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var count int
		if n.call(&count, "getblockcount"); count >= height {
			return count
		}
		if time.Now().After(deadline) {
			t.Fatalf("block count %d after 30 s, want %d\nstdout:\n%s\nstderr:\n%s", count, height, p.out.String(), p.errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestMineAgainstDaemon mines three blocks over RPC with a transaction in
// the pool, and checks the coinbases' payee and that the transaction was
// mined.
func TestMineAgainstDaemon(t *testing.T) {
	n := startRPCNode(t)
	w := newP2PKHWallet(t)
	n.call(nil, "generatetoaddress", 101, w.addr.String())
	op, value := coinbaseOut(n, 1)
	txid := send(n, w.spend(op, value, 10000))
	payee := newP2PKHWallet(t).addr.String()

	p := startMiner(t, "--network", "regtest", "--datadir", n.dir, "--rpc-addr", n.addr, "--threads", "2", "--address", payee)
	count := waitHeight(t, n, p, 104)
	p.stop()
	if !regexp.MustCompile(`(?m)^block found: height 102 hash [0-9a-f]{64}\nsubmitblock: accepted$`).MatchString(p.out.String()) {
		t.Errorf("stdout:\n%s", p.out.String())
	}
	var mined []string
	for h := 102; h <= count; h++ {
		var hash string
		n.call(&hash, "getblockhash", h)
		var blk struct {
			Tx []struct {
				TxID string
				Vout []struct {
					ScriptPubKey struct{ Address string }
				}
			}
		}
		n.call(&blk, "getblock", hash, 2)
		if got := blk.Tx[0].Vout[0].ScriptPubKey.Address; got != payee {
			t.Errorf("block %d pays %q, want %q", h, got, payee)
		}
		for _, tx := range blk.Tx[1:] {
			mined = append(mined, tx.TxID)
		}
	}
	if !slices.Contains(mined, txid) {
		t.Errorf("transaction %s not mined; blocks hold %v", txid, mined)
	}
}

// TestMineWaitsForDaemon starts the miner before the daemon (reading the
// cookie once it exists) and finds blocks mined once the daemon is up.
func TestMineWaitsForDaemon(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	payee := opTrueP2SH(t).String()
	p := startMiner(t, "--network", "regtest", "--datadir", dir, "--rpc-addr", addr, "--threads", "1", "--address", payee)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.errOut.String(), "waiting for the node at "+addr) {
		if time.Now().After(deadline) {
			t.Fatalf("no wait for the node:\nstdout:\n%s\nstderr:\n%s", p.out.String(), p.errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	d := startDaemon(t, "--network", "regtest", "--datadir", dir, "--rpc-addr", addr)
	n := &rpcNode{t: t, d: d, dir: dir, addr: rpcAddrOf(t, d)}
	d.waitFor("node ready")
	user, pass := cookieOf(t, dir)
	n.user, n.pass = user, pass
	waitHeight(t, n, p, 2)
	p.stop()
}

// TestMineBench runs the no-node benchmark for a second.
func TestMineBench(t *testing.T) {
	cmd := exec.Command(binary, "mine", "--bench", "--seconds", "1", "--threads", "1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if last := lines[len(lines)-1]; !regexp.MustCompile(`^hashrate [0-9]+ H/s threads=1$`).MatchString(last) {
		t.Errorf("last line %q of:\n%s", last, out)
	}
}
