package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestGenerateAndConnect builds a short chain, connects it to a new chain,
// checks the baseline's signatures, and times a restart: the code of
// figures 1 and 2 on a tiny scale.
func TestGenerateAndConnect(t *testing.T) {
	dir := t.TempDir()
	spec := chainSpec{Blocks: 120, Txs: 400}
	var logged []string
	logf := func(format string, args ...any) { logged = append(logged, format) }
	blkPath, meta, err := cachedChain(dir, spec, logf)
	if err != nil {
		t.Fatal(err)
	}
	if meta.NonCoinbaseTxs < spec.Txs {
		t.Errorf("generated %d transactions, want at least %d", meta.NonCoinbaseTxs, spec.Txs)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dataDir := filepath.Join(dir, "data")
	st, err := connectFile(dataDir, blkPath, 0, log, profiles{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Blocks != spec.Blocks || st.Height != int32(spec.Blocks) || st.Txs != meta.NonCoinbaseTxs || st.Sigs != st.Txs {
		t.Errorf("connected %+v, want %d blocks and %d transactions with one signature each", st, spec.Blocks, meta.NonCoinbaseTxs)
	}
	jobs, err := loadSigJobs(blkPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != st.Sigs {
		t.Errorf("baseline has %d signatures, the chain %d", len(jobs), st.Sigs)
	}
	if _, err := verifyAll(jobs, runtime.NumCPU()); err != nil {
		t.Error(err)
	}
	if _, err := timeRestart(dataDir, log); err != nil {
		t.Error(err)
	}

	// A second call uses the cache; a marker of another generator
	// version makes it rebuild.
	logged = nil
	if _, _, err := cachedChain(dir, spec, logf); err != nil {
		t.Fatal(err)
	}
	if len(logged) != 1 || !strings.HasPrefix(logged[0], "using cached chain") {
		t.Errorf("second call logged %q, want it to use the cache", logged)
	}
	metaPath := filepath.Join(dir, spec.baseName()+".meta.json")
	data, err := os.ReadFile(metaPath)
	if err != nil {
		t.Fatal(err)
	}
	stale := strings.Replace(string(data), `"generator_version": 1`, `"generator_version": 0`, 1)
	if stale == string(data) {
		t.Fatalf("marker %s has no generator version 1: %s", metaPath, data)
	}
	if err := os.WriteFile(metaPath, []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	logged = nil
	_, meta2, err := cachedChain(dir, spec, logf)
	if err != nil {
		t.Fatal(err)
	}
	if len(logged) != 1 || !strings.Contains(logged[0], "is stale") {
		t.Errorf("stale marker: logged %q, want a rebuild", logged)
	}
	if meta2 != meta {
		t.Errorf("rebuilt chain %+v differs from the first build %+v", meta2, meta)
	}
}

// TestSpecValidate refuses chains with no mature coinbase.
func TestSpecValidate(t *testing.T) {
	if err := (chainSpec{Blocks: 100, Txs: 10}).validate(); err == nil {
		t.Error("a 100-block chain was accepted")
	}
	if err := (chainSpec{Blocks: 101, Txs: 10}).validate(); err != nil {
		t.Error(err)
	}
}
