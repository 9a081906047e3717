package node

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nodecoin/nodecoin/chain"
	"github.com/nodecoin/nodecoin/chain/consensus"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/internal/node/blockfile"
	"github.com/nodecoin/nodecoin/internal/node/nodetest"
	"github.com/nodecoin/nodecoin/internal/testutil"
)

func TestNewChecksConfig(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Network: "mainnet", DataDir: dir}, `unknown network "mainnet"`},
		{Config{Network: "regtest"}, "no data directory"},
		{Config{Network: "regtest", DataDir: dir, CacheMiB: 1}, "below the minimum"},
		{Config{Network: "regtest", DataDir: dir, RPCUser: "u"}, "--rpc-user and --rpc-password go together"},
		{Config{Network: "regtest", DataDir: dir, RPCAddr: "localhost"}, "RPC address"},
	} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err %v, want %q", tc.cfg, err, tc.want)
		}
	}
	n, err := New(Config{DataDir: "rel"})
	if err != nil {
		t.Fatal(err)
	}
	if n.cfg.Network != "main" || n.cfg.CacheMiB != chain.DefaultCacheMiB || !filepath.IsAbs(n.NetworkDir()) ||
		filepath.Base(n.NetworkDir()) != "main" {
		t.Fatalf("defaults: %+v %s", n.cfg, n.NetworkDir())
	}
}

func TestParseLogLevel(t *testing.T) {
	for s, want := range map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo,
		"warn": slog.LevelWarn, "error": slog.LevelError} {
		if got, err := ParseLogLevel(s); err != nil || got != want {
			t.Errorf("%s: %v %v", s, got, err)
		}
	}
	if _, err := ParseLogLevel("INFO+2"); err == nil {
		t.Error("accepted INFO+2")
	}
}

func TestLockIsExclusive(t *testing.T) {
	dir := t.TempDir()
	l, err := lockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to the open file, so a second open in this
	// process conflicts like another process would.
	_, err = lockDir(dir)
	want := "data directory " + dir + " is in use by another nodecoin process (pid " + strconv.Itoa(os.Getpid()) + ")"
	if !errors.Is(err, ErrDataDirInUse) || err.Error() != want {
		t.Fatalf("second lock: %v", err)
	}
	if err := l.release(); err != nil {
		t.Fatal(err)
	}
	l, err = lockDir(dir)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l.release()
}

// runUntil runs a node until its log contains want, then stops it.
func runUntil(t *testing.T, cfg Config, want string) string {
	t.Helper()
	logs := new(testutil.SyncBuffer)
	cfg.LogOutput = logs
	if cfg.RPCAddr == "" {
		cfg.RPCAddr = "127.0.0.1:0" // never the shared default port
	}
	if cfg.MetricsAddr == "" {
		cfg.MetricsAddr = "127.0.0.1:0"
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(logs.String(), want) {
		select {
		case err := <-done:
			t.Fatalf("node stopped early: %v\n%s", err, logs)
		case <-deadline:
			cancel()
			t.Fatalf("no %q in the log:\n%s", want, logs)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v\n%s", err, logs)
	}
	return logs.String()
}

func openChain(t *testing.T, netDir string) *chain.Chain {
	t.Helper()
	c, err := chain.Open(context.Background(), chain.Config{Dir: filepath.Join(netDir, chainDirName), Params: consensus.RegTestParams,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestImportSkipsBadBlocksAndStopsAtBadFraming imports a file holding
// valid, invalid, undecodable, duplicate and out-of-order blocks, then a
// record of another network, and a second, good file.
func TestImportSkipsBadBlocksAndStopsAtBadFraming(t *testing.T) {
	blocks, err := nodetest.RegtestChain(30, 0)
	if err != nil {
		t.Fatal(err)
	}
	// An invalid twin of block 11: its coinbase claims too much.
	bad := *blocks[10]
	cb := *bad.Transactions[0]
	cb.TxOut = []*wire.TxOut{{Value: 51 * consensus.Coin, PkScript: nodetest.OpTrue}}
	bad.Transactions = []*wire.Tx{&cb}
	bad.Header.MerkleRoot, _ = wire.MerkleRoot(bad.TxHashes())
	consensus.SolveHeader(&bad.Header, consensus.RegTestParams.PowLimit)

	dir := t.TempDir()
	var f1 bytes.Buffer
	w := blockfile.NewWriter(&f1, consensus.RegTestParams.Magic)
	for _, b := range blocks[:10] {
		w.WriteBlock(b)
	}
	w.WriteBlock(&bad)
	w.WriteRaw(bytes.Repeat([]byte{0xee}, 100)) // undecodable
	w.WriteBlock(blocks[4])                     // duplicate
	for i := 19; i >= 10; i-- {                 // children before parents
		w.WriteBlock(blocks[i])
	}
	blockfile.NewWriter(&f1, consensus.MainNetParams.Magic).WriteBlock(blocks[20])
	w.WriteBlock(blocks[20])
	file1 := filepath.Join(dir, "one.dat")
	file2 := filepath.Join(dir, "two.dat")
	if err := os.WriteFile(file1, f1.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := nodetest.WriteBlockFile(file2, blocks[20:]); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Network: "regtest", DataDir: dir, CacheMiB: 16, TxIndex: true, LoadBlocks: []string{file1, file2}}
	logs := runUntil(t, cfg, "block import finished")
	for _, want := range []string{"skipped invalid block", "skipped undecodable block record", "wrong network magic",
		"records=23 accepted=11 duplicates=1 orphans=9 invalid=2", "records=10 accepted=10"} {
		if !strings.Contains(logs, want) {
			t.Errorf("no %q in the log:\n%s", want, logs)
		}
	}
	c := openChain(t, filepath.Join(dir, "regtest"))
	defer c.Close()
	if best := c.Best(); best.Height != 30 || best.Hash != blocks[29].BlockHash() {
		t.Fatalf("tip %d %s", best.Height, best.Hash)
	}
}

func TestRunRefusesMissingBlockFile(t *testing.T) {
	n, err := New(Config{Network: "regtest", DataDir: t.TempDir(), LoadBlocks: []string{"/nonexistent/blk.dat"},
		LogOutput: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "block file /nonexistent/blk.dat") {
		t.Fatalf("Run: %v", err)
	}
}
